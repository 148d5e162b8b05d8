"""The skill as an HTTPS web service (flask-ask-sdk), for operators who do not host on Lambda.

``create_app()`` is the WSGI application factory: ``gunicorn 'skill.web:create_app()'``.
oscrypto's OpenSSL backend is deferred here, before any submodule imports flask-ask-sdk (see
``oscrypto_compat``); Flask itself is imported only when the app is first asked for, so
``python -m skill chat`` does not pay for it.
"""
from __future__ import annotations

from typing import Any

from skill.web.oscrypto_compat import defer_oscrypto_backend

defer_oscrypto_backend()

__all__ = ["ConfigurationError", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from skill.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'skill.web' has no attribute {name!r}")
