"""Let flask-ask-sdk import on OpenSSL 3.0.10+ without turning any verification off.

``flask_ask_sdk.skill_adapter`` imports ``ask_sdk_webservice_support.verifier``, which imports
``certvalidator`` at module level, which imports ``oscrypto.asymmetric``. oscrypto 1.3.0 (the
latest release) loads the system libcrypto on import and dies parsing version strings such as
"OpenSSL 3.0.19" ("Error detecting the version of libcrypto"); the upstream fix is unreleased.

The only code that ever calls into oscrypto is the SDK's default ``RequestVerifier``, which this
service does not use: signatures are checked by ``skill.web.verifier`` on ``cryptography``'s own
X.509 path validation. So ``oscrypto.asymmetric`` is registered as a placeholder module that
carries the real module's spec (``__file__``, ``__spec__``...) and imports the real module on
the first use of any public name. The standard library's ``importlib.util.LazyLoader`` is not
enough: it loads on *any* attribute access, and tools that walk ``sys.modules`` reading
``__file__`` (hypothesis, reloaders) would set the failure off. No code in oscrypto or the SDK is
patched and no function is stubbed;
if anything ever did use the SDK's default verifier, oscrypto would load then and raise its
original error, so verification fails closed. Where oscrypto works (older OpenSSL), the module
simply loads on first use as before.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

DEFERRED_MODULE = "oscrypto.asymmetric"


class _DeferredModule(types.ModuleType):
    """Stands in for a module until one of its public names is used, then forwards to it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._real_module(), name)

    def _real_module(self) -> types.ModuleType:
        real = self.__dict__.get("_deferred_real")
        if real is None:
            del sys.modules[self.__name__]
            try:
                real = importlib.import_module(self.__name__)
            finally:
                if self.__name__ not in sys.modules:  # the import failed: keep failing closed
                    sys.modules[self.__name__] = self
            self.__dict__["_deferred_real"] = real
        return real


def defer_oscrypto_backend() -> None:
    """Register ``oscrypto.asymmetric`` as a deferred module unless it is already imported (idempotent)."""
    if DEFERRED_MODULE in sys.modules:
        return
    parent_name, _, child = DEFERRED_MODULE.rpartition(".")
    spec = importlib.util.find_spec(DEFERRED_MODULE)
    if spec is None or spec.loader is None:
        return  # oscrypto is not installed: flask-ask-sdk's own import error will say so
    parent = importlib.import_module(parent_name)
    placeholder = _DeferredModule(DEFERRED_MODULE)
    placeholder.__spec__ = spec
    placeholder.__loader__ = spec.loader
    placeholder.__file__ = spec.origin
    placeholder.__package__ = parent_name
    sys.modules[DEFERRED_MODULE] = placeholder
    setattr(parent, child, placeholder)
