"""Telling the coach where training is, how practice went, and hearing how the cat is doing.

Handlers translate a request into one call of the pure rules in ``skill.progress`` through
``skill.household`` (which owns reading and saving). Questions only read; only turns that change
progress write. When saving fails the user hears so, and the answer never pretends it was saved.
Resetting and deleting are confirmed with a yes/no question first (``state.pending``
``confirm:reset``, ``confirm:delete``, ``confirm:add:<name>``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from skill import household, slots
from skill.content import guide
from skill.dialogue import Reply, Screen, SessionState
from skill.handlers.base import IntentHandler, PendingAnswerHandler, intent_name
from skill.handlers.questions import answer_free_text
from skill.household import SaveFailed
from skill.progress import (
    OUTCOMES,
    TOTAL_STEPS,
    CatProgress,
    Household,
    add_cat,
    clean_name,
    find_cat,
    finish_step,
    log_practice,
    name_active_cat,
    reset_active_cat,
    set_step,
    summarize,
    switch_cat,
)

CONFIRM = "confirm"
# Longest practice a spoken duration may record; anything longer was misheard.
MAX_PRACTICE_SECONDS = 4 * 3600


def who(cat: CatProgress) -> str:
    return cat.name or "your cat"


def _context(handler_input: HandlerInput, cat: CatProgress) -> dict[str, Any]:
    """What every progress template may use: the cat's name and its step from the guide."""
    step = guide().step(cat.step)
    return {"who": who(cat), "Who": who(cat)[:1].upper() + who(cat)[1:], "step": step, "total": TOTAL_STEPS}


def _not_saved(state: SessionState, what: str = "save", unsure: bool = False) -> Reply:
    state.pending = None
    return Reply.from_template("progress_not_saved", what=what, unsure=unsure, remember=False)


def _offer_step(state: SessionState, number: int) -> None:
    """After a change of step, "yes" reads the step the household is now on."""
    state.pending = f"step:{number}"
    state.more = None


class ProgressIntentHandler(IntentHandler):
    """Shared helper: run a change through ``household.update`` or answer that it wasn't saved."""

    def save(self, handler_input: HandlerInput, state: SessionState,
             change: Callable[[Household], Any]) -> tuple[bool, Any]:
        try:
            return True, household.update(handler_input, change)
        except SaveFailed as error:
            return False, _not_saved(state, unsure=error.unsure)


def _cat_asked_about(handler_input: HandlerInput, home: Household, state: SessionState) -> CatProgress | Reply:
    """The cat a question names ("how is Milo doing?"), the active cat when none is named, or the
    reply saying no such cat is known yet."""
    asked = slots.text(handler_input, "name")
    if not asked:
        return home.active_cat
    key = find_cat(home, asked)
    if key is not None:
        return home.cats[key]
    state.pending = None
    return Reply.from_template("progress_unknown_cat", cat_name=clean_name(asked), known=home.names())


