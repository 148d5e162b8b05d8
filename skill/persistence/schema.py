"""How a Household is written down, and how records written by older code are brought up to date.

Schema history:
  1. one cat per account: ``{"name", "step", "started_on", "sessions": [{"date", "step", "outcome", "seconds"}]}``
  2. several cats: ``{"active", "created_on", "cats": [{"key", "name", "step", "started_on", "finished_on",
     "sessions": [[date, step, kind, seconds, outcome], ...]}]}`` -- sessions as short lists to keep items small.
  3. as 2, plus ``"practice"``: the practice being timed (a map, see skill.practice.RunningPractice) or null.

Since schema 2 a record may also hold ``"applied"``: the request ids of its last changes (see
``households``); readers that do not know it ignore it, so it needs no schema bump.

``decode`` migrates step by step to the current schema and raises CorruptRecord for anything it
cannot make sense of; the caller then starts fresh and tells the user.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skill.content import guide
from skill.training import (
    MAX_CATS,
    MAX_SESSIONS_PER_CAT,
    OUTCOMES,
    UNNAMED,
    CatProgress,
    Household,
    PracticeSession,
)

SCHEMA_VERSION = 3


class CorruptRecord(ValueError):
    """A stored record that no migration can turn into a Household."""


def encode(household: Household) -> dict[str, Any]:
    return {
        "active": household.active,
        "created_on": household.created_on,
        "cats": [
            {
                "key": key,
                "name": cat.name,
                "step": cat.step,
                "started_on": cat.started_on,
                "finished_on": cat.finished_on,
                "sessions": [[s.date, s.step, s.kind, s.seconds, s.outcome] for s in cat.sessions],
            }
            for key, cat in household.cats.items()
        ],
        "practice": household.practice,
    }


def applied_ids(record: Any) -> tuple[str, ...]:
    """The request ids a stored record says it applied; nothing for records without a readable list."""
    ids = record.get("applied") if isinstance(record, dict) else None
    if not isinstance(ids, list):
        return ()
    return tuple(value for value in ids if isinstance(value, str))


def decode(record: Any, schema: Any) -> Household:
    """A Household from a stored record of any known schema; CorruptRecord if it cannot be read."""
    if isinstance(schema, bool) or not isinstance(schema, int):
        schema = 1 if isinstance(record, dict) and "step" in record and "cats" not in record else None
    if schema is None or not 1 <= schema <= SCHEMA_VERSION:
        raise CorruptRecord(f"unknown schema {schema!r}")
    try:
        for version in range(schema, SCHEMA_VERSION):
            record = MIGRATIONS[version](record)
        return _household(record)
    except CorruptRecord:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise CorruptRecord(str(error)) from error


def _v1_to_v2(record: dict[str, Any]) -> dict[str, Any]:
    name = record.get("name")
    key = " ".join(name.split()).casefold() if isinstance(name, str) and name.strip() else UNNAMED
    sessions = [
        [s["date"], s.get("step", record["step"]), None, s.get("seconds"), s["outcome"]]
        for s in record.get("sessions", [])
    ]
    started = record.get("started_on") or (sessions[0][0] if sessions else "")
    cat = {"key": key, "name": name if key != UNNAMED else None, "step": record["step"], "started_on": started,
           "finished_on": None, "sessions": sessions}
    return {"active": key, "created_on": started, "cats": [cat]}


def _v2_to_v3(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "practice": None}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise CorruptRecord(f"expected text, got {type(value).__name__}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _step(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= len(guide().steps):
        raise CorruptRecord(f"bad step {value!r}")
    return value


def _session(raw: Any) -> PracticeSession:
    date, step, kind, seconds, outcome = raw
    if outcome not in OUTCOMES:
        raise CorruptRecord(f"bad outcome {outcome!r}")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)):
        raise CorruptRecord("bad seconds")
    return PracticeSession(_text(date), _step(step), _optional_text(kind), seconds, outcome)


def _household(record: Any) -> Household:
    if not isinstance(record, dict) or not isinstance(record.get("cats"), list) or not record["cats"]:
        raise CorruptRecord("no cats")
    cats: dict[str, CatProgress] = {}
    for raw in record["cats"][:MAX_CATS]:
        key = _text(raw["key"])
        cats[key] = CatProgress(
            name=_optional_text(raw.get("name")),
            step=_step(raw["step"]),
            started_on=_text(raw["started_on"]),
            sessions=[_session(s) for s in raw.get("sessions", [])][-MAX_SESSIONS_PER_CAT:],
            finished_on=_optional_text(raw.get("finished_on")),
        )
    active = record.get("active")
    if active not in cats:
        active = next(iter(cats))
    practice = record.get("practice")
    return Household(cats=cats, active=active, created_on=_text(record.get("created_on") or ""),
                     practice=practice if isinstance(practice, dict) else None)
