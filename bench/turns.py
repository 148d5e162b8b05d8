"""The turn types the benchmarks measure, as things a user says, and how to reach each one.

Shared by warm_turns.py (latency) and storage_cost.py (DynamoDB calls). A turn whose intent is
not in this tree's interaction model yet (progress, timers arrive with other issues) is reported
as not available instead of being measured as a fallback.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OPEN = "open cat harness coach"
FOUNDATION_INTENTS = frozenset({
    "AMAZON.FallbackIntent", "QuestionIntent", "TopicIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
    "AMAZON.CancelIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.NextIntent", "StepIntent",
    "AMAZON.RepeatIntent", "AMAZON.MoreIntent", "AMAZON.PreviousIntent", "AMAZON.StartOverIntent",
})


def _named(*names: str) -> Callable[[str | None], bool]:
    return lambda intent: intent in names


def _new_intent(*words: str) -> Callable[[str | None], bool]:
    """An intent a later issue added whose name mentions one of ``words`` (e.g. Progress, Timer)."""
    return lambda intent: bool(intent) and intent not in FOUNDATION_INTENTS and any(
        w.lower() in intent.lower() for w in words)


@dataclass(frozen=True)
class TurnType:
    """A kind of turn: what comes before it in the session, and the sentences that may express it."""

    name: str
    before: tuple[str, ...]
    candidates: tuple[str, ...]
    accepts: Callable[[str | None], bool]

    def reach(self, conversation: Any) -> Any | None:
        """Say ``before`` then the first candidate the model understands as this turn; None if none is."""
        for sentence in self.candidates:
            for line in self.before:
                conversation.say(line)
            turn = conversation.say(sentence)
            if self.accepts(turn.intent):
                return turn
            conversation.session = None
        return None


LAUNCH = TurnType("launch", (), (OPEN,), lambda intent: intent is None)
QUESTION = TurnType("question", (OPEN,), ("what is clicker training", "which harness should i get"),
                    _named("ClickerIntent", "HarnessChoiceIntent"))
NAVIGATION = TurnType("step navigation", (OPEN, "go to step one"), ("next",), _named("AMAZON.NextIntent"))
SEARCH = TurnType("search question", (OPEN,), ("what if my cat freezes when we go outside",),
                  _named("QuestionIntent"))
PROGRESS = TurnType(
    "progress update", (OPEN, "go to step one"),
    ("we finished step one", "we did step one for five minutes", "we practised step one for five minutes",
     "log a five minute session", "we just did a session", "mark step one as done", "we finished today's session",
     "i did five minutes of step one", "we finished a session"),
    _new_intent("Progress", "Session", "Log", "Done", "Finish", "Record", "Practi"),
)
TIMER = TurnType(
    "timer start", (OPEN, "go to step one"),
    ("start a two minute session", "set a session timer for two minutes", "start a timer", "set a timer", "start the timer", "time this session", "start a session timer",
     "set a timer for five minutes", "start a timer for this step"),
    _new_intent("Timer", "StartSession"),
)
STOP = TurnType("stop", (OPEN,), ("stop",), _named("AMAZON.StopIntent"))

WARM_TURNS = (QUESTION, NAVIGATION, SEARCH, PROGRESS, TIMER)

# A typical session: open, ask, start the steps, go on, report practice, ask something free-form.
CONVERSATION = (OPEN, "what is clicker training", "go to step one", "next", "we finished step one",
                "what if my cat freezes when we go outside")
