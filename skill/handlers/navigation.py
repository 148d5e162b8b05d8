"""Moving through the steps like a recipe: step N, next, previous, repeat, start over, more, yes/no."""
from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from skill import household, replies, slots
from skill.content import Guide, guide
from skill.dialogue import Reply, SessionState
from skill.handlers.base import IntentHandler, PendingAnswerHandler


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
            return replies.step_number(content, household.current(handler_input).active_cat.step, state,
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
            state.pending = "step:1"
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
            return Reply.from_template("nothing_to_repeat", remember=False)
        return last


class MoreHandler(IntentHandler):
    intents = frozenset({"AMAZON.MoreIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        return replies.continue_answer(state) or _nothing_more(state)


def _nothing_more(state: SessionState) -> Reply:
    state.pending = None
    return Reply.from_template("nothing_more", step=state.step)


class YesToMoreHandler(PendingAnswerHandler):
    intents = frozenset({"AMAZON.YesIntent"})
    pending_prefix = "more"

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        return replies.continue_answer(state) or _nothing_more(state)


class YesToStepHandler(PendingAnswerHandler):
    """Yes to "would you like to start with step one?" and similar offers."""

    intents = frozenset({"AMAZON.YesIntent"})
    pending_prefix = "step"

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        number = (state.pending or "").partition(":")[2]
        return replies.step_number(guide(), int(number) if number.isdigit() else 1, state)


class NoHandler(PendingAnswerHandler):
    """No to an offer ("want to hear more?"): drop it and ask what else, keeping the session open."""

    intents = frozenset({"AMAZON.NoIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        pending = SessionState.of(handler_input).pending or ""
        return IntentHandler.can_handle(self, handler_input) and pending.split(":")[0] in {"more", "step"}

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        state.pending = None
        state.more = None
        return Reply.from_template("okay_then")


class UnpromptedYesNoHandler(IntentHandler):
    """Yes or no when nothing was asked: no means the user is done; yes gets a nudge."""

    intents = frozenset({"AMAZON.YesIntent", "AMAZON.NoIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        if handler_input.request_envelope.request.intent.name == "AMAZON.NoIntent":
            return Reply.from_template("goodbye", end_session=True)
        return Reply.from_template("okay_then")


HANDLERS = [
    StepHandler(),
    NextHandler(),
    PreviousHandler(),
    StartOverHandler(),
    RepeatHandler(),
    MoreHandler(),
    YesToMoreHandler(),
    YesToStepHandler(),
    NoHandler(),
]
# Registered after every feature's own yes/no handlers (see handlers/__init__.py).
UNPROMPTED = [UnpromptedYesNoHandler()]
