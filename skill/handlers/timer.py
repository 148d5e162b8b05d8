"""Timed practice sessions: start, time left, pause, resume, stop, and how it went.

"Start a two minute outdoor session" confirms, gives one safety reminder for that kind of
session and sets a real Alexa timer that announces the end on the device, even after the skill
session has closed. Without the timers permission the skill asks for it by voice
(Connections.SendRequest AskFor); when the owner says no, or the Timers API is down, the skill
still keeps time in the session, so the rest of the conversation works the same.

"We're done" cancels the timer, asks how it went and logs the session to progress with the time
actually practised. The running session lives in session attributes; in a later Alexa session it
is found again from the skill's own timers through the Timers API.
"""
from __future__ import annotations

import datetime
import logging
import time
import uuid
from dataclasses import dataclass

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.permission_status import PermissionStatus
from ask_sdk_model.ui import AskForPermissionsConsentCard

from skill import household, progress, slots
from skill.alexa_timers import AlexaTimers, TimersPermissionMissing, TimersUnavailable
from skill.dialogue import Reply, Screen, SessionState, is_one_shot, respond
from skill.handlers.base import IntentHandler, PendingAnswerHandler, intent_name
from skill.timer import (
    SCOPE,
    RunningSession,
    SessionKind,
    announce_text,
    check_length,
    is_far_beyond_advice,
    kind_for,
    kind_from_label,
    kinds,
    posix,
    possessive,
    spoken_length,
    timer_label,
)

log = logging.getLogger(__name__)

PRACTICE_KEY = "practice"
ASK_LENGTH = "timer:length"
CONFIRM = "confirm:timer"
OUTCOME = "timer:outcome"
TOKEN_PREFIX = "timer"
CARD_TITLE = "Session timer"
# On a device with a screen, the running session with its countdown (skill.screens builds it).
SESSION_SCREEN = Screen("session")


@dataclass
class TimerReply(Reply):
    """A Reply that may also ask for the timers permission (AskFor) or show the consent card."""

    ask_permission: bool = False
    consent_card: bool = False


def _respond(handler_input: HandlerInput, reply: Reply) -> Response:
    response = respond(handler_input, reply)
    if isinstance(reply, TimerReply) and reply.consent_card:
        response.card = AskForPermissionsConsentCard(permissions=[SCOPE])
    if isinstance(reply, TimerReply) and reply.ask_permission:
        # Alexa asks the permission question itself and answers with Connections.Response:
        # the skill must not add a reprompt of its own or keep the microphone open.
        response.reprompt = None
        response.should_end_session = None
    return response


class TimerIntentHandler(IntentHandler):
    def handle(self, handler_input: HandlerInput) -> Response:
        state = SessionState.of(handler_input)
        return _respond(handler_input, self.reply(handler_input, state, is_one_shot(handler_input)))


# -- reading the request -------------------------------------------------------------------------

def _now(handler_input: HandlerInput) -> float:
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    return posix(stamp) if isinstance(stamp, datetime.datetime) else time.time()


def _locale(handler_input: HandlerInput) -> str:
    return getattr(handler_input.request_envelope.request, "locale", None) or "en-US"


def _cat(handler_input: HandlerInput, state: SessionState) -> tuple[str | None, int | None]:
    """The active cat's name and step from progress; the session's step if progress is unreadable."""
    try:
        cat = household.current(handler_input).active_cat
        return cat.name, cat.step
    except Exception as error:  # noqa: BLE001 - a timer must work even when progress cannot be read
        log.warning("progress unreadable for the timer: %s", error)
        return None, state.step


def permission_granted(handler_input: HandlerInput) -> bool:
    """Whether the request says the owner granted the timers permission.

    Alexa reports per-scope status in ``permissions.scopes``; a request with only a consent token
    and no scope map (older tools) counts as granted, and the Timers API has the final word.
    """
    context = handler_input.request_envelope.context
    user = getattr(getattr(context, "system", None), "user", None)
    permissions = getattr(user, "permissions", None)
    if permissions is None:
        return False
    scopes = permissions.scopes or {}
    if scopes:
        scope = scopes.get(SCOPE)
        return scope is not None and scope.status == PermissionStatus.GRANTED
    return bool(permissions.consent_token)


# -- the running session ---------------------------------------------------------------------------

def _stored(state: SessionState) -> RunningSession | None:
    return RunningSession.from_dict(state.attributes.get(PRACTICE_KEY))


def _store(state: SessionState, session: RunningSession | None) -> None:
    state.attributes[PRACTICE_KEY] = session.to_dict() if session else None


