"""Telling the coach where training is, how practice went, and hearing how the cat is doing.

Handlers translate a request into one call of the pure rules in ``skill.training`` through
``skill.storage`` (which owns reading and saving). Questions only read; only turns that change
progress write. When saving fails the user hears so, and the answer never pretends it was saved.
Resetting, deleting and adding a cat are confirmed with a yes/no question first; what "yes" and
"no" do to them is registered in ``YES_NO``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill import slots, storage
from skill.content import guide
from skill.dialogue import Ask, Pending, Reply, Screen, SessionState
from skill.handlers.base import IntentHandler, intent_name
from skill.handlers.questions import answer_free_text
from skill.handlers.yes_no import YesNo
from skill.replies import cat_context, who
from skill.storage import SaveFailed
from skill.training import (
    OUTCOMES,
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

# Longest practice a spoken duration may record; anything longer was misheard.
MAX_PRACTICE_SECONDS = 4 * 3600


def _last_step() -> int:
    return len(guide().steps)


def _not_saved(state: SessionState, what: str = "save", unsure: bool = False) -> Reply:
    state.pending = None
    return Reply.from_template("progress_not_saved", what=what, unsure=unsure, repeatable=False)


def _offer_step(state: SessionState, number: int) -> None:
    """After a change of step, "yes" reads the step the household is now on."""
    state.pending = Pending(Ask.STEP, step=number)
    state.more = None


def save(handler_input: HandlerInput, state: SessionState, change: Callable[[Household], Any]) -> tuple[bool, Any]:
    """Run a change through ``storage.update``; ``(False, reply)`` says it wasn't saved."""
    try:
        return True, storage.update(handler_input, change)
    except SaveFailed as error:
        return False, _not_saved(state, unsure=error.unsure)


class ProgressIntentHandler(IntentHandler):
    """A handler whose turn may change progress: ``self.save`` is ``save`` above."""

    def save(self, handler_input: HandlerInput, state: SessionState,
             change: Callable[[Household], Any]) -> tuple[bool, Any]:
        return save(handler_input, state, change)


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
        home = storage.current(handler_input)
        cat = _cat_asked_about(handler_input, home, state)
        if isinstance(cat, Reply):
            return cat
        if not one_shot and cat is home.active_cat and cat.finished_on is None:
            _offer_step(state, cat.step)
        else:
            state.pending = None
        return Reply.from_template(
            "progress_where", **cat_context(cat), finished=cat.finished_on is not None,
            unavailable=not storage.available(handler_input), one_shot=one_shot, end_session=one_shot)


