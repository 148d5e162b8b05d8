"""Assembles the skill once per process and exposes the one function every host calls.

Lambda, the web service and the simulator all go through ``handle_event`` so they behave the
same, including for envelopes the SDK cannot even parse: those get a spoken apology instead of
a stack trace.
"""
from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope, ResponseEnvelope

from skill import handlers
from skill.config import Settings

log = logging.getLogger(__name__)
_serializer = DefaultSerializer()


def build_skill(settings: Settings | None = None) -> CustomSkill:
    """A configured CustomSkill; the skill ID check is on whenever a skill ID is configured."""
    settings = settings or Settings.from_env()
    builder = CustomSkillBuilder()
    if settings.skill_id:
        builder.skill_id = settings.skill_id
    for handler in handlers.request_handlers():
        builder.add_request_handler(handler)
    for exception_handler in handlers.exception_handlers():
        builder.add_exception_handler(exception_handler)
    return builder.create()


@cache
def default_skill() -> CustomSkill:
    return build_skill()


def malformed_request_response() -> dict[str, Any]:
    """What Alexa hears when the envelope itself is broken: a short apology, session closed."""
    from skill.dialogue import Reply

    reply = Reply.from_template("error", end_session=True)
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{reply.speech}</speak>"},
            "shouldEndSession": True,
        },
    }


def handle_event(event: Any, skill: CustomSkill | None = None, context: Any = None) -> dict[str, Any]:
    """Deserialize an Alexa request envelope, run the skill, and serialize its response."""
    skill = skill or default_skill()
    try:
        envelope = _serializer.deserialize(json.dumps(event), RequestEnvelope)
        if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
            raise ValueError("not an Alexa request envelope")
    except Exception as error:  # noqa: BLE001 - anything unparseable gets the same spoken answer
        log.warning("malformed request envelope: %s", error)
        return malformed_request_response()
    response: ResponseEnvelope = skill.invoke(request_envelope=envelope, context=context)
    return _serializer.serialize(response)
