"""Where a household is in the guide's steps, and what the guide says that means: pure rules, no I/O.

How many steps there are is the content's business: the functions that move between steps take
``last_step`` (``len(guide().steps)``) rather than assuming a number.

A household has one or more cats, each with its own step and practice log. The readiness rule
follows the guide: stay at a step until the cat is calm there over several short sessions on
different days; after a stressful session go back to easier practice; never rush. Readiness is
only ever *suggested* to the owner -- the owner decides when to move on, so nothing here refuses
a step change.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("calm", "some_stress", "scared")
UNNAMED = "_"
# "Several short sessions on different days": three calm sessions in a row, on three different days.
READY_CALM_SESSIONS = 3
READY_DIFFERENT_DAYS = 3
# Bounds that keep one household's record small (a DynamoDB item is capped at 400 KB and the
# session cache travels in every response): plenty for summaries, which only look at recent runs.
MAX_SESSIONS_PER_CAT = 60
MAX_CATS = 8
MAX_NAME_LENGTH = 30


@dataclass
class PracticeSession:
    """One practice, as the owner reported it: when, at which step, how long if known, how it went."""

    date: str
    step: int
    kind: str | None
    seconds: int | None
    outcome: str


@dataclass
class CatProgress:
    name: str | None
    step: int
    started_on: str
    sessions: list[PracticeSession] = field(default_factory=list)
    # Date the owner told us the cat finished the last step; None while training is under way.
    finished_on: str | None = None


@dataclass
class Household:
    """Every cat of one Alexa account; ``active`` is the key of the cat being trained right now."""

    cats: dict[str, CatProgress]
    active: str
    created_on: str = ""
    # The practice being timed, kept with the household so it outlives the Alexa session (and the
    # device). Its fields belong to ``skill.practice.RunningPractice``; None when nothing runs.
    practice: dict[str, Any] | None = None

    @classmethod
    def new(cls, today: datetime.date) -> Household:
        started = today.isoformat()
        return cls(cats={UNNAMED: CatProgress(None, 1, started)}, active=UNNAMED, created_on=started)

    @property
    def active_cat(self) -> CatProgress:
        return self.cats[self.active]

    @property
    def has_progress(self) -> bool:
        """Whether the owner ever told us anything: a returning user rather than a new one."""
        return any(
            cat.name or cat.step > 1 or cat.sessions or cat.finished_on for cat in self.cats.values()
        ) or len(self.cats) > 1

    def names(self) -> list[str]:
        return [cat.name for cat in self.cats.values() if cat.name]


class ProgressError(ValueError):
    """A request the rules cannot apply, e.g. step seven; handlers turn it into a spoken answer."""


def cat_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str | None:
    """A spoken first name as it should be said back: trimmed, capitalised, bounded; None if empty."""
    words = [w for w in name.replace("_", " ").split() if any(c.isalpha() for c in w)]
    cleaned = " ".join(w[:1].upper() + w[1:] for w in words)[:MAX_NAME_LENGTH].strip()
    return cleaned or None


def _check_step(step: int, last_step: int) -> None:
    if not 1 <= step <= last_step:
        raise ProgressError(f"no step {step}")


@dataclass(frozen=True)
class StepChange:
    previous: int
    step: int

    @property
    def back(self) -> bool:
        return self.step < self.previous


def set_step(household: Household, step: int, today: datetime.date, *, last_step: int) -> StepChange:
    """The owner says which step they are on; going back is always allowed and often wise."""
    _check_step(step, last_step)
    cat = household.active_cat
    change = StepChange(cat.step, step)
    cat.step = step
    cat.finished_on = None
    return change


@dataclass(frozen=True)
class Finish:
    """The result of "we finished step N": where the cat is now and whether the log agreed."""

    finished: int
    step: int
    already_past: bool
    all_done: bool
    suggested_ready: bool


def finish_step(household: Household, today: datetime.date, step: int | None = None, *,
                last_step: int) -> Finish:
    """Move past ``step`` (default: the current one). The owner's word decides; the log only advises."""
    cat = household.active_cat
    finished = cat.step if step is None else step
    _check_step(finished, last_step)
    if finished < cat.step:
        return Finish(finished, cat.step, already_past=True, all_done=False, suggested_ready=True)
    suggested = readiness(cat) == "ready" if finished == cat.step else False
    if finished >= last_step:
        cat.step = last_step
        cat.finished_on = today.isoformat()
        return Finish(finished, cat.step, already_past=False, all_done=True, suggested_ready=suggested)
    cat.step = finished + 1
    cat.finished_on = None
    return Finish(finished, cat.step, already_past=False, all_done=False, suggested_ready=suggested)


def log_practice(
    household: Household,
    *,
    outcome: str,
    today: datetime.date,
    seconds: int | None = None,
    kind: str | None = None,
) -> PracticeSession:
    """Record how a practice went for the active cat at its current step (oldest entries age out)."""
    if outcome not in OUTCOMES:
        raise ProgressError(f"unknown outcome {outcome!r}")
    if seconds is not None and seconds < 0:
        raise ProgressError("negative duration")
    cat = household.active_cat
    session = PracticeSession(today.isoformat(), cat.step, kind, seconds, outcome)
    cat.sessions.append(session)
    del cat.sessions[:-MAX_SESSIONS_PER_CAT]
    return session