class SetStepHandler(ProgressIntentHandler):
    """ "We're on step three", "go back to step two": the owner's word sets the step."""

    intents = frozenset({"SetStepIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        number = slots.number(handler_input, "step")
        if number is None or not 1 <= number <= _last_step():
            state.pending = None
            return Reply.from_template("no_such_step" if number else "missing_step", number=number or 0,
                                       total=_last_step())
        today = storage.today(handler_input)
        saved, change = self.save(handler_input, state,
                                  lambda home: set_step(home, number, today, last_step=_last_step()))
        if not saved:
            return change
        cat = storage.current(handler_input).active_cat
        _offer_step(state, number)
        return Reply.from_template("progress_step_set", **cat_context(cat), back=change.back,
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
        if number is not None and not 1 <= number <= _last_step():
            state.pending = None
            return Reply.from_template("no_such_step", number=number, total=_last_step())
        today = storage.today(handler_input)
        saved, result = self.save(handler_input, state,
                                  lambda home: finish_step(home, today, number, last_step=_last_step()))
        if not saved:
            return result
        cat = storage.current(handler_input).active_cat
        if result.all_done or result.already_past or one_shot:
            state.pending = None
        else:
            _offer_step(state, result.step)
        return Reply.from_template(
            "progress_finished", **cat_context(cat), result=result,
            finished_step=guide().step(result.finished), one_shot=one_shot, end_session=one_shot)

    @staticmethod
    def _finished(handler_input: HandlerInput) -> int | None:
        if intent_name(handler_input) == "MilestoneIntent":
            milestone = slots.resolved_id(handler_input, "milestone")
            return int(milestone) if milestone and milestone.isdigit() else None
        return slots.number(handler_input, "step")


def _seconds(handler_input: HandlerInput) -> int | None:
    """The practice length the owner said, if any; a misheard one is left out rather than guessed."""
    from skill import durations

    return durations.check(slots.text(handler_input, "duration"), longest=MAX_PRACTICE_SECONDS).seconds


def log_outcome(handler_input: HandlerInput, state: SessionState, outcome: str, *, seconds: int | None,
                practice_kind: str | None, template: str, one_shot: bool, says_if_unsaved: bool = False,
                ends_practice: bool = False, **context: Any) -> Reply:
    """Log one practice for the active cat and say so: the one place an outcome is saved.

    ``practice_kind`` defaults to the kind of the cat's current step; ``template`` is the feature's
    answer, rendered with ``saved``. Unless the template ``says_if_unsaved``, a failed save gets
    the usual "couldn't save that" instead. ``ends_practice``: the same write drops the household's
    running practice, so it is logged exactly once.
    """
    today = storage.today(handler_input)

    def change(home: Household) -> Any:
        step = guide().step(home.active_cat.step) or guide().steps[0]
        if ends_practice:
            home.practice = None
        return log_practice(home, outcome=outcome, today=today, seconds=seconds,
                            kind=practice_kind or step.session_kind)

    saved, result = save(handler_input, state, change)
    if not saved and not says_if_unsaved:
        return result
    state.pending = None
    cat = storage.current(handler_input).active_cat
    return Reply.from_template(
        template, **cat_context(cat), outcome=outcome, seconds=seconds, saved=saved,
        summary=summarize(cat, today), one_shot=one_shot, end_session=one_shot, **context)


class LogPracticeHandler(ProgressIntentHandler):
    """ "That went well", "she got scared", or an outcome said unprompted ("pretty calm"): a practice
    at the current step, with advice.

    Right after a timed practice, the practice module's outcome handler takes these intents instead.
    """

    intents = frozenset({"LogPracticeIntent", "SessionOutcomeIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return super().can_handle(handler_input) and not SessionState.of(handler_input).asks(Ask.PRACTICE_OUTCOME)

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        outcome = slots.resolved_id(handler_input, "outcome")
        if outcome not in OUTCOMES:
            state.pending = None
            return Reply.from_template("progress_missing", kind="outcome")

        def logged() -> Reply:
            return log_outcome(handler_input, state, outcome, seconds=_seconds(handler_input), practice_kind=None,
                               template="progress_logged", one_shot=one_shot)

        if outcome == "scared" and state.practice is not None:
            from skill.handlers.practice import end_now

            return end_now(handler_input, state, logged)
        return logged()


class SummaryHandler(IntentHandler):
    """ "How is my cat doing?" -- sessions at this step, calm streak, days since starting, advice."""

    intents = frozenset({"ProgressSummaryIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        home = storage.current(handler_input)
        cat = _cat_asked_about(handler_input, home, state)
        if isinstance(cat, Reply):
            return cat
        state.pending = None
        others = [c.name for key, c in home.cats.items() if c is not cat and c.name]
        reply = Reply.from_template(
            "progress_summary", **cat_context(cat), summary=summarize(cat, storage.today(handler_input)),
            others=others, unavailable=not storage.available(handler_input), one_shot=one_shot,
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
        return Reply.from_template("progress_named", **cat_context(result.cat), kind=result.kind,
                                   one_shot=one_shot, end_session=one_shot)


class SwitchCatHandler(ProgressIntentHandler):
    """ "Switch to Milo": a known cat is switched to; an unknown name is confirmed before it is added."""

    intents = frozenset({"SwitchCatIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        name = slots.cat_name(handler_input)
        if name is None:
            state.pending = None
            return Reply.from_template("progress_missing", kind="name")
        home = storage.current(handler_input)
        if find_cat(home, name) is None:
            if one_shot:
                return Reply.from_template("progress_unknown_cat", cat_name=clean_name(name), known=home.names(),
                                           end_session=True)
            state.pending = Pending(Ask.CONFIRM_ADD_CAT, cat_name=name)
            return Reply.from_template("progress_confirm", what="add", cat_name=clean_name(name), who=who(home.active_cat))
        if home.cats[find_cat(home, name) or ""] is home.active_cat:
            state.pending = None
            return Reply.from_template("progress_switched", **cat_context(home.active_cat),
                                       added=False, already=True)
        saved, result = self.save(handler_input, state, lambda h: switch_cat(h, name))
        if not saved:
            return result
        state.pending = None
        return Reply.from_template("progress_switched", **cat_context(result), added=False,
                                   already=False, end_session=one_shot)


class ResetProgressHandler(IntentHandler):
    intents = frozenset({"ResetProgressIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        cat = storage.current(handler_input).active_cat
        state.pending = Pending(Ask.CONFIRM_RESET)
        return Reply.from_template("progress_confirm", what="reset", cat_name=None, who=who(cat))


class DeleteDataHandler(IntentHandler):
    intents = frozenset({"DeleteDataIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        state.pending = Pending(Ask.CONFIRM_DELETE)
        return Reply.from_template("progress_confirm", what="delete", cat_name=None, who="your cat")


def _cancel_running_practice(handler_input: HandlerInput, state: SessionState) -> None:
    """Reset and delete-my-data cancel a running practice's Alexa timer too."""
    if state.practice is None and storage.current(handler_input).practice is None:
        return
    from skill.handlers.practice import cancel_practice

    cancel_practice(handler_input, state)


def _yes_to_delete(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    _cancel_running_practice(handler_input, state)
    try:
        storage.delete(handler_input)
    except SaveFailed:
        return _not_saved(state, "delete")
    return Reply.from_template("progress_confirmed", what="delete", who="your cat", step=guide().step(1))


def _yes_to_reset(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    today = storage.today(handler_input)
    _cancel_running_practice(handler_input, state)

    def change(home: Household) -> CatProgress:
        home.practice = None
        return reset_active_cat(home, today)

    saved, result = save(handler_input, state, change)
    if not saved:
        return result
    _offer_step(state, 1)
    return Reply.from_template("progress_confirmed", what="reset", **cat_context(result))


def _yes_to_add(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    name = pending.cat_name
    if not name:
        return Reply.from_template("progress_missing", kind="name")
    today = storage.today(handler_input)
    saved, result = save(handler_input, state, lambda home: add_cat(home, name, today))
    if not saved:
        return result
    _offer_step(state, 1)
    return Reply.from_template("progress_confirmed", what="add", **cat_context(result))


def _kept(what: str) -> Callable[[HandlerInput, SessionState, Pending], Reply]:
    def no(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
        return Reply.from_template("progress_kept", what=what)

    return no


HANDLERS = [
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
YES_NO = {
    Ask.CONFIRM_RESET: YesNo(yes=_yes_to_reset, no=_kept("reset")),
    Ask.CONFIRM_DELETE: YesNo(yes=_yes_to_delete, no=_kept("delete")),
    Ask.CONFIRM_ADD_CAT: YesNo(yes=_yes_to_add, no=_kept("add")),
}
