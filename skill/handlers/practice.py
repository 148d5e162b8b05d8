"""Timed practices: start, time left, pause, resume, stop, and how it went.

"Start a two minute outdoor session" confirms, gives one safety reminder for that kind of
practice and sets a real Alexa timer that announces the end on the device, even after the Alexa
session has closed. Without the timers permission the skill asks for it by voice
(``permissions.ask_for``); when the owner says no, or the Timers API is down, the skill still
keeps time in the Alexa session, so the rest of the conversation works the same.

"We're done" cancels the timer, asks how it went and logs the practice to progress with the time
actually practised (through ``progress.log_outcome``). The running practice lives in session
attributes; in a later Alexa session it is found again from the skill's own timers.
"""
from __future__ import annotations

import datetime
import logging
import time
import uuid
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import permissions, slots, storage, training
from skill.alexa_timers import AlexaTimers, TimersPermissionMissing, TimersUnavailable
from skill.dialogue import Ask, Pending, Reply, SessionState, respond
from skill.handlers.base import IntentHandler, intent_name
from skill.handlers.progress import log_outcome
from skill.handlers.yes_no import YesNo
from skill.practice import (
    PracticeKind,
    RunningPractice,
    announce_text,
    check_length,
    is_far_beyond_advice,
    iso_duration,
    kind_for,
    kind_from_label,
    kinds,
    posix,
    possessive,
    spoken_length,
    timer_label,
)

log = logging.getLogger(__name__)

TOKEN_PREFIX = "timer"
CARD_TITLE = "Session timer"


# -- reading the request -------------------------------------------------------------------------

def _now(handler_input: HandlerInput) -> float:
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    return posix(stamp) if isinstance(stamp, datetime.datetime) else time.time()


def _locale(handler_input: HandlerInput) -> str:
    return getattr(handler_input.request_envelope.request, "locale", None) or "en-US"


def _cat(handler_input: HandlerInput, state: SessionState) -> tuple[str | None, int | None]:
    """The active cat's name and step (a fresh household's when progress cannot be read right now)."""
    cat = storage.current(handler_input).active_cat
    return cat.name, cat.step


# -- the running session ---------------------------------------------------------------------------

def _stored(state: SessionState) -> RunningPractice | None:
    return RunningPractice.from_dict(state.practice)


def _store(state: SessionState, session: RunningPractice | None) -> None:
    state.practice = session.to_dict() if session else None


def _from_api(handler_input: HandlerInput, now: float) -> RunningPractice | None:
    """A session started in an earlier Alexa session, found again from the skill's own timers."""
    if not permissions.granted(handler_input, permissions.TIMERS):
        return None
    try:
        timers = AlexaTimers.for_request(handler_input).all()
    except (TimersPermissionMissing, TimersUnavailable):
        return None
    for timer in timers:
        kind = kind_from_label(timer.label)
        if kind is None or timer.duration_seconds is None or timer.created_time is None:
            continue
        session = RunningPractice(label=timer.label or "", kind=kind.id, seconds=timer.duration_seconds,
                                 started_at=posix(timer.created_time), timer_id=timer.id)
        if timer.remaining_when_paused_seconds is not None:
            # Paused: count the time not practised as paused time ending now.
            practised = timer.duration_seconds - timer.remaining_when_paused_seconds
            session.paused_at = now
            session.paused_total = max(0.0, now - session.started_at - practised)
        return session
    return None


def _running(handler_input: HandlerInput, state: SessionState, now: float) -> RunningPractice | None:
    session = _stored(state)
    if session is None:
        session = _from_api(handler_input, now)
        if session is not None:
            _store(state, session)
    return session


def _timer_left(handler_input: HandlerInput, session: RunningPractice, now: float) -> int | None:
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


def _speech_values(kind: PracticeKind, cat: str | None) -> dict[str, Any]:
    owner = possessive(cat)
    return {"kind": kind.spoken, "possessive": owner, "Possessive": owner[:1].upper() + owner[1:]}


# -- starting --------------------------------------------------------------------------------------

def _ask_length(state: SessionState, kind: PracticeKind, cat: str | None, problem: str | None = None) -> Reply:
    state.pending = Pending(Ask.PRACTICE_LENGTH, practice_kind=kind.id)
    template = "timer_bad_length" if problem else "timer_ask_length"
    return Reply.from_template(template, problem=problem, step=kind.step.number,
                               suggested=spoken_length(kind.suggested_seconds), **_speech_values(kind, cat))


