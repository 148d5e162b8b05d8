"""The one place "yes" and "no" are answered: each feature registers what they mean for its questions.

A feature module exposes ``YES_NO``, a map from the ``Ask`` kinds it asks to a ``YesNo`` pair, and
names itself in ``OWNERS``. The open question (``SessionState.pending``) is read once here, so no
handler order decides which feature a "yes" belongs to. A yes or no with no open question (or
one that is not a yes/no question) gets the unprompted answer: no means the user is done.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput

from skill.dialogue import Ask, Pending, Reply, SessionState
from skill.handlers.base import IntentHandler, intent_name

Answer = Callable[[HandlerInput, SessionState, Pending], Reply]

YES = "AMAZON.YesIntent"
NO = "AMAZON.NoIntent"

# Which feature module registers the answers to each kind of question. Modules are imported on
# the first yes/no to one of their questions, so a deferred feature stays off the launch path.
OWNERS: dict[str, str] = {
    Ask.MORE: "skill.handlers.navigation",
    Ask.STEP: "skill.handlers.navigation",
    Ask.CONFIRM_RESET: "skill.handlers.progress",
    Ask.CONFIRM_DELETE: "skill.handlers.progress",
    Ask.CONFIRM_ADD_CAT: "skill.handlers.progress",
    Ask.CONFIRM_LONG_PRACTICE: "skill.handlers.practice",
    Ask.CONFIRM_EARLY_PRACTICE: "skill.handlers.practice",
}


class YesNo:
    """What "yes" and what "no" do to one kind of question; the question is already cleared."""

    __slots__ = ("yes", "no")

    def __init__(self, *, yes: Answer, no: Answer) -> None:
        self.yes = yes
        self.no = no


def answers_for(ask: str) -> YesNo | None:
    owner = OWNERS.get(ask)
    if owner is None:
        return None
    registered: dict[str, YesNo] = importlib.import_module(owner).YES_NO
    return registered.get(ask)


class YesNoHandler(IntentHandler):
    intents = frozenset({YES, NO})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        said_yes = intent_name(handler_input) == YES
        pending = state.pending
        answers = answers_for(pending.ask) if pending is not None else None
        if pending is None or answers is None:
            if not said_yes:
                return Reply.from_template("goodbye", end_session=True)
            return Reply.from_template("okay_then")
        state.pending = None
        return (answers.yes if said_yes else answers.no)(handler_input, state, pending)


class ConfirmationExpiry(AbstractRequestInterceptor):
    """A confirmation (reset, delete, add a cat, a long practice) stands only for the very next answer.

    If the user says something else first, a later stray "yes" must not wipe their progress, so
    any intent other than yes, no, repeat or help drops a pending confirmation.
    """

    KEEPS = frozenset({YES, NO, "AMAZON.RepeatIntent", "AMAZON.HelpIntent"})

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is None:
            return
        state = SessionState.of(handler_input)
        pending = state.pending
        if pending is not None and Ask.is_confirmation(pending.ask) and intent_name(handler_input) not in self.KEEPS:
            state.pending = None
