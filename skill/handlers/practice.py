"""Timed practices: start, time left, pause, resume, stop, and how it went.

"Start a two minute outdoor session" confirms, gives one safety reminder for that kind of
practice and sets a real Alexa timer that announces the end on the device, even after the Alexa
session has closed. Without the timers permission the skill asks for it by voice
(``permissions.ask_for``); when the owner says no, or the Timers API is down, the skill still
keeps time in the Alexa session, so the rest of the conversation works the same.

"We're done" cancels the timer, asks how it went and logs the practice to progress with the time
actually practised (through ``progress.log_outcome``). A practice ahead of the cat's step is
explained first and started only if the owner insists. A scare while it runs ends it at once
(``end_now``). The running practice is kept with the household, so the next launch asks how it
went (``welcome_back``), and in session attributes for the turns of this Alexa session. The
clock is the request timestamp throughout.
"""
from __future__ import annotations

import dataclasses
import datetime
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill import permissions, slots, storage, training
from skill.alexa_timers import AlexaTimers, TimersFull, TimersPermissionMissing, TimersUnavailable
from skill.dialogue import Ask, Pending, Reply, Screen, SessionState, respond
from skill.handlers.base import IntentHandler, intent_name
from skill.handlers.progress import log_outcome
from skill.handlers.yes_no import YesNo
from skill.practice import (
    AHEAD,
    ASK,
    RUNNING,
    STALE,
    PracticeKind,
    RunningPractice,
    announce_text,
    check_length,
    easier_kind,
    ending_topics,
    fit,
    is_far_beyond_advice,
    iso_duration,
    kind_for,
    kind_from_label,
    kinds,
    posix,
    possessive,
    spoken_length,
    status,
    step_of,
    timer_label,
)
from skill.training import Household

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


def _keep(handler_input: HandlerInput, state: SessionState, session: RunningPractice | None) -> None:
    """Keep the practice for this Alexa session and with the household, for the next one.

    A failed save is only logged: the practice still runs in this Alexa session.
    """
    _store(state, session)
    stored = session.to_dict() if session else None
    if storage.current(handler_input).practice == stored:
        return

    def change(home: Household) -> None:
        home.practice = stored

    try:
        storage.update(handler_input, change)
    except storage.SaveFailed as error:
        log.warning("could not keep the running practice with the household: %s", error)


def _from_household(handler_input: HandlerInput) -> RunningPractice | None:
    return RunningPractice.from_dict(storage.current(handler_input).practice)


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
    """The practice in progress: this Alexa session's, the household's (not yet ended), or the API's."""
    session = _stored(state)
    if session is None:
        kept = _from_household(handler_input)
        session = kept if kept is not None and kept.ended_at is None and status(kept, now) != STALE else None
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

def _ask_length(state: SessionState, kind: PracticeKind, cat: str | None, cat_step: int | None,
                problem: str | None = None, *, insisted: bool = False) -> Reply:
    """How long? The suggestion is always the cat's current step's."""
    state.pending = Pending(Ask.PRACTICE_LENGTH, practice_kind=kind.id, insisted=insisted)
    step = step_of(cat_step)
    template = "timer_bad_length" if problem else "timer_ask_length"
    return Reply.from_template(template, problem=problem, step=step.number,
                               suggested=spoken_length(step.suggested_seconds), **_speech_values(kind, cat))


def _ask_permission(kind: PracticeKind, seconds: int, *, revoked: bool, ahead: bool) -> Reply:
    token = f"{TOKEN_PREFIX}:{kind.id}:{seconds}:{'ahead' if ahead else ''}"
    return Reply.from_template("timer_permission", revoked=revoked, card_title=CARD_TITLE,
                               permission_request=permissions.ask_for(permissions.TIMERS, token))


def begin(handler_input: HandlerInput, state: SessionState, kind: PracticeKind, seconds: int, *,
          one_shot: bool = False, answer: str | None = None, ahead: bool = False) -> Reply:
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
        return _ask_permission(kind, seconds, revoked=False, ahead=ahead)
    session = RunningPractice(label=timer_label(kind, uuid.uuid4().hex[:8]), kind=kind.id, seconds=seconds,
                              started_at=now, ahead=ahead)
    if ahead:
        log.info("practice started ahead of the cat's step at the owner's request: %s", kind.id)
    reason = None
    if answer in (None, permissions.ACCEPTED):
        try:
            timer = AlexaTimers.for_request(handler_input).create(
                label=session.label, seconds=seconds, announce=announce_text(kind, cat),
                locale=_locale(handler_input))
            session.timer_id = timer.id
        except TimersPermissionMissing:
            if answer is None:
                return _ask_permission(kind, seconds, revoked=True, ahead=ahead)
            reason = "denied"
        except TimersFull:
            reason = "full"
        except TimersUnavailable:
            reason = "unavailable"
    else:
        reason = "denied"
    _keep(handler_input, state, session)
    state.pending = None
    return _showing_practice(Reply.from_template(
        "timer_started", length=spoken_length(seconds), reminder=kind.reminder, timer_set=reason is None,
        reason=reason, retry=answer == permissions.ACCEPTED, one_shot=one_shot, card_title=CARD_TITLE,
        end_session=one_shot, consent_card=(permissions.TIMERS,) if reason == "denied" else (),
        **_speech_values(kind, cat)))


