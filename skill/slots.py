"""Reading slot values defensively: Alexa sends missing slots, "?" values and unmatched entities."""
from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput


def _slot(handler_input: HandlerInput, name: str):
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None)
    slots = getattr(intent, "slots", None) or {}
    return slots.get(name)


def text(handler_input: HandlerInput, name: str, limit: int = 200) -> str | None:
    """The words the user said for a slot, trimmed; None when absent or unrecognised ("?")."""
    slot = _slot(handler_input, name)
    value = getattr(slot, "value", None)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())[:limit]
    return value if value and value != "?" else None


def resolved_id(handler_input: HandlerInput, name: str) -> str | None:
    """The entity id a custom slot value resolved to, or None when it matched nothing."""
    slot = _slot(handler_input, name)
    resolutions = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
    for resolution in resolutions:
        status = getattr(getattr(resolution, "status", None), "code", None)
        # Compared by value: importing the entity-resolution models would cost every cold start.
        if getattr(status, "value", status) == "ER_SUCCESS_MATCH" and resolution.values:
            return resolution.values[0].value.id
    return None


def number(handler_input: HandlerInput, name: str) -> int | None:
    """An AMAZON.NUMBER slot as an int; anything else (words Alexa could not parse, "?") is None."""
    value = text(handler_input, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
