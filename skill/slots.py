"""Reading slot values defensively: Alexa sends missing slots, "?" values and unmatched entities."""
from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.training import clean_name

# Longest cat name kept from a slot, before the domain's own bound.
MAX_NAME_CHARS = 60


def _slot(handler_input: HandlerInput, name: str) -> Any:
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
        if getattr(status, "value", status) != "ER_SUCCESS_MATCH":
            continue
        for candidate in getattr(resolution, "values", None) or []:
            entity_id = getattr(getattr(candidate, "value", None), "id", None)
            if isinstance(entity_id, str) and entity_id:
                return entity_id
    return None


def cat_name(handler_input: HandlerInput, name: str = "name") -> str | None:
    """A cat's name as said, or None when it holds nothing sayable as a name ("42", "&", an emoji)."""
    value = text(handler_input, name, limit=MAX_NAME_CHARS)
    return value if value is not None and clean_name(value) is not None else None


def number(handler_input: HandlerInput, name: str) -> int | None:
    """An AMAZON.NUMBER slot as an int; anything else (words Alexa could not parse, "?") is None."""
    value = text(handler_input, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