def _showing_practice(reply: Reply) -> Reply:
    """On a device with a screen, the running practice with its countdown (``skill.screens`` builds it)."""
    reply.screen = Screen("session")
    return reply


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
        insisted = asked is not None and asked.insisted and asked.practice_kind == kind.id
        raw = slots.text(handler_input, "duration")
        check = check_length(raw)
        if fit(kind, step) == AHEAD and not insisted:
            return _explain_ahead(state, kind, check.seconds, cat, step)
        if not check.ok:
            return _ask_length(state, kind, cat, step, problem=None if raw is None else check.problem,
                               insisted=insisted)
        return _checked_start(handler_input, state, kind, check.seconds or 0, one_shot=one_shot, ahead=insisted)


def _checked_start(handler_input: HandlerInput, state: SessionState, kind: PracticeKind, seconds: int, *,
                   one_shot: bool = False, ahead: bool = False) -> Reply:
    """Start, unless the length is beyond the advice for the cat's step: then the owner decides."""
    cat, step = _cat(handler_input, state)
    if is_far_beyond_advice(seconds, step):
        advice = step_of(step)
        state.pending = Pending(Ask.CONFIRM_LONG_PRACTICE, practice_kind=kind.id, seconds=seconds, insisted=ahead)
        return Reply.from_template(
            "timer_confirm_long", length=spoken_length(seconds), suggested=spoken_length(advice.suggested_seconds),
            most=spoken_length(advice.max_advised_seconds), **_speech_values(kind, cat))
    return begin(handler_input, state, kind, seconds, one_shot=one_shot, ahead=ahead)


def _explain_ahead(state: SessionState, kind: PracticeKind, seconds: int | None, cat: str | None,
                   cat_step: int | None) -> Reply:
    """A practice ahead of the cat's step: what comes first, the practice that fits, and a yes/no."""
    current = step_of(cat_step)
    fitting = kinds()[current.session_kind]
    state.pending = Pending(Ask.CONFIRM_EARLY_PRACTICE, practice_kind=kind.id, seconds=seconds)
    return Reply.from_template(
        "practice_ahead", wanted_step=kind.step, step=current, fitting=fitting.spoken,
        suggested=spoken_length(current.suggested_seconds), cat=cat, **_speech_values(kind, cat))


def _confirmed(pending: Pending) -> tuple[PracticeKind, int] | None:
    kind = kinds().get(pending.practice_kind or "")
    if kind is None or pending.seconds is None:
        return None
    return kind, pending.seconds