def _ask_permission(kind: PracticeKind, seconds: int, *, revoked: bool) -> Reply:
    return Reply.from_template("timer_permission", revoked=revoked, card_title=CARD_TITLE,
                               permission_request=permissions.ask_for(
                                   permissions.TIMERS, f"{TOKEN_PREFIX}:{kind.id}:{seconds}"))


def begin(handler_input: HandlerInput, state: SessionState, kind: PracticeKind, seconds: int, *,
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
    if answer is None and not permissions.granted(handler_input, permissions.TIMERS):
        return _ask_permission(kind, seconds, revoked=False)
    session = RunningPractice(label=timer_label(kind, uuid.uuid4().hex[:4]), kind=kind.id, seconds=seconds,
                             started_at=now)
    reason = None
    if answer in (None, permissions.ACCEPTED):
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
    return Reply.from_template(
        "timer_started", length=spoken_length(seconds), reminder=kind.reminder, timer_set=reason is None,
        reason=reason, retry=answer == permissions.ACCEPTED, one_shot=one_shot, card_title=CARD_TITLE,
        end_session=one_shot, consent_card=(permissions.TIMERS,) if reason == "denied" else (),
        **_speech_values(kind, cat))


class StartPracticeHandler(IntentHandler):
    """"start a two minute outdoor session", "start a session", and the length when asked for one."""

    intents = frozenset({"StartSessionIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        cat, step = _cat(handler_input, state)
        asked = state.pending
        kind_id = slots.resolved_id(handler_input, "kind")
        if kind_id is None and asked is not None and asked.ask == Ask.PRACTICE_LENGTH:
            kind_id = asked.practice_kind
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
            state.pending = Pending(Ask.CONFIRM_LONG_PRACTICE, practice_kind=kind.id, seconds=seconds)
            return Reply.from_template(
                "timer_confirm_long", length=spoken_length(seconds), suggested=spoken_length(kind.suggested_seconds),
                most=spoken_length(kind.max_advised_seconds), **_speech_values(kind, cat))
        return begin(handler_input, state, kind, seconds, one_shot=one_shot)


def _confirmed(pending: Pending) -> tuple[PracticeKind, int] | None:
    kind = kinds().get(pending.practice_kind or "")
    if kind is None or pending.seconds is None:
        return None
    return kind, pending.seconds


def _yes_to_long(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    confirmed = _confirmed(pending)
    if confirmed is None:
        cat, step = _cat(handler_input, state)
        return _ask_length(state, kind_for(None, step), cat)
    return begin(handler_input, state, *confirmed)


def _no_to_long(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    cat, step = _cat(handler_input, state)
    confirmed = _confirmed(pending)
    return _ask_length(state, confirmed[0] if confirmed else kind_for(None, step), cat)


class PermissionAnswerHandler(AbstractRequestHandler):
    """Connections.Response to our AskFor: start the session with the timer, or without it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return permissions.answer(handler_input, TOKEN_PREFIX) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        state = SessionState.of(handler_input)
        answer, token = permissions.answer(handler_input, TOKEN_PREFIX) or (permissions.NOT_ANSWERED, "")
        _, kind_id, seconds = (token.split(":") + ["", ""])[:3]
        check = check_length(iso_duration(int(seconds)) if seconds.isdigit() else None)
        cat, step = _cat(handler_input, state)
        kind = kind_for(kind_id, step)
        if not check.ok:
            return respond(handler_input, _ask_length(state, kind, cat))
        return respond(handler_input, begin(handler_input, state, kind, check.seconds or 0, answer=answer))


# -- while it runs -----------------------------------------------------------------------------------

def _none_running(handler_input: HandlerInput, state: SessionState) -> Reply:
    cat, step = _cat(handler_input, state)
    kind = kind_for(None, step)
    state.pending = None
    return Reply.from_template("timer_none_running", kind=kind.spoken, suggested=spoken_length(kind.suggested_seconds))


class TimeLeftHandler(IntentHandler):
    intents = frozenset({"TimeLeftIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        now = _now(handler_input)
        session = _running(handler_input, state, now)
        if session is None:
            return _none_running(handler_input, state)
        cat, _ = _cat(handler_input, state)
        left = _timer_left(handler_input, session, now)
        over = left is None or left <= 0
        return Reply.from_template("timer_time_left", left=spoken_length(left or 0), over=over,
                                   paused=session.paused and not over, end_session=one_shot,
                                   **_speech_values(kinds()[session.kind], cat))


class PauseResumeHandler(IntentHandler):
    intents = frozenset({"AMAZON.PauseIntent", "AMAZON.ResumeIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        now = _now(handler_input)
        session = _running(handler_input, state, now)
        if session is None:
            return _none_running(handler_input, state)
        resuming = intent_name(handler_input) == "AMAZON.ResumeIntent"
        session.resume(now) if resuming else session.pause(now)
        timer_id = session.timer_id
        timer_set = timer_id is not None
        if timer_id is not None:
            try:
                timers = AlexaTimers.for_request(handler_input)
                found = timers.resume(timer_id) if resuming else timers.pause(timer_id)
                timer_set = found
                if not found:
                    session.timer_id = None
            except (TimersPermissionMissing, TimersUnavailable):
                timer_set = False
        _store(state, session)
        state.pending = None
        return Reply.from_template("timer_paused", resumed=resuming, left=spoken_length(session.remaining(now)),
                                   timer_set=timer_set, end_session=one_shot)


# -- ending and logging -----------------------------------------------------------------------------

def finish(handler_input: HandlerInput, state: SessionState, session: RunningPractice) -> Reply:
    """Cancel the timer (if it has not rung), then ask how it went; logging waits for the answer."""
    now = _now(handler_input)
    if session.timer_id is not None:
        try:
            AlexaTimers.for_request(handler_input).delete(session.timer_id)
        except (TimersPermissionMissing, TimersUnavailable) as error:
            log.warning("could not cancel timer %s: %s", session.timer_id, error)
    practised = session.elapsed(now)
    _store(state, None)
    state.pending = Pending(Ask.PRACTICE_OUTCOME, practice_kind=session.kind, seconds=practised)
    cat, _ = _cat(handler_input, state)
    return Reply.from_template("timer_how_did_it_go", practised=spoken_length(practised) if practised else None,
                               cat=cat)


class StopPracticeHandler(IntentHandler):
    """"stop the session", "she's had enough": end the practice, not the skill."""

    intents = frozenset({"StopSessionIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        session = _running(handler_input, state, _now(handler_input))
        if session is None:
            return _none_running(handler_input, state)
        return finish(handler_input, state, session)


class StopWhileTimingHandler(IntentHandler):
    """"we're done" is also a built-in Stop phrase: while a session is being timed, it ends the session.

    Only a session timed in this Alexa session counts (no API call decides whether "stop" exits),
    so plain "stop" everywhere else still closes the skill at once.
    """

    intents = frozenset({"AMAZON.StopIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and SessionState.of(handler_input).practice is not None

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        session = _stored(state)
        if session is None:
            state.practice = None
            return Reply.from_template("goodbye", end_session=True)
        return finish(handler_input, state, session)


class OutcomeHandler(IntentHandler):
    """"calm", "a little stressed", "she was scared": log the practice that just ended."""

    intents = frozenset({"SessionOutcomeIntent", "LogPracticeIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if intent_name(handler_input) == "LogPracticeIntent":
            return SessionState.of(handler_input).asks(Ask.PRACTICE_OUTCOME)
        return super().can_handle(handler_input)

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        cat, _ = _cat(handler_input, state)
        outcome = slots.resolved_id(handler_input, "outcome")
        if outcome not in training.OUTCOMES:
            return Reply.from_template("timer_outcome_unclear", cat=cat)
        pending = state.pending if state.asks(Ask.PRACTICE_OUTCOME) else None
        kind = kinds().get(pending.practice_kind or "") if pending else None
        practised = pending.seconds if pending else None
        return log_outcome(
            handler_input, state, outcome, seconds=practised, practice_kind=kind.id if kind else None,
            template="timer_logged", one_shot=one_shot, says_if_unsaved=True, cat=cat,
            kind=kind.spoken if kind else "practice", practised=spoken_length(practised) if practised else None)


HANDLERS: list[AbstractRequestHandler] = [
    StopWhileTimingHandler(),
    PermissionAnswerHandler(),
    StartPracticeHandler(),
    TimeLeftHandler(),
    PauseResumeHandler(),
    StopPracticeHandler(),
    OutcomeHandler(),
]
YES_NO = {
    Ask.CONFIRM_LONG_PRACTICE: YesNo(yes=_yes_to_long, no=_no_to_long),
}
