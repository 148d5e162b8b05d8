"""The progress rules on their own: steps, practice log, readiness and summaries (no I/O)."""
from __future__ import annotations

import datetime

import pytest

from skill.persistence.schema import SCHEMA_VERSION, CorruptRecord, decode, encode
from skill.training import (
    MAX_SESSIONS_PER_CAT,
    Household,
    ProgressError,
    add_cat,
    finish_step,
    log_practice,
    name_active_cat,
    readiness,
    reset_active_cat,
    set_step,
    summarize,
    switch_cat,
)

DAY1 = datetime.date(2024, 5, 1)


def day(n: int) -> datetime.date:
    return DAY1 + datetime.timedelta(days=n - 1)


def test_a_new_household_has_one_unnamed_cat_at_step_one_and_no_progress():
    home = Household.new(DAY1)
    assert home.active_cat.step == 1
    assert home.active_cat.name is None
    assert not home.has_progress


def test_log_practice_records_date_step_duration_and_outcome_for_the_active_cat():
    home = Household.new(DAY1)
    set_step(home, 3, DAY1, last_step=5)
    session = log_practice(home, outcome="calm", today=day(2), seconds=120, kind="leash")
    assert (session.date, session.step, session.seconds, session.kind, session.outcome) == \
        ("2024-05-02", 3, 120, "leash", "calm")
    assert home.active_cat.sessions == [session]
    assert home.has_progress


def test_unknown_outcomes_and_steps_are_refused():
    home = Household.new(DAY1)
    with pytest.raises(ProgressError):
        log_practice(home, outcome="meh", today=DAY1)
    with pytest.raises(ProgressError):
        set_step(home, 6, DAY1, last_step=5)


def test_calm_sessions_on_one_day_are_not_yet_ready_but_several_days_are():
    home = Household.new(DAY1)
    for _ in range(3):
        log_practice(home, outcome="calm", today=DAY1)
    assert readiness(home.active_cat) == "building"
    log_practice(home, outcome="calm", today=day(2))
    log_practice(home, outcome="calm", today=day(3))
    assert readiness(home.active_cat) == "ready"


def test_a_scary_session_means_ease_off_and_resets_the_calm_streak():
    home = Household.new(DAY1)
    for n in (1, 2, 3):
        log_practice(home, outcome="calm", today=day(n))
    log_practice(home, outcome="scared", today=day(4))
    assert readiness(home.active_cat) == "ease_off"
    log_practice(home, outcome="calm", today=day(5))
    summary = summarize(home.active_cat, day(5))
    assert summary.calm_streak == 1
    assert summary.readiness == "building"


def test_some_stress_means_go_gently():
    home = Household.new(DAY1)
    log_practice(home, outcome="some_stress", today=DAY1)
    assert readiness(home.active_cat) == "go_gently"


def test_sessions_at_an_earlier_step_do_not_count_towards_the_current_one():
    home = Household.new(DAY1)
    for n in (1, 2, 3):
        log_practice(home, outcome="calm", today=day(n))
    finish_step(home, day(3), last_step=5)
    summary = summarize(home.active_cat, day(4))
    assert (summary.step, summary.sessions_at_step, summary.readiness) == (2, 0, "not_started")
    assert summary.days_since_start == 3


def test_finishing_is_the_owners_call_and_says_whether_the_log_agreed():
    home = Household.new(DAY1)
    rushed = finish_step(home, DAY1, last_step=5)
    assert (rushed.step, rushed.suggested_ready) == (2, False)
    for n in (1, 2, 3):
        log_practice(home, outcome="calm", today=day(n))
    ready = finish_step(home, day(3), 2, last_step=5)
    assert (ready.finished, ready.step, ready.suggested_ready) == (2, 3, True)


def test_finishing_an_earlier_step_does_not_move_the_cat_back():
    home = Household.new(DAY1)
    set_step(home, 4, DAY1, last_step=5)
    result = finish_step(home, DAY1, 1, last_step=5)
    assert result.already_past and home.active_cat.step == 4


def test_finishing_the_last_step_marks_training_done_and_going_back_reopens_it():
    home = Household.new(DAY1)
    set_step(home, 5, DAY1, last_step=5)
    result = finish_step(home, day(9), last_step=5)
    assert result.all_done and home.active_cat.finished_on == "2024-05-09"
    change = set_step(home, 4, day(10), last_step=5)
    assert change.back and home.active_cat.finished_on is None


def test_naming_the_first_cat_then_adding_and_switching_keeps_separate_progress():
    home = Household.new(DAY1)
    set_step(home, 3, DAY1, last_step=5)
    assert name_active_cat(home, "luna").kind == "named"
    assert home.active_cat.name == "Luna" and home.active_cat.step == 3
    milo = add_cat(home, "Milo", day(2))
    assert (milo.name, milo.step, home.active) == ("Milo", 1, "milo")
    log_practice(home, outcome="scared", today=day(2))
    luna = switch_cat(home, "LUNA")
    assert luna.step == 3 and luna.sessions == []
    assert sorted(home.names()) == ["Luna", "Milo"]
    assert name_active_cat(home, "milo").kind == "switched"


def test_adding_a_named_cat_replaces_an_untouched_unnamed_one():
    home = Household.new(DAY1)
    add_cat(home, "Milo", DAY1)
    assert list(home.cats) == ["milo"]


def test_switching_to_an_unknown_cat_is_refused():
    with pytest.raises(ProgressError):
        switch_cat(Household.new(DAY1), "Nobody")


def test_reset_goes_back_to_step_one_with_an_empty_log_and_keeps_the_name():
    home = Household.new(DAY1)
    name_active_cat(home, "Luna")
    set_step(home, 4, DAY1, last_step=5)
    log_practice(home, outcome="calm", today=DAY1)
    cat = reset_active_cat(home, day(5))
    assert (cat.name, cat.step, cat.sessions, cat.started_on) == ("Luna", 1, [], "2024-05-05")


def test_the_log_keeps_only_the_most_recent_sessions():
    home = Household.new(DAY1)
    for _ in range(MAX_SESSIONS_PER_CAT + 5):
        log_practice(home, outcome="calm", today=DAY1)
    assert len(home.active_cat.sessions) == MAX_SESSIONS_PER_CAT


def test_records_round_trip_through_the_current_schema():
    home = Household.new(DAY1)
    name_active_cat(home, "Luna")
    log_practice(home, outcome="some_stress", today=DAY1, seconds=90, kind="harness")
    add_cat(home, "Milo", day(2))
    assert decode(encode(home), SCHEMA_VERSION) == home


def test_schema_one_single_cat_records_are_migrated():
    old = {"name": "Luna", "step": 2, "started_on": "2024-01-01",
           "sessions": [{"date": "2024-01-02", "step": 2, "outcome": "calm", "seconds": 60}]}
    home = decode(old, 1)
    assert home.active_cat.name == "Luna" and home.active_cat.step == 2
    assert home.active_cat.sessions[0].outcome == "calm"
    assert decode(old, None).active_cat.step == 2  # items written before the schema attribute existed


@pytest.mark.parametrize("record,schema", [
    ("garbage", 2), ({"cats": []}, 2), ({"cats": [{"key": "x", "step": 9, "started_on": ""}]}, 2),
    ({"cats": [{"key": "x", "step": 1, "started_on": "", "sessions": [["d", 1, None, None, "bad"]]}]}, 2),
    ({"active": "x"}, 99), (None, None),
])
def test_unreadable_records_are_reported_as_corrupt(record, schema):
    with pytest.raises(CorruptRecord):
        decode(record, schema)
