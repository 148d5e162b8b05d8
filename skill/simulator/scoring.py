"""How well the skill understands the owner utterance bank, measured end to end through the simulator.

Each utterance is said in a fresh conversation set up for its context (a step being read, a
question just asked, a practice running), the way the benchmark and the understanding tests both need it. What the
skill *did* is read back from the request as the handlers finally saw it (after free text was
rewritten) and from the reply: the guide entry whose card it sent, or the intent it acted on.

Two ways in:
- ``exact``: the simulator's exact-template NLU decides the intent, as an exact-template Alexa
  emulator would; free text reaches the skill only where a SearchQuery carrier phrase matches;
- ``free_text``: every utterance is handed to QuestionIntent's SearchQuery slot (an optimistic
  NLU), which measures the skill-side understanding alone.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ask_sdk_core.dispatch_components import AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill

from skill.builder import build_skill, handle_event
from skill.config import Settings
from skill.content import guide
from skill.persistence.memory import MemoryStore
from skill.simulator import envelopes
from skill.simulator.conversation import Conversation
from skill.simulator.nlu import IntentMatch, SlotFill
from skill.understanding.bank import Utterance

Mode = Literal["exact", "free_text"]
AREAS = {
    "steps": lambda label: label.startswith("step:") or label in {"StepIntent"},
    "emergencies": lambda label: label == "urgent_stress",
    "topics": lambda label: guide().entry(label) is not None,
    "off-topic": lambda label: label == "none",
    "navigation": lambda label: label.startswith("AMAZON."),
    "progress": lambda label: label in {"CurrentStepIntent", "SetStepIntent", "FinishedStepIntent", "MilestoneIntent",
                                        "LogPracticeIntent", "ProgressSummaryIntent", "CatNameIntent", "SwitchCatIntent"},
    "privacy": lambda label: label in {"ResetProgressIntent", "DeleteDataIntent"},
    "practice timer": lambda label: label in {"StartSessionIntent", "TimeLeftIntent", "StopSessionIntent",
                                              "SessionOutcomeIntent"},
}
_INVOCATION = re.compile(r"^(?:alexa )?(?:ask|tell|use) cat harness coach(?: (?:to|for|whether|if|that))?(?: (.+))?$")


def area_of(label: str) -> str:
    return next((name for name, member in AREAS.items() if member(label)), "other")


@dataclass
class Outcome:
    utterance: Utterance
    answered: str
    heard: str
    right: bool
    urgent_answer: bool
    problems: list[str] = field(default_factory=list)


class _Recorder(AbstractResponseInterceptor):
    """Keeps the intent each request finally reached, after any rewriting of free text."""

    def __init__(self) -> None:
        self.intent: Any = None

    def process(self, handler_input: HandlerInput, response: Any) -> None:
        self.intent = getattr(handler_input.request_envelope.request, "intent", None)


def scoring_skill() -> tuple[CustomSkill, _Recorder]:
    skill = build_skill(Settings.from_env({}), store=MemoryStore())
    recorder = _Recorder()
    skill.request_dispatcher.response_interceptors.append(recorder)
    return skill, recorder


ANSWERING_INTENTS = frozenset({"StepIntent", "TopicIntent", "QuestionIntent", "AMAZON.FallbackIntent"})
# Intents that replay or move through entries: their card shows an entry, but the intent is the answer.
MOVING_INTENTS = frozenset({"AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent",
                            "AMAZON.StartOverIntent", "AMAZON.MoreIntent", "AMAZON.YesIntent", "AMAZON.NoIntent"})


def _answered(intent: Any, card_title: str | None) -> str:
    """What the skill did: the entry whose card it sent (a question, or words another intent's slot did
    not resolve), else the intent it acted on."""
    name = getattr(intent, "name", None) or "AMAZON.FallbackIntent"
    by_title = {entry.title: entry.id for entry in guide().entries}
    if name in MOVING_INTENTS:
        return name
    if card_title in by_title:
        return by_title[card_title or ""]
    if name in ANSWERING_INTENTS or guide().topic_for_intent(name) is not None:
        return "none"
    return name


def _slot_values(intent: Any) -> dict[str, str]:
    out = {}
    for name, slot in (getattr(intent, "slots", None) or {}).items():
        resolutions = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
        resolved = next((r.values[0].value.id for r in resolutions if r.values), None)
        if resolved is not None or slot.value is not None:
            out[name] = str(resolved if resolved is not None else slot.value).lower()
    return out


def _expected_slots(utterance: Utterance) -> dict[str, str]:
    """The bank's slot values that the labelled intent can hold.

    A value for a slot the intent does not have (a cat's name on SetStepIntent) is not something
    the intent can be asked to understand, so it is not scored; durations compare as lengths."""
    from skill.understanding.classifier import model

    schema = model().meta.get("intents", {}).get(utterance.label, {})
    return {k: _comparable(str(v)) for k, v in utterance.slots.items() if k in schema}


def _comparable(value: str) -> str:
    """A slot value in one spelling: lowercase, and ISO-8601 durations as whole seconds."""
    value = value.lower()
    match = re.fullmatch(r"pt(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", value)
    if match and value != "pt":
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return f"{hours * 3600 + minutes * 60 + seconds}s"
    return value


def _facts_said(facts: Iterable[str], speech: str) -> list[str]:
    spoken = speech.lower()
    return [fact for fact in facts if not any(alt.strip() in spoken for alt in fact.lower().split("|"))]


def _setup(conversation: Conversation, utterance: Utterance) -> None:
    """The moment the owner speaks in: a step being read, a question just asked, or a practice
    running (paused, before "resume"; just ended and asked about, before how it went)."""
    conversation.say("open cat harness coach")
    if utterance.context == "step":
        conversation.say("step two")
    elif utterance.context == "question":
        conversation.say("step one")
    elif utterance.context == "practice":
        conversation.say("start a one minute harness session")
        if utterance.label == "AMAZON.ResumeIntent":
            conversation.say("pause")
        elif utterance.label == "SessionOutcomeIntent":
            conversation.say("we're done")


# Intents every handler answers alike, whichever of them Alexa picks: an outcome said after "how
# did it go?" and a practice reported unprompted (handlers.practice.OutcomeHandler and
# handlers.progress.LogPracticeHandler each take both, and the dialogue state decides which runs).
SAME_ANSWER = {"SessionOutcomeIntent": "LogPracticeIntent"}


def _understood(answered: str, labels: Iterable[str]) -> bool:
    same = SAME_ANSWER.get(answered, answered)
    return any(SAME_ANSWER.get(label, label) == same for label in labels)


def score(utterance: Utterance, mode: Mode, skill: CustomSkill, recorder: _Recorder) -> Outcome:
    conversation = Conversation(lambda body: handle_event(body, skill), user_id=f"bank-{hash(utterance.say)}")
    said = utterance.say
    one_shot = _INVOCATION.match(" ".join(said.split()))
    if not one_shot:
        _setup(conversation, utterance)
    recorder.intent = None
    if mode == "exact":
        turn = conversation.say(said)
    else:
        text = (one_shot.group(1) or "") if one_shot else said
        if one_shot:
            conversation.session = None
        match = IntentMatch("QuestionIntent", {"query": SlotFill("query", text, "AMAZON.SearchQuery")})
        turn = conversation.send(envelopes.intent_request(match), said, match)
    card = turn.card or {}
    answered = _answered(recorder.intent, card.get("title"))
    speech = turn.speech or ""
    urgent_entry = guide().entry("urgent_stress")
    urgent_answer = bool(urgent_entry and card.get("title") == urgent_entry.title)
    problems: list[str] = []
    if not _understood(answered, utterance.labels):
        problems.append(f"answered {answered}")
    missing = _facts_said(utterance.facts, speech) if not problems else []
    if missing:
        problems.append(f"did not say {missing}")
    if utterance.urgent and not urgent_answer:
        problems.append("no urgent answer")
    if not problems and utterance.slots:
        heard_slots = {k: _comparable(v) for k, v in _slot_values(recorder.intent).items()}
        for name, want in _expected_slots(utterance).items():
            if want != heard_slots.get(name):
                problems.append(f"slot {name}={heard_slots.get(name)} not {want}")
    heard = getattr(turn, "intent", None) or ""
    return Outcome(utterance, answered, heard, not problems, urgent_answer, problems)


@dataclass
class Report:
    outcomes: list[Outcome]

    @property
    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / max(len(self.outcomes), 1)

    def by_area(self) -> dict[str, tuple[int, int]]:
        totals: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for o in self.outcomes:
            area = area_of(o.utterance.label)
            totals[area] += 1
            right[area] += o.right
        return {area: (right[area], totals[area]) for area in AREAS if totals[area]}

    @property
    def urgent_recall(self) -> float:
        urgent = [o for o in self.outcomes if o.utterance.urgent]
        return sum(o.urgent_answer for o in urgent) / max(len(urgent), 1)

    @property
    def false_urgent(self) -> float:
        calm = [o for o in self.outcomes if not o.utterance.urgent and "urgent_stress" not in o.utterance.labels]
        return sum(o.urgent_answer for o in calm) / max(len(calm), 1)

    def confused(self, most: int = 10) -> list[tuple[tuple[str, str], int]]:
        pairs = Counter((o.utterance.label, o.answered) for o in self.outcomes
                        if not o.right and not _understood(o.answered, o.utterance.labels))
        return pairs.most_common(most)


def evaluate(utterances: Iterable[Utterance], mode: Mode) -> Report:
    skill, recorder = scoring_skill()
    return Report([score(u, mode, skill, recorder) for u in utterances])
