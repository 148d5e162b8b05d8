"""Assembles the skill once per process and holds the one request path every host uses.

``dispatch`` is that path: size and nesting bound on the raw text (before any parser or the SDK's
deep copies), one deserialisation, the host's verifiers, the skill-ID guard, the skill. A request
it will not run raises ``Refused`` with a ``kind``; each host turns that into its own answer:
``handle_event`` (Lambda and the simulator) speaks, the web service (``skill.web.app``) answers
with an HTTP status. A newcomer changes a guard here, once.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.services import ApiClient

from skill import handlers
from skill.config import Settings
from skill.logs import event, hash_user_id
from skill.persistence import HouseholdRepository, ProgressStore, create_store
from skill.storage import StoreInterceptor

log = logging.getLogger(__name__)

# Alexa's requests are a few kilobytes; session attributes are the only part that grows.
MAX_REQUEST_BYTES = 128 * 1024
# The deepest real envelope (session attributes holding a household) is about a dozen levels.
MAX_NESTING = 64
_JSON_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class Refused(Exception):
    """A request the skill will not run; ``kind`` says which answer the host gives.

    Kinds: ``too_large`` and ``too_deep`` (over the bounds), ``malformed`` (not an Alexa envelope),
    ``unverified`` (a host verifier said no), ``foreign_skill`` (another skill's request).
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def nesting_exceeds(text: str, limit: int = MAX_NESTING) -> bool:
    """Whether JSON text nests deeper than ``limit``, found without parsing it (strings skipped)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _JSON_STRUCTURE.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}"):
            depth -= 1
    return False


def check_bounds(text: str) -> None:
    """Refuse a request body over the size or nesting bound, before anything parses it."""
    if len(text.encode("utf-8")) > MAX_REQUEST_BYTES:
        raise Refused("too_large", f"request over {MAX_REQUEST_BYTES} bytes")
    if nesting_exceeds(text):
        raise Refused("too_deep", f"request nested deeper than {MAX_NESTING}")


class SkillSerializer(DefaultSerializer):
    """The SDK serializer, keeping what its request model drops from skill events.

    ``AlexaSkillEvent.*`` requests carry a ``body`` (SkillDisabled says there whether the user's
    data is kept: ``userInformationPersistenceStatus``) that the model has no field for; it is kept
    as ``request.event_body``. Set on the skill itself, so Lambda and the web adapter both get it.
    """

    def deserialize(self, payload: str | None, obj_type: Any) -> Any:
        result = super().deserialize(payload, obj_type)
        request = getattr(result, "request", None)
        if payload is not None and request is not None and isinstance(result, RequestEnvelope) and str(
                getattr(request, "object_type", "")).startswith("AlexaSkillEvent."):
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
    builder.skill_id = settings.skill_id  # type: ignore[assignment]  # the SDK annotates it as always None
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


def parse(skill: CustomSkill, text: str) -> RequestEnvelope:
    """The envelope the SDK builds from ``text``, or Refused("malformed") for anything else."""
    try:
        envelope = skill.serializer.deserialize(text, RequestEnvelope)
    except Exception as error:  # noqa: BLE001 - the SDK raises assorted errors for malformed envelopes
        raise Refused("malformed", f"not an Alexa request envelope: {type(error).__name__}") from None
    if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
        raise Refused("malformed", "not an Alexa request envelope")
    if envelope.context is None or envelope.context.system is None:
        # Alexa always sends context.System; the SDK reads its API token before any handler runs.
        raise Refused("malformed", "request envelope without context.System")
    return envelope


def dispatch(skill: CustomSkill, text: str, *, headers: Mapping[str, Any] | None = None,
             verifiers: Iterable[Any] = (), context: Any = None) -> tuple[RequestEnvelope, dict[str, Any]]:
    """The one request path: bounds, one parse, verifiers, skill-ID guard, the skill.

    ``verifiers`` are SDK ``AbstractVerifier``s; any exception they raise refuses the request as
    ``unverified`` with its message as the reason. Returns the envelope and the serialised response.
    """
    check_bounds(text)
    envelope = parse(skill, text)
    for verifier in verifiers:
        try:
            verifier.verify(headers or {}, text, envelope)
        except Exception as error:  # noqa: BLE001 - a verifier says no by raising; which class is its own
            raise Refused("unverified", str(error)) from None
    if skill.skill_id and envelope_skill_ids(envelope) != {skill.skill_id}:
        raise Refused("foreign_skill", "request is for another skill")
    response: ResponseEnvelope = skill.invoke(request_envelope=envelope, context=context)
    serialized = skill.serializer.serialize(response)
    if not isinstance(serialized, dict):
        raise TypeError("the SDK serialised a response envelope to something other than an object")
    return envelope, serialized


def start_fresh_response() -> dict[str, Any]:
    """The spoken answer to a request over the bounds: attributes dropped, session kept open."""
    from skill.dialogue import Reply

    reply = Reply.from_template("start_fresh")
    return {
        "version": "1.0",
        "sessionAttributes": {},
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{reply.speech}</speak>"},
            "reprompt": {"outputSpeech": {"type": "SSML", "ssml": f"<speak>{reply.reprompt}</speak>"}},
            "shouldEndSession": False,
        },
    }


def handle_event(event_: Any, skill: CustomSkill | None = None, context: Any = None) -> dict[str, Any]:
    """Lambda's and the simulator's entry: the request path, with refusals answered in speech."""
    skill = skill or default_skill()
    try:
        try:
            text = json.dumps(event_)
        except (RecursionError, TypeError, ValueError):
            raise Refused("too_deep", "event cannot be serialised") from None
        return dispatch(skill, text, context=context)[1]
    except Refused as refusal:
        event(log, logging.WARNING, "request_refused", kind=refusal.kind, reason=refusal.reason,
              user=hash_user_id(_user_id(event_)))
        if refusal.kind in ("too_large", "too_deep"):
            return start_fresh_response()
        if refusal.kind == "foreign_skill":
            return refused_request_response()
        return malformed_request_response()


def _user_id(event_: Any) -> str | None:
    """The user id of a raw event, if it has one where Alexa puts it (for the hashed log field)."""
    try:
        user_id = event_["context"]["System"]["user"]["userId"]
    except (KeyError, TypeError):
        return None
    return user_id if isinstance(user_id, str) else None
