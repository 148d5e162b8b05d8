"""Timed practice sessions: what a spoken length means, what it should be, and what a session is.

Pure rules with no SDK or network, so every spoken length and every piece of advice can be tested
from a table. Alexa sends lengths as ISO-8601 durations (AMAZON.DURATION: ``PT2M``, ``PT90S``);
anything it could not understand arrives as ``?`` or an odd string, and the Timers API refuses
lengths over two hours, so each of those gets its own spoken correction instead of an error.

Session kinds (harness, indoor, leash, doorway, outdoor) are the guide steps' ``session_kind``;
how long a session of each kind should last comes from the step, and what to say about it from
``content/timer.toml``.
"""
from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from skill.content import ContentError, Step, guide
from skill.durations import LengthCheck, check, iso_duration, spoken_length

__all__ = ["LengthCheck", "check_length", "iso_duration", "spoken_length"]

TIMER_CONTENT = Path(__file__).parent / "content" / "timer.toml"
# The Alexa Timers API accepts at most two hours (PT2H).
MAX_SECONDS = 2 * 60 * 60



def check_length(value: str | None) -> LengthCheck:
    """A spoken practice length as a timer length: at most what the Timers API accepts."""
    return check(value, longest=MAX_SECONDS)


@dataclass(frozen=True)
class PracticeKind:
    """A kind of practice session, tied to the guide step it belongs to."""

    id: str
    spoken: str
    reminder: str
    announce: str
    step: Step

    @property
    def suggested_seconds(self) -> int:
        return self.step.suggested_seconds

    @property
    def max_advised_seconds(self) -> int:
        return self.step.max_advised_seconds


def _timer_content() -> dict[str, Any]:
    with TIMER_CONTENT.open("rb") as handle:
        return tomllib.load(handle)


@cache
def ending_topics() -> frozenset[str]:
    """Guide topics that end a running practice when they are the answer (timer.toml ``[practice]``)."""
    topics = frozenset(_timer_content().get("practice", {}).get("ends_on_topics", ()))
    unknown = sorted(topic for topic in topics if guide().entry(topic) is None)
    if unknown:
        raise ContentError(f"{TIMER_CONTENT.name}: [practice] ends_on_topics names no guide topic {', '.join(unknown)}")
    return topics


@cache
def kinds() -> dict[str, PracticeKind]:
    """Every session kind the guide's steps name, with its reminder and announcement."""
    raw = _timer_content().get("kinds", {})
    found: dict[str, PracticeKind] = {}
    for step in guide().steps:
        data = raw.get(step.session_kind)
        where = f"{TIMER_CONTENT.name}: [kinds.{step.session_kind}] (session_kind of step {step.number})"
        if not isinstance(data, dict):
            raise ContentError(f"{where} is missing")
        missing = [key for key in ("spoken", "reminder", "announce") if key not in data]
        if missing:
            raise ContentError(f"{where} lacks {', '.join(missing)}")
        found[step.session_kind] = PracticeKind(
            id=step.session_kind, spoken=data["spoken"], reminder=data["reminder"],
            announce=data["announce"], step=step,
        )
    return found


def step_of(cat_step: int | None) -> Step:
    """The guide step a cat is on (step one when unknown): lengths and advice always come from it."""
    return guide().step(cat_step or 1) or guide().steps[0]


# How a practice kind fits the cat's step: its own step, an earlier one (always fine), or ahead.
FITS = "fits"
EARLIER = "earlier"
AHEAD = "ahead"


def fit(kind: PracticeKind, cat_step: int | None) -> str:
    """Whether the guide would have this cat do this kind of practice now."""
    current = step_of(cat_step).number
    if kind.step.number == current:
        return FITS
    return EARLIER if kind.step.number < current else AHEAD


def easier_kind(kind: PracticeKind, cat_step: int | None) -> PracticeKind:
    """After a scare: the practice of the step before (never ahead of the cat), step one's at the least."""
    level = min(kind.step.number, step_of(cat_step).number)
    return kinds()[step_of(max(1, level - 1)).session_kind]


def kind_for(kind_id: str | None, current_step: int | None) -> PracticeKind:
    """The kind the owner named, else the kind that fits the cat's current step, else step one's."""
    every = kinds()
    if kind_id in every:
        return every[kind_id]
    step = guide().step(current_step or 1) or guide().steps[0]
    return every[step.session_kind]


def is_far_beyond_advice(seconds: int, cat_step: int | None) -> bool:
    """Longer than the guide advises at the cat's step: worth saying so, then the owner decides."""
    return seconds > step_of(cat_step).max_advised_seconds


# A practice the owner walked away from is asked about at the next launch while it is fresh:
# up to three hours after it was due to end. Older ones are closed quietly, never asked about.
ASK_ABOUT_WITHIN_SECONDS = 3 * 3600
RUNNING = "running"
ASK = "ask"
STALE = "stale"