def _from_api(handler_input: HandlerInput, now: float) -> RunningSession | None:
    """A session started in an earlier Alexa session, found again from the skill's own timers."""
    if not permission_granted(handler_input):
        return None
    try:
        timers = AlexaTimers.for_request(handler_input).all()
    except (TimersPermissionMissing, TimersUnavailable):
        return None
    for timer in timers:
        kind = kind_from_label(timer.label)
        if kind is None or timer.duration_seconds is None or timer.created_time is None:
            continue
        session = RunningSession(label=timer.label or "", kind=kind.id, seconds=timer.duration_seconds,
                                 started_at=posix(timer.created_time), timer_id=timer.id)
        if timer.remaining_when_paused_seconds is not None:
            # Paused: count the time not practised as paused time ending now.
            practised = timer.duration_seconds - timer.remaining_when_paused_seconds
            session.paused_at = now
            session.paused_total = max(0.0, now - session.started_at - practised)
        return session
    return None


def _running(handler_input: HandlerInput, state: SessionState, now: float) -> RunningSession | None:
    session = _stored(state)
    if session is None:
        session = _from_api(handler_input, now)
        if session is not None:
            _store(state, session)
    return session


def _timer_left(handler_input: HandlerInput, session: RunningSession, now: float) -> int | None:
    """Seconds left according to the device timer; None when it has rung or was cancelled there."""
    if session.timer_id is None:
        return session.remaining(now)
    try:
        timer = AlexaTimers.for_request(handler_input).get(session.timer_id)
    except (TimersPermissionMissing, TimersUnavailable):
        return session.remaining(now)
    if timer is None:
        return None
    if timer.remaining_when_paused_seconds is not None:
        return timer.remaining_when_paused_seconds
    if timer.trigger_time is not None:
        return max(0, min(session.seconds, int(posix(timer.trigger_time) - now)))
    return session.remaining(now)


def _speech_values(kind: SessionKind, cat: str | None) -> dict[str, str]:
    owner = possessive(cat)
    return {"kind": kind.spoken, "possessive": owner, "Possessive": owner[:1].upper() + owner[1:]}


# -- starting --------------------------------------------------------------------------------------

def _ask_length(state: SessionState, kind: SessionKind, cat: str | None, problem: str | None = None) -> Reply:
    state.pending = f"{ASK_LENGTH}:{kind.id}"
    template = "timer_bad_length" if problem else "timer_ask_length"
    return Reply.from_template(template, problem=problem, step=kind.step.number,
                               suggested=spoken_length(kind.suggested_seconds), **_speech_values(kind, cat))


def _ask_permission(kind: SessionKind, seconds: int, *, revoked: bool) -> TimerReply:
    spoken = Reply.from_template("timer_permission", revoked=revoked)
    directive = SendRequestDirective(
        name="AskFor",
        payload={"@type": "AskForPermissionsConsentRequest", "@version": "2", "permissionScope": SCOPE},
        token=f"{TOKEN_PREFIX}:{kind.id}:{seconds}",
    )
    return TimerReply(speech=spoken.speech, card_title=CARD_TITLE, directives=[directive],
                      remember=False, ask_permission=True)


def begin(handler_input: HandlerInput, state: SessionState, kind: SessionKind, seconds: int, *,
          one_shot: bool = False, answer: str | None = None) -> Reply:
    """Start timing a session: a device timer when allowed and working, the session's clock otherwise.

    ``answer`` is the owner's reply to the permission question (ACCEPTED, DENIED, NOT_ANSWERED),
    when this runs for a Connections.Response; then the skill never asks a second time.
    """
    now = _now(handler_input)
    cat, _ = _cat(handler_input, state)
    running = _stored(state)
    if running is not None and running.remaining(now) > 0:
        state.pending = None
        return Reply.from_template("timer_already_running", left=spoken_length(running.remaining(now)),
                                   **_speech_values(kinds()[running.kind], cat))
    if answer is None and not permission_granted(handler_input):
        return _ask_permission(kind, seconds, revoked=False)
    session = RunningSession(label=timer_label(kind, uuid.uuid4().hex[:4]), kind=kind.id, seconds=seconds,
                             started_at=now)
    reason = None
    if answer in (None, "ACCEPTED"):
        try:
            timer = AlexaTimers.for_request(handler_input).create(
                label=session.label, seconds=seconds, announce=announce_text(kind, cat),
                locale=_locale(handler_input))
            session.timer_id = timer.id
        except TimersPermissionMissing:
            if answer is None:
                return _ask_permission(kind, seconds, revoked=True)
            reason = "denied"
        except TimersUnavailable:
            reason = "unavailable"
    else:
        reason = "denied"
    _store(state, session)
    state.pending = None
    spoken = Reply.from_template(
        "timer_started", length=spoken_length(seconds), reminder=kind.reminder, timer_set=reason is None,
        reason=reason, retry=answer == "ACCEPTED", one_shot=one_shot, **_speech_values(kind, cat))
    return TimerReply(speech=spoken.speech, reprompt=spoken.reprompt, card_title=CARD_TITLE,
                      end_session=one_shot, consent_card=reason == "denied", screen=SESSION_SCREEN)


