"""Let flask-ask-sdk import on OpenSSL 3.0.10+ without turning any verification off.

``flask_ask_sdk.skill_adapter`` imports ``ask_sdk_webservice_support.verifier``, which imports
``certvalidator`` at module level, which imports ``oscrypto.asymmetric``. oscrypto 1.3.0 (the
latest release) loads the system libcrypto on import and dies parsing version strings such as
"OpenSSL 3.0.19" ("Error detecting the version of libcrypto"); the upstream fix is unreleased.

The only code that ever calls into oscrypto is the SDK's default ``RequestVerifier``, which this
service does not use: signatures are checked by ``skill.web.verifier`` on ``cryptography``'s own
X.509 path validation. So ``oscrypto.asymmetric`` is registered with the standard library's
``importlib.util.LazyLoader``: the import statement succeeds and the module body runs on first
attribute access. Nothing is patched or stubbed; if anything ever did use the SDK's default
verifier, oscrypto would load then and raise its original error, so verification fails closed.
On systems where oscrypto works (older OpenSSL), the module simply loads on first use as before.
"""
from __future__ import annotations

import importlib.util
import sys

DEFERRED_MODULE = "oscrypto.asymmetric"


def defer_oscrypto_backend() -> None:
    """Register ``oscrypto.asymmetric`` lazily unless it is already imported (idempotent)."""
    if DEFERRED_MODULE in sys.modules:
        return
    parent_name, _, child = DEFERRED_MODULE.rpartition(".")
    spec = importlib.util.find_spec(DEFERRED_MODULE)
    if spec is None or spec.loader is None:
        return  # oscrypto is not installed: flask-ask-sdk's own import error will say so
    parent = importlib.import_module(parent_name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[DEFERRED_MODULE] = module
    spec.loader.exec_module(module)
    setattr(parent, child, module)
