"""Opening, closing and rescuing a conversation: launch, help, stop, fallback, errors.

These follow what Alexa certification expects: help keeps the session open, stop and cancel end
it without a question, fallback always offers a way forward, and nothing ever surfaces as an
SDK error.
"""
from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill import storage
from skill.dialogue import Ask, Pending, Reply, Screen, SessionState, respond
from skill.handlers.base import IntentHandler, intent_name
from skill.replies import cat_context
from skill.training import summarize

log = logging.getLogger(__name__)


class LaunchHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = SessionState.of(handler_input)
        state.pending = Pending(Ask.STEP, step=1)
        reply = welcome_back(handler_input, state) or Reply.from_template("launch")
        reply.screen = Screen("welcome")
        return respond(handler_input, reply)


def welcome_back(handler_input: HandlerInput, state: SessionState) -> Reply | None:
    """Launch for a returning household: where the active cat left off. None for a new user.

    This is the session's one read of the store; every later turn uses the cached copy.
    """
    home = storage.current(handler_input)
    if home.practice is not None:
        from skill.handlers.practice import welcome_back as practice_welcome

        about_practice = practice_welcome(handler_input, state, home)
        if about_practice is not None:
            return about_practice
    notice = storage.take_notice(handler_input)
    if notice is None and not home.has_progress:
        return None
    cat = home.active_cat
    summary = summarize(cat, storage.today(handler_input))
    state.pending = None if summary.finished else Pending(Ask.STEP, step=cat.step if notice is None else 1)
    others = [c.name for c in home.cats.values() if c is not cat and c.name]
    return Reply.from_template("welcome_back", **cat_context(cat), notice=notice, summary=summary, others=others)


class SkillDisabledHandler(AbstractRequestHandler):
    """The user disabled the skill: unless Alexa says their data is kept, delete it.

    A sessionless event: no speech, no session attributes, and a failure is only logged (Alexa
    does not retry these events, so the log is where a failed deletion shows up).
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        body = getattr(handler_input.request_envelope.request, "event_body", None) or {}
        if body.get("userInformationPersistenceStatus") != "PERSISTED":
            try:
                storage.delete(handler_input)
            except storage.SaveFailed as error:
                log.error("could not delete data of a user who disabled the skill: %s", error)
        return handler_input.response_builder.response


class SessionEndedHandler(AbstractRequestHandler):
    """Alexa allows no speech here; log why the session ended so errors show up in the logs."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        error = getattr(request, "error", None)
        if error is not None:
            log.warning("session ended with error %s: %s", getattr(error, "object_type", None), error.message)
        return handler_input.response_builder.response


class HelpHandler(IntentHandler):
    intents = frozenset({"AMAZON.HelpIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        state.pending = None
        return Reply.from_template("help")


class GoodbyeHandler(IntentHandler):
    """Stop, cancel, home: goodbye. While a practice is timed, "we're done" (a Stop phrase) is the
    practice module's: it ends the practice, not the skill."""

    intents = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if intent_name(handler_input) == "AMAZON.StopIntent" and SessionState.of(handler_input).practice:
            return False
        return super().can_handle(handler_input)

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        return Reply.from_template("goodbye", end_session=True)


class FallbackHandler(IntentHandler):
    """AMAZON.FallbackIntent, and any intent name this skill does not know (old models, test tools)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        state.pending = None
        return Reply.from_template("fallback", repeatable=False, practising=state.practice is not None)


class OtherRequestHandler(AbstractRequestHandler):
    """Request types this skill has nothing to say to (display events, unknown types): answer quietly."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.info("ignored request type %s", getattr(handler_input.request_envelope.request, "object_type", None))
        return handler_input.response_builder.response


class SpokenErrorHandler(AbstractExceptionHandler):
    """Any exception becomes a short apology with the session kept open, never an SDK error."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled error: %s", exception, exc_info=exception)
        request = handler_input.request_envelope.request
        if getattr(request, "object_type", None) not in {"LaunchRequest", "IntentRequest"}:
            return handler_input.response_builder.response
        return respond(handler_input, Reply.from_template("error", repeatable=False))


HANDLERS: list[AbstractRequestHandler] = [
    LaunchHandler(), SkillDisabledHandler(), SessionEndedHandler(), HelpHandler(), GoodbyeHandler()]
# Catch-alls: they take whatever no other handler claimed, so they must come last.
LAST: list[AbstractRequestHandler] = [FallbackHandler(), OtherRequestHandler()]