@dataclass(frozen=True)
class NameResult:
    """``named``: the active cat got its name; ``renamed``; ``switched``: that cat already existed."""

    kind: str
    cat: CatProgress


def name_active_cat(household: Household, name: str) -> NameResult:
    """ "My cat's name is Luna": name the cat being trained, or switch if Luna is already known."""
    cleaned = clean_name(name)
    if cleaned is None:
        raise ProgressError("empty name")
    key = cat_key(cleaned)
    if key in household.cats and key != household.active:
        household.active = key
        return NameResult("switched", household.active_cat)
    cat = household.cats.pop(household.active)
    kind = "named" if cat.name is None else "renamed"
    cat.name = cleaned
    household.cats[key] = cat
    household.active = key
    return NameResult(kind, cat)


def find_cat(household: Household, name: str) -> str | None:
    cleaned = clean_name(name)
    key = cat_key(cleaned) if cleaned else None
    return key if key in household.cats else None


def switch_cat(household: Household, name: str) -> CatProgress:
    """Train a cat the household already has."""
    key = find_cat(household, name)
    if key is None:
        raise ProgressError(f"no cat called {name!r}")
    household.active = key
    return household.active_cat


def add_cat(household: Household, name: str, today: datetime.date) -> CatProgress:
    """A further cat starts at step one with its own log; an unnamed, untouched first cat is replaced."""
    cleaned = clean_name(name)
    if cleaned is None:
        raise ProgressError("empty name")
    key = cat_key(cleaned)
    if key in household.cats:
        household.active = key
        return household.active_cat
    unnamed = household.cats.get(UNNAMED)
    if unnamed is not None and unnamed.step == 1 and not unnamed.sessions:
        del household.cats[UNNAMED]
    if len(household.cats) >= MAX_CATS:
        raise ProgressError("too many cats")
    household.cats[key] = CatProgress(cleaned, 1, today.isoformat())
    household.active = key
    return household.active_cat


def reset_active_cat(household: Household, today: datetime.date) -> CatProgress:
    """ "Start training over": back to step one with an empty log; the name stays."""
    cat = household.active_cat
    cat.step = 1
    cat.started_on = today.isoformat()
    cat.sessions = []
    cat.finished_on = None
    return cat


def sessions_at_step(cat: CatProgress) -> list[PracticeSession]:
    """Practice at the current step since the owner last arrived at it (runs end at other steps)."""
    recent: list[PracticeSession] = []
    for session in reversed(cat.sessions):
        if session.step != cat.step:
            break
        recent.append(session)
    return list(reversed(recent))


def calm_streak(cat: CatProgress) -> list[PracticeSession]:
    """The calm sessions in a row at the current step, most recent last."""
    streak: list[PracticeSession] = []
    for session in reversed(sessions_at_step(cat)):
        if session.outcome != "calm":
            break
        streak.append(session)
    return list(reversed(streak))


def readiness(cat: CatProgress) -> str:
    """What the guide would advise now.

    ``not_started``: nothing logged at this step; ``ease_off``: the last session was scary, go back
    to easier practice; ``go_gently``: some stress last time, stay here with shorter sessions;
    ``building``: calm so far but not yet over several sessions on different days; ``ready``: calm
    over several sessions on different days, so the next step can be suggested.
    """
    at_step = sessions_at_step(cat)
    if not at_step:
        return "not_started"
    last = at_step[-1].outcome
    if last == "scared":
        return "ease_off"
    if last == "some_stress":
        return "go_gently"
    streak = calm_streak(cat)
    days = {session.date for session in streak}
    if len(streak) >= READY_CALM_SESSIONS and len(days) >= READY_DIFFERENT_DAYS:
        return "ready"
    return "building"


@dataclass(frozen=True)
class Summary:
    """What "how is my cat doing?" reports, ready for a template."""

    name: str | None
    step: int
    sessions_at_step: int
    calm_streak: int
    calm_days: int
    days_since_start: int
    last_outcome: str | None
    readiness: str
    finished: bool
    calm_needed: int
    days_needed: int


def summarize(cat: CatProgress, today: datetime.date) -> Summary:
    at_step = sessions_at_step(cat)
    streak = calm_streak(cat)
    calm_days = len({session.date for session in streak})
    try:
        started = datetime.date.fromisoformat(cat.started_on)
        days = max(0, (today - started).days)
    except ValueError:
        days = 0
    return Summary(
        name=cat.name,
        step=cat.step,
        sessions_at_step=len(at_step),
        calm_streak=len(streak),
        calm_days=calm_days,
        days_since_start=days,
        last_outcome=at_step[-1].outcome if at_step else None,
        readiness=readiness(cat),
        finished=cat.finished_on is not None,
        calm_needed=max(0, READY_CALM_SESSIONS - len(streak)),
        days_needed=max(0, READY_DIFFERENT_DAYS - calm_days),
    )