class CurrentStepHandler(IntentHandler):
    """ "What step are we on?" -- a pure question: reads (once per session), never writes."""

    intents = frozenset({"CurrentStepIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        home = household.current(handler_input)
        cat = _cat_asked_about(handler_input, home, state)
        if isinstance(cat, Reply):
            return cat
        if not one_shot and cat is home.active_cat and cat.finished_on is None:
            _offer_step(state, cat.step)
        else:
            state.pending = None
        return Reply.from_template(
            "progress_where", **_context(handler_input, cat), finished=cat.finished_on is not None,
            unavailable=not household.available(handler_input), one_shot=one_shot, end_session=one_shot)


class SetStepHandler(ProgressIntentHandler):
    """ "We're on step three", "go back to step two": the owner's word sets the step."""

    intents = frozenset({"SetStepIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        number = slots.number(handler_input, "step")
        if number is None or not 1 <= number <= TOTAL_STEPS:
            state.pending = None
            return Reply.from_template("no_such_step" if number else "missing_step", number=number or 0,
                                       total=TOTAL_STEPS)
        today = household.today(handler_input)
        saved, change = self.save(handler_input, state, lambda home: set_step(home, number, today))
        if not saved:
            return change
        cat = household.current(handler_input).active_cat
        _offer_step(state, number)
        return Reply.from_template("progress_step_set", **_context(handler_input, cat), back=change.back,
                                   same=change.previous == change.step, one_shot=one_shot, end_session=one_shot)


class FinishedStepHandler(ProgressIntentHandler):
    """ "We finished step one" / "she's ready for the next step" / "my cat is comfortable in the harness now".

    Moving on is the owner's decision; when the log does not yet show calm practice over several
    days the answer says so gently, and how to step back if needed.
    """

    intents = frozenset({"FinishedStepIntent", "MilestoneIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        number = self._finished(handler_input)
        if intent_name(handler_input) == "MilestoneIntent" and number is None:
            heard = slots.text(handler_input, "milestone")
            if heard:
                return answer_free_text(heard, state, one_shot=one_shot)
            state.pending = None
            return Reply.from_template("progress_missing", kind="milestone")
        if number is not None and not 1 <= number <= TOTAL_STEPS:
            state.pending = None
            return Reply.from_template("no_such_step", number=number, total=TOTAL_STEPS)
        today = household.today(handler_input)
        saved, result = self.save(handler_input, state, lambda home: finish_step(home, today, number))
        if not saved:
            return result
        cat = household.current(handler_input).active_cat
        if result.all_done or result.already_past or one_shot:
            state.pending = None
        else:
            _offer_step(state, result.step)
        return Reply.from_template(
            "progress_finished", **_context(handler_input, cat), result=result,
            finished_step=guide().step(result.finished), one_shot=one_shot, end_session=one_shot)

    @staticmethod
    def _finished(handler_input: HandlerInput) -> int | None:
        if intent_name(handler_input) == "MilestoneIntent":
            milestone = slots.resolved_id(handler_input, "milestone")
            return int(milestone) if milestone and milestone.isdigit() else None
        return slots.number(handler_input, "step")


def _seconds(handler_input: HandlerInput) -> int | None:
    value = slots.text(handler_input, "duration")
    if value is None:
        return None
    import isodate  # here, not at the top: only practice logs with a length parse durations

    try:
        seconds = int(isodate.parse_duration(value).total_seconds())
    except (isodate.ISO8601Error, ValueError, AttributeError):
        return None
    return seconds if 0 < seconds <= MAX_PRACTICE_SECONDS else None


class LogPracticeHandler(ProgressIntentHandler):
    """ "That went well", "she got scared": a practice session at the current step, with advice."""

    intents = frozenset({"LogPracticeIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        outcome = slots.resolved_id(handler_input, "outcome")
        if outcome not in OUTCOMES:
            state.pending = None
            return Reply.from_template("progress_missing", kind="outcome")
        seconds = _seconds(handler_input)
        today = household.today(handler_input)
        saved, result = self.save(handler_input, state, lambda home: log_practice(
            home, outcome=outcome, today=today, seconds=seconds,
            kind=(guide().step(home.active_cat.step) or guide().steps[0]).session_kind))
        if not saved:
            return result
        cat = household.current(handler_input).active_cat
        state.pending = None
        return Reply.from_template(
            "progress_logged", **_context(handler_input, cat), outcome=outcome, seconds=seconds,
            summary=summarize(cat, today), one_shot=one_shot, end_session=one_shot)


class SummaryHandler(IntentHandler):
    """ "How is my cat doing?" -- sessions at this step, calm streak, days since starting, advice."""

    intents = frozenset({"ProgressSummaryIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        home = household.current(handler_input)
        cat = _cat_asked_about(handler_input, home, state)
        if isinstance(cat, Reply):
            return cat
        state.pending = None
        others = [c.name for key, c in home.cats.items() if c is not cat and c.name]
        reply = Reply.from_template(
            "progress_summary", **_context(handler_input, cat), summary=summarize(cat, household.today(handler_input)),
            others=others, unavailable=not household.available(handler_input), one_shot=one_shot,
            end_session=one_shot)
        reply.screen = Screen("progress")
        return reply


class CatNameHandler(ProgressIntentHandler):
    """ "My cat's name is Luna": the name is used in speech from now on."""

    intents = frozenset({"CatNameIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        name = slots.cat_name(handler_input)
        if name is None:
            state.pending = None
            return Reply.from_template("progress_missing", kind="name")
        saved, result = self.save(handler_input, state, lambda home: name_active_cat(home, name))
        if not saved:
            return result
        state.pending = None
        return Reply.from_template("progress_named", **_context(handler_input, result.cat), kind=result.kind,
                                   one_shot=one_shot, end_session=one_shot)


class SwitchCatHandler(ProgressIntentHandler):
    """ "Switch to Milo": a known cat is switched to; an unknown name is confirmed before it is added."""

    intents = frozenset({"SwitchCatIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        name = slots.cat_name(handler_input)
        if name is None:
            state.pending = None
            return Reply.from_template("progress_missing", kind="name")
        home = household.current(handler_input)
        if find_cat(home, name) is None:
            if one_shot:
                return Reply.from_template("progress_unknown_cat", cat_name=clean_name(name), known=home.names(),
                                           end_session=True)
            state.pending = f"{CONFIRM}:add:{name}"
            return Reply.from_template("progress_confirm", what="add", cat_name=clean_name(name), who=who(home.active_cat))
        if home.cats[find_cat(home, name) or ""] is home.active_cat:
            state.pending = None
            return Reply.from_template("progress_switched", **_context(handler_input, home.active_cat),
                                       added=False, already=True)
        saved, result = self.save(handler_input, state, lambda h: switch_cat(h, name))
        if not saved:
            return result
        state.pending = None
        return Reply.from_template("progress_switched", **_context(handler_input, result), added=False,
                                   already=False, end_session=one_shot)


class ResetProgressHandler(IntentHandler):
    intents = frozenset({"ResetProgressIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        cat = household.current(handler_input).active_cat
        state.pending = f"{CONFIRM}:reset"
        return Reply.from_template("progress_confirm", what="reset", cat_name=None, who=who(cat))


class DeleteDataHandler(IntentHandler):
    intents = frozenset({"DeleteDataIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        state.pending = f"{CONFIRM}:delete"
        return Reply.from_template("progress_confirm", what="delete", cat_name=None, who="your cat")


class YesToConfirmHandler(PendingAnswerHandler, ProgressIntentHandler):
    """Yes to "shall I reset / delete / add?": only now does anything change."""

    intents = frozenset({"AMAZON.YesIntent"})
    pending_prefix = CONFIRM

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        _, what, name = ((state.pending or "").split(":", 2) + ["", ""])[:3]
        state.pending = None
        today = household.today(handler_input)
        if what == "delete":
            try:
                household.delete(handler_input)
            except SaveFailed:
                return _not_saved(state, "delete")
            return Reply.from_template("progress_confirmed", what="delete", who="your cat", step=guide().step(1))
        if what == "add" and name:
            saved, result = self.save(handler_input, state, lambda home: add_cat(home, name, today))
        else:
            saved, result = self.save(handler_input, state, lambda home: reset_active_cat(home, today))
        if not saved:
            return result
        _offer_step(state, 1)
        return Reply.from_template("progress_confirmed", what="add" if what == "add" else "reset",
                                   **_context(handler_input, result))


class NoToConfirmHandler(PendingAnswerHandler):
    intents = frozenset({"AMAZON.NoIntent"})
    pending_prefix = CONFIRM

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        what = (state.pending or "").split(":")[1:2] or ["reset"]
        state.pending = None
        return Reply.from_template("progress_kept", what=what[0])


class ConfirmationExpiry(AbstractRequestInterceptor):
    """A reset/delete confirmation only stands for the very next answer.

    If the user says something else first, a later stray "yes" must not wipe their progress, so
    any intent other than yes, no, repeat or help drops a pending confirmation.
    """

    KEEPS = frozenset({"AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.RepeatIntent", "AMAZON.HelpIntent"})

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is None:
            return
        state = SessionState.of(handler_input)
        pending = state.pending or ""
        if pending.startswith(CONFIRM + ":") and intent_name(handler_input) not in self.KEEPS:
            state.pending = None


HANDLERS = [
    YesToConfirmHandler(),
    NoToConfirmHandler(),
    CurrentStepHandler(),
    SetStepHandler(),
    FinishedStepHandler(),
    LogPracticeHandler(),
    SummaryHandler(),
    CatNameHandler(),
    SwitchCatHandler(),
    ResetProgressHandler(),
    DeleteDataHandler(),
]
INTERCEPTORS = [ConfirmationExpiry()]


def welcome_back(handler_input: HandlerInput, state: SessionState) -> Reply | None:
    """Launch for a returning household: where the active cat left off. None for a new user.

    This is the session's one read of the store; every later turn uses the cached copy.
    """
    home = household.current(handler_input)
    notice = household.take_notice(handler_input)
    if notice is None and not home.has_progress:
        return None
    cat = home.active_cat
    summary = summarize(cat, household.today(handler_input))
    state.pending = None if summary.finished else f"step:{cat.step if notice is None else 1}"
    others = [c.name for c in home.cats.values() if c is not cat and c.name]
    return Reply.from_template("welcome_back", **_context(handler_input, cat), notice=notice, summary=summary,
                               others=others)
