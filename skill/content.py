"""What the coach knows: the steps and the topics of the training guide, as plain data.

The text lives in ``content/guide.toml`` so that adding a step or an FAQ entry is a data change.
Loading happens once per process (``guide()`` is cached) because Lambda containers are reused,
and on first use (tomllib is imported then), so a launch for a new user never parses it. Files
that do not hold together raise ContentError naming the file and the entry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

GUIDE_PATH = Path(__file__).parent / "content" / "guide.toml"


class ContentError(ValueError):
    """A content file that does not hold together; the message names the file and the entry."""


@dataclass(frozen=True)
class Entry:
    """Anything the skill can answer with: spoken chunks, and the long form for the app card."""

    id: str
    title: str
    speech: tuple[str, ...]
    card: str
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    intent: str | None = None
    urgent: bool = False


@dataclass(frozen=True)
class Step(Entry):
    """One training step; ``number`` orders them and ``session_kind`` names its practice sessions."""

    number: int = 0
    name: str = ""
    session_kind: str = ""
    goal: str = ""
    ready_when: str = ""
    clicker: str = ""
    suggested_seconds: int = 60
    max_advised_seconds: int = 300
    # Other ways owners name the step ("the door one"): values of the STEP_REFERENCE slot.
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guide:
    steps: tuple[Step, ...]
    topics: tuple[Entry, ...]
    _by_id: dict[str, Entry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({entry.id: entry for entry in (*self.steps, *self.topics)})

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (*self.steps, *self.topics)

    def step(self, number: int) -> Step | None:
        if 1 <= number <= len(self.steps):
            return self.steps[number - 1]
        return None

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def topic_for_intent(self, intent_name: str) -> Entry | None:
        return next((t for t in self.topics if t.intent == intent_name), None)

    @property
    def topic_intents(self) -> frozenset[str]:
        return frozenset(t.intent for t in self.topics if t.intent)


def _tuple(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(raw.get(key, ()))


def _require(raw: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [key for key in keys if key not in raw]
    if missing:
        raise ContentError(f"{where} lacks {', '.join(missing)}")


def _check_steps(path: Path, raw_steps: list[dict[str, Any]]) -> None:
    """Steps are numbered 1..N without gaps, and each has what the skill speaks and times."""
    for index, raw in enumerate(raw_steps):
        _require(raw, ("number", "name", "card", "speech", "session_kind", "goal", "ready_when", "clicker"),
                  f"{path.name}: [[steps]] #{index + 1} ({raw.get('name', 'unnamed')})")
    numbers = sorted(raw["number"] for raw in raw_steps)
    if numbers != list(range(1, len(numbers) + 1)):
        raise ContentError(f"{path.name}: step numbers must run 1..{len(numbers)} without gaps, found {numbers}")


def load_guide(path: Path = GUIDE_PATH) -> Guide:
    """Parse the guide data; steps get ids ``step:N`` so search results can point at them."""
    import tomllib

    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    _check_steps(path, raw.get("steps", []))
    for index, topic in enumerate(raw.get("topics", [])):
        _require(topic, ("id", "title", "speech", "card"), f"{path.name}: [[topics]] #{index + 1} ({topic.get('id')})")
    steps = tuple(
        Step(
            id=f"step:{s['number']}",
            title=f"Step {s['number']}: {s['name'][:1].upper()}{s['name'][1:]}",
            speech=_tuple(s, "speech"),
            card=s["card"],
            keywords=_tuple(s, "keywords"),
            number=s["number"],
            name=s["name"],
            session_kind=s["session_kind"],
            goal=s["goal"],
            ready_when=s["ready_when"],
            clicker=s["clicker"],
            suggested_seconds=s.get("suggested_seconds", 60),
            max_advised_seconds=s.get("max_advised_seconds", 300),
            references=_tuple(s, "references"),
        )
        for s in sorted(raw["steps"], key=lambda s: s["number"])
    )
    topics = tuple(
        Entry(
            id=t["id"],
            title=t["title"],
            speech=_tuple(t, "speech"),
            card=t["card"],
            keywords=_tuple(t, "keywords"),
            questions=_tuple(t, "questions"),
            aliases=_tuple(t, "aliases"),
            intent=t.get("intent"),
            urgent=t.get("urgent", False),
        )
        for t in raw["topics"]
    )
    return Guide(steps=steps, topics=topics)


@cache
def guide() -> Guide:
    return load_guide(GUIDE_PATH)
