"""Which practice fits which step, what is easier after a scare, and how long a kept practice is asked about."""
from __future__ import annotations

import pytest

from skill.practice import (
    AHEAD,
    ASK,
    ASK_ABOUT_WITHIN_SECONDS,
    EARLIER,
    FITS,
    RUNNING,
    STALE,
    RunningPractice,
    easier_kind,
    fit,
    kinds,
    status,
    step_of,
)


@pytest.mark.parametrize(("kind", "cat_step", "expected"), [
    ("harness", 1, FITS),
    ("indoor", 1, AHEAD),
    ("outdoor", 1, AHEAD),
    ("outdoor", 4, AHEAD),
    ("outdoor", 5, FITS),
    ("harness", 3, EARLIER),
    ("doorway", 4, FITS),
    ("leash", None, AHEAD),   # unknown step counts as step one
])
def test_each_practice_kind_belongs_to_a_step(kind, cat_step, expected):
    assert fit(kinds()[kind], cat_step) == expected


@pytest.mark.parametrize(("kind", "cat_step", "easier"), [
    ("outdoor", 5, "doorway"),
    ("doorway", 4, "leash"),
    ("harness", 1, "harness"),   # nothing is easier than step one
    ("outdoor", 2, "harness"),   # an insisted-on practice ahead: easier than the cat's own step
    ("harness", 3, "harness"),
])
def test_after_a_scare_the_easier_practice_is_the_step_before(kind, cat_step, easier):
    assert easier_kind(kinds()[kind], cat_step).id == easier


def test_step_one_starts_at_a_few_seconds():
    assert step_of(1).suggested_seconds <= 10
    assert step_of(None).number == 1


START = 1_000_000.0


def practice(**changes) -> RunningPractice:
    kept = RunningPractice(label="Outdoor session 1a2b3c4d", kind="outdoor", seconds=120, started_at=START)
    for key, value in changes.items():
        setattr(kept, key, value)
    return kept


@pytest.mark.parametrize(("kept", "now", "expected"), [
    (practice(), START + 60, RUNNING),
    (practice(), START + 120, ASK),                                   # the timer just rang
    (practice(), START + 120 + ASK_ABOUT_WITHIN_SECONDS, ASK),
    (practice(), START + 121 + ASK_ABOUT_WITHIN_SECONDS, STALE),      # hours old: closed quietly
    (practice(ended_at=START + 50), START + 60, ASK),                 # "we're done", then walked away
    (practice(ended_at=START + 50), START + 51 + ASK_ABOUT_WITHIN_SECONDS, STALE),
    (practice(paused_at=START + 30), START + 3600, RUNNING),
    (practice(paused_at=START + 30), START + 31 + ASK_ABOUT_WITHIN_SECONDS, STALE),
])
def test_a_kept_practice_is_running_worth_asking_about_or_stale(kept, now, expected):
    assert status(kept, now) == expected


@pytest.mark.parametrize(("kept", "now", "seconds"), [
    (practice(), START + 45, 45),
    (practice(), START + 4000, 120),                      # walked away: the timer rang at two minutes
    (practice(ended_at=START + 50), START + 4000, 50),
    (practice(paused_total=20.0), START + 4000, 120),
    (practice(paused_total=20.0, ended_at=START + 80), START + 4000, 60),
])
def test_the_logged_length_is_the_real_length(kept, now, seconds):
    assert kept.practised(now) == seconds


def test_schema_three_keeps_the_running_practice_and_migrates_schema_two_records():
    import datetime

    from skill.persistence.schema import SCHEMA_VERSION, decode, encode
    from skill.training import Household

    home = Household.new(datetime.date(2026, 12, 2))
    home.practice = practice(ended_at=START + 50).to_dict()
    assert SCHEMA_VERSION == 3
    assert decode(encode(home), 3).practice == home.practice
    older = {key: value for key, value in encode(home).items() if key != "practice"}
    assert decode(older, 2).practice is None
