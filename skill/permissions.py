"""Alexa permissions: which the skill may ask for, whether a request has one, and how to ask.

The timers feature uses it; a reminders feature would add its scope here and reuse the rest.
Asking is a ``Reply`` field (``permission_request``, ``consent_card``) that ``dialogue.respond``
renders, so no feature builds permission directives or cards itself.
"""
from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.permission_status import PermissionStatus

from skill.dialogue import PermissionRequest

TIMERS = "alexa::alerts:timers:skill:readwrite"

# What Alexa may answer in Connections.Response to an AskFor; anything else counts as not answered.
ACCEPTED = "ACCEPTED"
DENIED = "DENIED"
NOT_ANSWERED = "NOT_ANSWERED"


def granted(handler_input: HandlerInput, scope: str) -> bool:
    """Whether the request says the owner granted ``scope``.

    Alexa reports per-scope status in ``permissions.scopes``; a request with only a consent token
    and no scope map (older tools) counts as granted, and the service API has the final word.
    """
    context = handler_input.request_envelope.context
    user = getattr(getattr(context, "system", None), "user", None)
    permissions = getattr(user, "permissions", None)
    if permissions is None:
        return False
    scopes = permissions.scopes or {}
    if scopes:
        status = scopes.get(scope)
        return status is not None and status.status == PermissionStatus.GRANTED
    return bool(permissions.consent_token)


def ask_for(scope: str, token: str) -> PermissionRequest:
    """A voice permission request; ``token`` comes back in the Connections.Response."""
    return PermissionRequest(scope=scope, token=token)


def answer(handler_input: HandlerInput, token_prefix: str) -> tuple[str, str] | None:
    """The owner's answer to an AskFor whose token starts with ``token_prefix``: (status, token)."""
    request: Any = handler_input.request_envelope.request
    token = getattr(request, "token", None) or ""
    if (getattr(request, "object_type", None) != "Connections.Response" or getattr(request, "name", None) != "AskFor"
            or not token.startswith(token_prefix + ":")):
        return None
    payload = request.payload if isinstance(getattr(request, "payload", None), dict) else {}
    status = payload.get("status")
    return (status if status in (ACCEPTED, DENIED) else NOT_ANSWERED), token
