"""The owner utterance bank (``tests/data/bank/*.toml``) and its fixed split into tuning and check.

Every utterance belongs to exactly one part, decided by a hash of its words, so the split never
depends on file order, on who wrote what, or on anything a developer chooses. Samples, synonyms and
the classifier's training data may only ever come from ``tuning()``; ``check()`` exists for the
tests and the benchmark, which measure how the skill does on phrasings nobody tuned it for.
Development tooling only: this module is not shipped in the Lambda artifact.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from skill.understanding import words

BANK = Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "bank"
CHECK_PERCENT = 35
Part = Literal["tuning", "check"]

# How the bank names a practice outcome, and the PRACTICE_OUTCOME entity id the skill uses for it.
OUTCOME_IDS = {"calm": "calm", "unsure": "some_stress", "scared": "scared"}
# The bank names actions briefly; the classifier's labels for them are the intents that do them.
ACTION_LABELS = {
    "next": "AMAZON.NextIntent",
    "previous": "AMAZON.PreviousIntent",
    "repeat": "AMAZON.RepeatIntent",
    "start_over": "AMAZON.StartOverIntent",
    "more": "AMAZON.MoreIntent",
    "yes": "AMAZON.YesIntent",
    "no": "AMAZON.NoIntent",
    "help": "AMAZON.HelpIntent",
    "stop": "AMAZON.StopIntent",
    "pause": "AMAZON.PauseIntent",
    "resume": "AMAZON.ResumeIntent",
}


@dataclass(frozen=True)
class Utterance:
    """One thing an owner says, and what a right answer to it needs."""

    say: str
    label: str
    accept: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    form: str = "question"
    urgent: bool = False
    context: str = "none"
    slots: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    @property
    def labels(self) -> frozenset[str]:
        """Every label that counts as understood."""
        return frozenset((self.label, *self.accept))


def label_of(raw: str) -> str:
    """A bank label as the classifier names it: entry ids for steps and topics, intents for actions."""
    if raw.startswith("topic:"):
        return raw.removeprefix("topic:")
    return ACTION_LABELS.get(raw, raw)


def _slots(raw: dict[str, Any], label: str) -> dict[str, Any]:
    """The bank's slot values as the skill's intents name them.

    Outcomes become PRACTICE_OUTCOME ids; a milestone the bank names by its practice kind
    ("leash") becomes the CAT_MILESTONE id, the number of the step that kind belongs to."""
    slots = dict(raw)
    if "outcome" in slots:
        slots["outcome"] = OUTCOME_IDS.get(str(slots["outcome"]), slots["outcome"])
    if label == "MilestoneIntent" and "kind" in slots:
        from skill.content import guide

        kind = slots.pop("kind")
        step = next((s for s in guide().steps if s.session_kind == kind), None)
        if step is not None:
            slots["milestone"] = str(step.number)
    return slots


def without_invocation(say: str) -> str:
    """What Alexa hands the skill of a one-shot: the words after "ask cat harness coach"."""
    return re.sub(r"^(?:alexa )?(?:ask|tell|open|launch|start|use) cat harness coach (?:to |and |if |whether |about )?",
                  "", " ".join(words.split(say)))


def part_of(say: str) -> Part:
    """The part an utterance belongs to, from a hash of its words alone (a one-shot's and its
    in-session form's are the same words, so they always fall in the same part)."""
    key = without_invocation(say).encode()
    bucket = int(hashlib.sha256(key).hexdigest()[:8], 16) % 100
    return "check" if bucket < CHECK_PERCENT else "tuning"


@cache
def _all(bank: Path = BANK) -> tuple[Utterance, ...]:
    seen: set[str] = set()
    out: list[Utterance] = []
    for path in sorted(bank.glob("*.toml")):
        with path.open("rb") as handle:
            for raw in tomllib.load(handle).get("utterances", []):
                key = without_invocation(raw["say"])
                if key in seen:
                    continue
                seen.add(key)
                out.append(Utterance(
                    say=raw["say"],
                    label=label_of(raw["label"]),
                    accept=tuple(label_of(a) for a in raw.get("accept", ())),
                    facts=tuple(raw.get("facts", ())),
                    form=raw.get("form", "question"),
                    urgent=bool(raw.get("urgent", False)),
                    context=raw.get("context", "none"),
                    slots=_slots(raw.get("slots", {}), label_of(raw["label"])),
                    source=path.name,
                ))
    return tuple(out)


def tuning(bank: Path = BANK) -> tuple[Utterance, ...]:
    """The part samples, synonyms and training data may be written from."""
    return tuple(u for u in _all(bank) if part_of(u.say) == "tuning")


def check(bank: Path = BANK) -> tuple[Utterance, ...]:
    """The held-out part: only measured, never learned from."""
    return tuple(u for u in _all(bank) if part_of(u.say) == "check")
