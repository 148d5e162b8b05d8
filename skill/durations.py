"""Lengths of time as Alexa sends them (ISO-8601, AMAZON.DURATION) and as the skill says them.

One parser for every spoken length (a practice to log, a practice to time), with a named problem
for each way a length can be unusable, so each gets its own spoken correction. isodate is
imported on the first parse: lengths are never part of a launch.
"""
from __future__ import annotations

from skill.speech import number_words

MIN_SECONDS = 1

# Why a spoken length was refused; each has its own spoken correction in timer_bad_length.
MISSING = "missing"
ZERO = "zero"
NEGATIVE = "negative"
UNPARSEABLE = "unparseable"
TOO_LONG = "too_long"


class LengthCheck:
    """A checked session length: ``seconds`` when usable, otherwise ``problem`` says why not."""

    __slots__ = ("seconds", "problem")

    def __init__(self, seconds: int | None = None, problem: str | None = None) -> None:
        self.seconds = seconds
        self.problem = problem

    @property
    def ok(self) -> bool:
        return self.problem is None


def check(value: str | None, *, longest: int) -> LengthCheck:
    """Turn an AMAZON.DURATION value into whole seconds up to ``longest``, or name what is wrong with it."""
    if value is None or not value.strip():
        return LengthCheck(problem=MISSING)
    text = value.strip().upper()
    if not any(c.isdigit() for c in text):
        return LengthCheck(problem=UNPARSEABLE)  # isodate reads a bare "PT" as zero
    import isodate

    try:
        parsed = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError, TypeError, OverflowError):
        return LengthCheck(problem=UNPARSEABLE)
    if isinstance(parsed, isodate.Duration):
        # Months or years: no calendar makes that a practice session.
        if parsed.years or parsed.months:
            return LengthCheck(problem=NEGATIVE if (parsed.years < 0 or parsed.months < 0) else TOO_LONG)
        parsed = parsed.tdelta
    seconds = parsed.total_seconds()
    if seconds < 0:
        return LengthCheck(problem=NEGATIVE)
    whole = round(seconds)
    if whole < MIN_SECONDS:
        return LengthCheck(problem=ZERO)
    if whole > longest:
        return LengthCheck(problem=TOO_LONG)
    return LengthCheck(seconds=whole)


def iso_duration(seconds: int) -> str:
    """Whole seconds as the ISO-8601 duration the Timers API expects: 150 -> ``PT2M30S``."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return text if text != "PT" else "PT0S"


def _unit(amount: int, name: str) -> str:
    return f"{number_words(amount)} {name}{'' if amount == 1 else 's'}"


def spoken_length(seconds: int) -> str:
    """How a length is said aloud: "two minutes", "one minute and thirty seconds", "one hour"."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [_unit(n, unit) for n, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")) if n]
    if not parts:
        return "zero seconds"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
