"""Moving through the steps like a recipe: step N, next, previous, repeat, start over, more.

Its yes/no answers ("want to hear more?", "shall I read step one?") are registered in ``YES_NO``.
"""
from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from skill import replies, slots, storage
from skill.content import Guide, guide
from skill.dialogue import Ask, Pending, Reply, SessionState
from skill.handlers.base import IntentHandler
from skill.handlers.yes_no import YesNo


class StepHandler(IntentHandler):
    intents = frozenset({"StepIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        number = slots.number(handler_input, "step")
        if number is None:
            number = _referenced_step(handler_input, state)
        if number is None:
            return Reply.from_template("missing_step", total=len(guide().steps))
        return replies.step_number(guide(), number, state, one_shot=one_shot)


def _referenced_step(handler_input: HandlerInput, state: SessionState) -> int | None:
    """The step a STEP_REFERENCE names: a step's own id ("second" -> 2) or one relative to where we are."""
    reference = slots.resolved_id(handler_input, "which")
    if reference is None:
        heard = slots.text(handler_input, "which")
        if heard is None:
            return None
        from skill.understanding import slots as spoken_slots
        from skill.understanding import words

        return spoken_slots.step_number(words.tokens(heard))
    if reference.isdigit():
        return int(reference)
    current = state.step or 1
    return {"next": current + 1, "previous": max(current - 1, 1), "current": current}.get(reference)


class NextHandler(IntentHandler):
    intents = frozenset({"AMAZON.NextIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        content = guide()
        current = state.step
        if current is None:
            # Nothing heard yet this session: "what's next" means the step this household is on.
            return replies.step_number(content, storage.current(handler_input).active_cat.step, state,
                                       one_shot=one_shot)
        if current >= len(content.steps):
            return _past_last(content, state)
        return replies.step_number(content, current + 1, state, one_shot=one_shot)


def _past_last(content: Guide, state: SessionState) -> Reply:
    state.pending = None
    return Reply.from_template("last_step", total=len(content.steps))


class PreviousHandler(IntentHandler):
    intents = frozenset({"AMAZON.PreviousIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        current = state.step
        if current is None or current <= 1:
            state.pending = Pending(Ask.STEP, step=1)
            return Reply.from_template("first_step")
        return replies.step_number(guide(), current - 1, state, one_shot=one_shot)


class StartOverHandler(IntentHandler):
    intents = frozenset({"AMAZON.StartOverIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        return replies.step_number(guide(), 1, state, one_shot=one_shot)


class RepeatHandler(IntentHandler):
    """Replays the last answer exactly: same speech, reprompt and card."""

    intents = frozenset({"AMAZON.RepeatIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        last = state.last
        if last is None:
            return Reply.from_template("nothing_to_repeat", repeatable=False)
        return last


class MoreHandler(IntentHandler):
    intents = frozenset({"AMAZON.MoreIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        return replies.continue_answer(state) or _nothing_more(state)


def _nothing_more(state: SessionState) -> Reply:
    state.pending = None
    return Reply.from_template("nothing_more", step=state.step)


def _yes_to_more(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    return replies.continue_answer(state) or _nothing_more(state)


def _yes_to_step(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    """Yes to "would you like to start with step one?" and similar offers."""
    return replies.step_number(guide(), pending.step or 1, state)


def _no_to_offer(handler_input: HandlerInput, state: SessionState, pending: Pending) -> Reply:
    """No to an offer ("want to hear more?"): drop it and ask what else, keeping the session open."""
    state.more = None
    return Reply.from_template("okay_then")


HANDLERS = [
    StepHandler(),
    NextHandler(),
    PreviousHandler(),
    StartOverHandler(),
    RepeatHandler(),
    MoreHandler(),
]
YES_NO = {
    Ask.MORE: YesNo(yes=_yes_to_more, no=_no_to_offer),
    Ask.STEP: YesNo(yes=_yes_to_step, no=_no_to_offer),
}