def _yes_to_long(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    confirmed = _confirmed(pending)
    if confirmed is None:
        cat, step = _cat(handler_input, state)
        return _ask_length(state, kind_for(None, step), cat, step)
    return begin(handler_input, state, *confirmed, ahead=pending.insisted)


def _no_to_long(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    cat, step = _cat(handler_input, state)
    confirmed = _confirmed(pending)
    return _ask_length(state, confirmed[0] if confirmed else kind_for(None, step), cat, step,
                       insisted=pending.insisted)


def _yes_to_early(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    """The owner insists on a practice ahead of the cat's step: their call, noted on the practice."""
    cat, step = _cat(handler_input, state)
    kind = kinds().get(pending.practice_kind or "") or kind_for(None, step)
    if pending.seconds is None:
        return _ask_length(state, kind, cat, step, insisted=True)
    return _checked_start(handler_input, state, kind, pending.seconds, ahead=True)


def _no_to_early(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    cat, step = _cat(handler_input, state)
    return _ask_length(state, kind_for(None, step), cat, step)


class PermissionAnswerHandler(AbstractRequestHandler):
    """Connections.Response to our AskFor: start the session with the timer, or without it."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return permissions.answer(handler_input, TOKEN_PREFIX) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        state = SessionState.of(handler_input)
        answer, token = permissions.answer(handler_input, TOKEN_PREFIX) or (permissions.NOT_ANSWERED, "")
        _, kind_id, seconds, ahead = (token.split(":") + ["", "", ""])[:4]
        check = check_length(iso_duration(int(seconds)) if seconds.isdigit() else None)
        cat, step = _cat(handler_input, state)
        kind = kind_for(kind_id, step)
        if not check.ok:
            return respond(handler_input, _ask_length(state, kind, cat, step))
        return respond(handler_input, begin(handler_input, state, kind, check.seconds or 0, answer=answer,
                                            ahead=ahead == "ahead"))


# -- while it runs -----------------------------------------------------------------------------------

def _none_running(handler_input: HandlerInput, state: SessionState) -> Reply:
    cat, step = _cat(handler_input, state)
    kind = kind_for(None, step)
    state.pending = None
    return Reply.from_template("timer_none_running", kind=kind.spoken,
                               suggested=spoken_length(step_of(step).suggested_seconds))


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
        return _showing_practice(Reply.from_template(
            "timer_time_left", left=spoken_length(left or 0), over=over, paused=session.paused and not over,
            end_session=one_shot, **_speech_values(kinds()[session.kind], cat)))


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
        _keep(handler_input, state, session)
        state.pending = None
        return _showing_practice(Reply.from_template(
            "timer_paused", resumed=resuming, left=spoken_length(session.remaining(now)), timer_set=timer_set,
            end_session=one_shot))


# -- ending and logging -----------------------------------------------------------------------------

def _cancel_timer(handler_input: HandlerInput, session: RunningPractice) -> bool:
    """Cancel the practice's Alexa timer (DELETE /v1/alerts/timers/{id}); True if one was running."""
    if session.timer_id is None:
        return False
    try:
        return AlexaTimers.for_request(handler_input).delete(session.timer_id)
    except (TimersPermissionMissing, TimersUnavailable) as error:
        log.warning("could not cancel timer %s: %s", session.timer_id, error)
        return False


def _end(handler_input: HandlerInput, session: RunningPractice, now: float) -> int:
    """End the practice now (or when its timer rang, if earlier) and return its real length."""
    _cancel_timer(handler_input, session)
    session.ended_at = min(now, session.due_at)
    return session.practised(now)


def finish(handler_input: HandlerInput, state: SessionState, session: RunningPractice) -> Reply:
    """Cancel the timer (if it has not rung), then ask how it went; logging waits for the answer."""
    practised = _end(handler_input, session, _now(handler_input))
    _keep(handler_input, state, session)
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
    """"calm", "a little stressed", "she was scared" after "how did it go?": log the practice that just
    ended. Said when nothing asked for it, an outcome is a practice report (``progress.LogPracticeHandler``)."""

    intents = frozenset({"SessionOutcomeIntent", "LogPracticeIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and SessionState.of(handler_input).asks(Ask.PRACTICE_OUTCOME)

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
            template="timer_logged", one_shot=one_shot, says_if_unsaved=True, ends_practice=pending is not None,
            cat=cat, kind=kind.spoken if kind else "practice",
            practised=spoken_length(practised) if practised else None)


def end_now(handler_input: HandlerInput, state: SessionState, otherwise: Callable[[], Reply]) -> Reply:
    """A scare while a practice runs: the action first, the timer cancelled, a scared practice logged.

    ``otherwise`` gives the answer the turn would have had; it stands when no practice runs.
    """
    now = _now(handler_input)
    session = _running(handler_input, state, now)
    if session is None:
        state.practice = None
        return otherwise()
    had_timer = session.timer_id is not None
    practised = _end(handler_input, session, now)
    _store(state, None)
    cat, step = _cat(handler_input, state)
    kind = kinds()[session.kind]
    easier = easier_kind(kind, step)
    return log_outcome(
        handler_input, state, "scared", seconds=practised, practice_kind=kind.id, template="practice_scared",
        one_shot=False, says_if_unsaved=True, ends_practice=True, cat=cat, timer=had_timer, easier=easier.spoken,
        easier_length=spoken_length(easier.step.suggested_seconds))


def end_if_scared(handler_input: HandlerInput, state: SessionState, reply: Reply) -> Reply:
    """The turn's answer, unless its topic is one that ends a running practice (a scare, a crisis).

    Ending it changes what is said, not what is shown: the card and the screen still carry the
    topic's long version, so the owner can read the rest of the advice once the cat is safe."""
    if reply.topic not in ending_topics():
        return reply
    ended = end_now(handler_input, state, lambda: reply)
    if ended is reply:
        return reply
    return dataclasses.replace(ended, card_title=reply.card_title, card_text=reply.card_text, screen=reply.screen,
                               topic=reply.topic)


def welcome_back(handler_input: HandlerInput, state: SessionState, home: Household) -> Reply | None:
    """Launch with a practice kept from an earlier Alexa session: still running, ask how it went, or
    (hours old) close it quietly and let the usual welcome speak."""
    session = RunningPractice.from_dict(home.practice)
    now = _now(handler_input)
    found = status(session, now) if session is not None else STALE
    if session is None or found == STALE:
        _keep(handler_input, state, None)
        return None
    cat, _ = _cat(handler_input, state)
    kind = kinds()[session.kind]
    if found == RUNNING:
        _store(state, session)
        state.pending = None
        return Reply.from_template("practice_still_running", left=spoken_length(session.remaining(now)),
                                   **_speech_values(kind, cat))
    assert found == ASK
    practised = session.practised(now)
    state.pending = Pending(Ask.PRACTICE_OUTCOME, practice_kind=kind.id, seconds=practised)
    return Reply.from_template("practice_how_did_it_go", cat=cat, practised=spoken_length(practised),
                               **_speech_values(kind, cat))


def cancel_practice(handler_input: HandlerInput, state: SessionState) -> None:
    """Reset or delete-my-data: the practice's timer is cancelled and the practice forgotten here
    (the caller's own write drops it from the household)."""
    session = _stored(state) or _from_household(handler_input)
    if session is not None:
        _cancel_timer(handler_input, session)
    _store(state, None)


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
    Ask.CONFIRM_EARLY_PRACTICE: YesNo(yes=_yes_to_early, no=_no_to_early),
}