class StartSessionHandler(TimerIntentHandler):
    """"start a two minute outdoor session", "start a session", and the length when asked for one."""

    intents = frozenset({"StartSessionIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        cat, step = _cat(handler_input, state)
        asked = state.pending or ""
        kind_id = slots.resolved_id(handler_input, "kind")
        if kind_id is None and asked.startswith(ASK_LENGTH + ":"):
            kind_id = asked.rpartition(":")[2]
        kind = kind_for(kind_id, step)
        raw = slots.text(handler_input, "duration")
        check = check_length(raw)
        if not check.ok:
            if one_shot and raw is None:
                # "ask cat harness coach to start a session": ask, and keep the session open for the answer.
                return _ask_length(state, kind, cat)
            return _ask_length(state, kind, cat, problem=None if raw is None else check.problem)
        seconds = check.seconds or 0
        if is_far_beyond_advice(kind, seconds):
            state.pending = f"{CONFIRM}:{kind.id}:{seconds}"
            return Reply.from_template(
                "timer_confirm_long", length=spoken_length(seconds), suggested=spoken_length(kind.suggested_seconds),
                most=spoken_length(kind.max_advised_seconds), **_speech_values(kind, cat))
        return begin(handler_input, state, kind, seconds, one_shot=one_shot)


def _confirmed(state: SessionState) -> tuple[SessionKind, int] | None:
    _, _, rest = (state.pending or "").partition(CONFIRM + ":")
    kind_id, _, seconds = rest.partition(":")
    if kind_id in kinds() and seconds.isdigit():
        return kinds()[kind_id], int(seconds)
    return None


class YesToLongSessionHandler(PendingAnswerHandler, TimerIntentHandler):
    intents = frozenset({"AMAZON.YesIntent"})
    pending_prefix = CONFIRM

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        confirmed = _confirmed(state)
        if confirmed is None:
            cat, step = _cat(handler_input, state)
            return _ask_length(state, kind_for(None, step), cat)
        return begin(handler_input, state, *confirmed)


class NoToLongSessionHandler(PendingAnswerHandler, TimerIntentHandler):
    intents = frozenset({"AMAZON.NoIntent"})
    pending_prefix = CONFIRM

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        cat, step = _cat(handler_input, state)
        confirmed = _confirmed(state)
        return _ask_length(state, confirmed[0] if confirmed else kind_for(None, step), cat)


class PermissionAnswerHandler(AbstractRequestHandler):
    """Connections.Response to our AskFor: start the session with the timer, or without it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return (getattr(request, "object_type", None) == "Connections.Response"
                and getattr(request, "name", None) == "AskFor"
                and (getattr(request, "token", None) or "").startswith(TOKEN_PREFIX + ":"))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        state = SessionState.of(handler_input)
        payload = request.payload if isinstance(request.payload, dict) else {}
        answer = payload.get("status") if payload.get("status") in ("ACCEPTED", "DENIED") else "NOT_ANSWERED"
        _, kind_id, seconds = (request.token.split(":") + ["", ""])[:3]
        check = check_length(f"PT{seconds}S" if seconds.isdigit() else None)
        cat, step = _cat(handler_input, state)
        kind = kind_for(kind_id, step)
        if not check.ok:
            return _respond(handler_input, _ask_length(state, kind, cat))
        return _respond(handler_input, begin(handler_input, state, kind, check.seconds or 0, answer=answer))


# -- while it runs -----------------------------------------------------------------------------------

def _none_running(handler_input: HandlerInput, state: SessionState) -> Reply:
    cat, step = _cat(handler_input, state)
    kind = kind_for(None, step)
    state.pending = None
    return Reply.from_template("timer_none_running", kind=kind.spoken, suggested=spoken_length(kind.suggested_seconds))


class TimeLeftHandler(TimerIntentHandler):
    intents = frozenset({"TimeLeftIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        now = _now(handler_input)
        session = _running(handler_input, state, now)
        if session is None:
            return _none_running(handler_input, state)
        cat, _ = _cat(handler_input, state)
        left = _timer_left(handler_input, session, now)
        over = left is None or left <= 0
        reply = Reply.from_template("timer_time_left", left=spoken_length(left or 0), over=over,
                                    paused=session.paused and not over, end_session=one_shot,
                                    **_speech_values(kinds()[session.kind], cat))
        reply.screen = SESSION_SCREEN
        return reply


class PauseResumeHandler(TimerIntentHandler):
    intents = frozenset({"AMAZON.PauseIntent", "AMAZON.ResumeIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        now = _now(handler_input)
        session = _running(handler_input, state, now)
        if session is None:
            return _none_running(handler_input, state)
        resuming = intent_name(handler_input) == "AMAZON.ResumeIntent"
        session.resume(now) if resuming else session.pause(now)
        timer_set = session.timer_id is not None
        if timer_set:
            try:
                timers = AlexaTimers.for_request(handler_input)
                found = timers.resume(session.timer_id) if resuming else timers.pause(session.timer_id)
                timer_set = found
                if not found:
                    session.timer_id = None
            except (TimersPermissionMissing, TimersUnavailable):
                timer_set = False
        _store(state, session)
        state.pending = None
        reply = Reply.from_template("timer_paused", resumed=resuming, left=spoken_length(session.remaining(now)),
                                    timer_set=timer_set, end_session=one_shot)
        reply.screen = SESSION_SCREEN
        return reply


# -- ending and logging -----------------------------------------------------------------------------

def finish(handler_input: HandlerInput, state: SessionState, session: RunningSession) -> Reply:
    """Cancel the timer (if it has not rung), then ask how it went; logging waits for the answer."""
    now = _now(handler_input)
    if session.timer_id is not None:
        try:
            AlexaTimers.for_request(handler_input).delete(session.timer_id)
        except (TimersPermissionMissing, TimersUnavailable) as error:
            log.warning("could not cancel timer %s: %s", session.timer_id, error)
    practised = session.elapsed(now)
    _store(state, None)
    state.pending = f"{OUTCOME}:{session.kind}:{practised}"
    cat, _ = _cat(handler_input, state)
    return Reply.from_template("timer_how_did_it_go", practised=spoken_length(practised) if practised else None,
                               cat=cat)


class StopSessionHandler(TimerIntentHandler):
    """"stop the session", "she's had enough": end the practice, not the skill."""

    intents = frozenset({"StopSessionIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        session = _running(handler_input, state, _now(handler_input))
        if session is None:
            return _none_running(handler_input, state)
        return finish(handler_input, state, session)


class StopWhileTimingHandler(TimerIntentHandler):
    """"we're done" is also a built-in Stop phrase: while a session is being timed, it ends the session.

    Only a session timed in this Alexa session counts (no API call decides whether "stop" exits),
    so plain "stop" everywhere else still closes the skill at once.
    """

    intents = frozenset({"AMAZON.StopIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and _stored(SessionState.of(handler_input)) is not None

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        return finish(handler_input, state, _stored(state))


class OutcomeHandler(TimerIntentHandler):
    """"calm", "a little stressed", "she was scared": log the session that just ended."""

    intents = frozenset({"SessionOutcomeIntent", "LogPracticeIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if intent_name(handler_input) == "LogPracticeIntent":
            pending = SessionState.of(handler_input).pending or ""
            return pending.startswith(OUTCOME + ":")
        return super().can_handle(handler_input)

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        cat, _ = _cat(handler_input, state)
        outcome = slots.resolved_id(handler_input, "outcome")
        if outcome not in progress.OUTCOMES:
            return Reply.from_template("timer_outcome_unclear", cat=cat)
        _, _, rest = (state.pending or "").partition(OUTCOME + ":")
        kind_id, _, seconds = rest.partition(":")
        kind = kinds().get(kind_id)
        practised = int(seconds) if seconds.isdigit() else None
        try:
            household.update(handler_input, lambda h: progress.log_practice(
                h, outcome=outcome, today=household.today(handler_input), seconds=practised,
                kind=kind.id if kind else None))
            saved = True
        except household.SaveFailed:
            saved = False
        state.pending = None
        return Reply.from_template(
            "timer_logged", outcome=outcome, saved=saved, cat=cat, kind=kind.spoken if kind else "practice",
            practised=spoken_length(practised) if practised else None, end_session=one_shot)


FIRST: list[AbstractRequestHandler] = [StopWhileTimingHandler(), PermissionAnswerHandler()]
HANDLERS: list[AbstractRequestHandler] = [
    StartSessionHandler(),
    YesToLongSessionHandler(),
    NoToLongSessionHandler(),
    TimeLeftHandler(),
    PauseResumeHandler(),
    StopSessionHandler(),
    OutcomeHandler(),
]