def status(practice: RunningPractice, now: float) -> str:
    """What a stored practice is at ``now``: still ``running``, over and worth an ``ask``, or ``stale``."""
    if practice.paused_at is not None and practice.ended_at is None:
        return RUNNING if now - practice.paused_at <= ASK_ABOUT_WITHIN_SECONDS else STALE
    if practice.ended_at is None and practice.remaining(now) > 0:
        return RUNNING
    over_at = practice.ended_at if practice.ended_at is not None else practice.due_at
    return ASK if now - over_at <= ASK_ABOUT_WITHIN_SECONDS else STALE


def possessive(cat_name: str | None) -> str:
    """ "Luna's" or "your cat's", for announcements and confirmations."""
    return f"{cat_name}'s" if cat_name else "your cat's"


def announce_text(kind: PracticeKind, cat_name: str | None) -> str:
    """What the Echo says when the session timer rings."""
    return kind.announce.format(cat=possessive(cat_name))


_LABEL = re.compile(r"^(?P<kind>[a-z]+) session (?P<tag>[0-9a-z]+)$", re.IGNORECASE)


def timer_label(kind: PracticeKind, tag: str) -> str:
    """A label unique to one running session, shown on screens: "Outdoor session 3f2a"."""
    return f"{kind.spoken[:1].upper()}{kind.spoken[1:]} session {tag}"


def kind_from_label(label: str | None) -> PracticeKind | None:
    """The kind a label made by ``timer_label`` belongs to; None for anything else."""
    found = _LABEL.match(label or "")
    if not found:
        return None
    return next((k for k in kinds().values() if k.spoken.lower() == found["kind"].lower()), None)


@dataclass
class RunningPractice:
    """A practice session being timed, kept between turns in session attributes.

    ``timer_id`` is None when no Alexa timer backs it (no permission, or the Timers API failed):
    the skill still keeps time, so "how much time is left?" and "we're done" work either way.
    Times are POSIX seconds taken from request timestamps, never from the server's clock.
    """

    label: str
    kind: str
    seconds: int
    started_at: float
    timer_id: str | None = None
    paused_at: float | None = None
    paused_total: float = 0.0
    # When the owner ended it ("we're done", a scare); None while it runs or after the timer rang.
    ended_at: float | None = None
    # Started ahead of the cat's step because the owner insisted.
    ahead: bool = False

    def elapsed(self, now: float) -> int:
        """Seconds actually practised so far: wall time since the start minus time spent paused."""
        end = self.paused_at if self.paused_at is not None else now
        if self.ended_at is not None:
            end = min(end, self.ended_at)
        return max(0, round(end - self.started_at - self.paused_total))

    def practised(self, now: float) -> int:
        """The real length: until it was ended, or the planned length once the timer would have rung."""
        return self.elapsed(now) if self.ended_at is not None else min(self.seconds, self.elapsed(now))

    @property
    def due_at(self) -> float:
        return self.started_at + self.seconds + self.paused_total
    def remaining(self, now: float) -> int:
        return max(0, self.seconds - self.elapsed(now))

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def pause(self, now: float) -> None:
        if self.paused_at is None:
            self.paused_at = now

    def resume(self, now: float) -> None:
        if self.paused_at is not None:
            self.paused_total += max(0.0, now - self.paused_at)
            self.paused_at = None

    def to_dict(self) -> dict[str, Any]:
        """Whole seconds (request timestamps have no finer grain): DynamoDB takes no floats."""
        stored = asdict(self)
        for key in ("started_at", "paused_at", "ended_at", "paused_total"):
            if stored[key] is not None:
                stored[key] = round(stored[key])
        return stored

    @classmethod
    def from_dict(cls, value: Any) -> RunningPractice | None:
        """Tolerant of anything an older turn may have stored: unusable values give None."""
        if not isinstance(value, dict):
            return None
        try:
            session = cls(
                label=str(value["label"]), kind=str(value["kind"]), seconds=int(value["seconds"]),
                started_at=float(value["started_at"]),
                timer_id=value.get("timer_id") if isinstance(value.get("timer_id"), str) else None,
                paused_at=float(value["paused_at"]) if value.get("paused_at") is not None else None,
                paused_total=float(value.get("paused_total") or 0.0),
                ended_at=float(value["ended_at"]) if value.get("ended_at") is not None else None,
                ahead=value.get("ahead") is True,
            )
        except (KeyError, TypeError, ValueError):
            return None
        return session if session.kind in kinds() else None


def posix(moment: datetime.datetime) -> float:
    """A request or API timestamp as POSIX seconds; naive timestamps are UTC, as Alexa sends them."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()
