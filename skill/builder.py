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
from ask_sdk_model.services import ApiClient

from skill import handlers
from skill.config import Settings
from skill.persistence import HouseholdRepository, ProgressStore, create_store
from skill.storage import StoreInterceptor

log = logging.getLogger(__name__)


class SkillSerializer(DefaultSerializer):
    """The SDK serializer, keeping what its request model drops from skill events.

    ``AlexaSkillEvent.*`` requests carry a ``body`` (SkillDisabled says there whether the user's
    data is kept: ``userInformationPersistenceStatus``) that the model has no field for; it is kept
    as ``request.event_body``. Set on the skill itself, so Lambda and the web adapter both get it.
    """

    def deserialize(self, payload: str, obj_type: Any) -> Any:
        result = super().deserialize(payload, obj_type)
        request = getattr(result, "request", None)
        if isinstance(result, RequestEnvelope) and str(getattr(request, "object_type", "")).startswith(
                "AlexaSkillEvent."):
            body = (json.loads(payload).get("request") or {}).get("body")
            if isinstance(body, dict):
                request.event_body = body
        return result


def build_skill(settings: Settings | None = None, store: ProgressStore | None = None,
                api_client: ApiClient | None = None) -> CustomSkill:
    """A configured CustomSkill; the skill ID check is on whenever a skill ID is configured.

    The progress store comes from ``settings.store`` unless one is given (tests pass their own);
    it is created on the first request, so building the skill never touches a database.
    ``api_client`` calls Alexa service APIs (Timers); the simulator and tests pass one that trusts
    their local emulator's certificate, production uses the normal CA bundle.
    """
    settings = settings or Settings.from_env()
    builder = CustomSkillBuilder(api_client=api_client or DeferredApiClient())
    if settings.skill_id:
        builder.skill_id = settings.skill_id
    builder.add_global_request_interceptor(
        StoreInterceptor(lambda: HouseholdRepository(store or create_store(settings))))
    for interceptor in handlers.request_interceptors():
        builder.add_global_request_interceptor(interceptor)
    for handler in handlers.request_handlers():
        builder.add_request_handler(handler)
    for exception_handler in handlers.exception_handlers():
        builder.add_exception_handler(exception_handler)
    skill = builder.create()
    skill.serializer = SkillSerializer()
    return skill


class DeferredApiClient(ApiClient):
    """The production API client, built on the first Alexa API call instead of at cold start.

    AlexaApiClient brings in ``requests``; only timer turns call an Alexa API, so launches and
    questions should not pay for importing it.
    """

    def __init__(self) -> None:
        self._client: ApiClient | None = None

    def invoke(self, request: Any) -> Any:
        if self._client is None:
            from skill.api_client import AlexaApiClient

            self._client = AlexaApiClient()
        return self._client.invoke(request)


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


def envelope_skill_ids(envelope: RequestEnvelope | None) -> set[str | None]:
    """Every application id the envelope claims; context and session must both name this skill."""
    ids: set[str | None] = set()
    system = getattr(getattr(envelope, "context", None), "system", None)
    ids.add(getattr(getattr(system, "application", None), "application_id", None))
    session = getattr(envelope, "session", None)
    if session is not None:
        ids.add(getattr(getattr(session, "application", None), "application_id", None))
    return ids


def refused_request_response() -> dict[str, Any]:
    """The answer to a request for another skill: nothing said, nothing stored, no SDK stack trace."""
    return {"version": "1.0", "response": {"shouldEndSession": True}}


def handle_event(event: Any, skill: CustomSkill | None = None, context: Any = None) -> dict[str, Any]:
    """Deserialize an Alexa request envelope, run the skill, and serialize its response."""
    skill = skill or default_skill()
    try:
        envelope = skill.serializer.deserialize(json.dumps(event), RequestEnvelope)
        if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
            raise ValueError("not an Alexa request envelope")
        if envelope.context is None or envelope.context.system is None:
            # Alexa always sends context.System; the SDK reads its API token before any handler runs.
            raise ValueError("request envelope without context.System")
    except Exception as error:  # noqa: BLE001 - anything unparseable gets the same spoken answer
        log.warning("malformed request envelope: %s", error)
        return malformed_request_response()
    if skill.skill_id and envelope_skill_ids(envelope) != {skill.skill_id}:
        log.warning("refused a request for another skill")
        return refused_request_response()
    response: ResponseEnvelope = skill.invoke(request_envelope=envelope, context=context)
    return skill.serializer.serialize(response)
