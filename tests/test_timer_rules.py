"""Session lengths, kinds and advice: the pure rules behind the spoken session timer."""
from __future__ import annotations

import pytest

from skill.content import guide
from skill.durations import MISSING, NEGATIVE, TOO_LONG, UNPARSEABLE, ZERO, iso_duration, spoken_length
from skill.practice import (
    RunningPractice,
    announce_text,
    check_length,
    is_far_beyond_advice,
    kind_for,
    kind_from_label,
    kinds,
    timer_label,
)


@pytest.mark.parametrize(("value", "seconds"), [
    ("PT2M", 120),
    ("PT90S", 90),
    ("PT30S", 30),
    ("PT1M30S", 90),
    ("PT1.5M", 90),
    ("pt2m", 120),
    (" PT5M ", 300),
    ("PT1H", 3600),
    ("PT2H", 7200),          # the Timers API limit itself is allowed
    ("PT1S", 1),
    ("PT0.6S", 1),           # rounds to a whole second
    ("P0DT10M", 600),
])
def test_valid_lengths_become_whole_seconds(value, seconds):
    check = check_length(value)
    assert check.ok and check.seconds == seconds


@pytest.mark.parametrize(("value", "problem"), [
    (None, MISSING),
    ("", MISSING),
    ("   ", MISSING),
    ("PT0S", ZERO),
    ("PT0M", ZERO),
    ("P0D", ZERO),
    ("PT0.4S", ZERO),
    ("-PT2M", NEGATIVE),
    ("PT2H0M1S", TOO_LONG),  # one second over the API's two hours
    ("PT3H", TOO_LONG),
    ("P1D", TOO_LONG),
    ("P1M", TOO_LONG),       # a month: ISO months are calendar units
    ("P2Y", TOO_LONG),
    ("PT999999999H", TOO_LONG),
    ("?", UNPARSEABLE),
    ("two minutes", UNPARSEABLE),
    ("PT", UNPARSEABLE),
    ("2M", UNPARSEABLE),
    ("PTXM", UNPARSEABLE),
])
def test_unusable_lengths_say_why(value, problem):
    check = check_length(value)
    assert not check.ok and check.seconds is None and check.problem == problem


@pytest.mark.parametrize(("seconds", "iso", "spoken"), [
    (120, "PT2M", "two minutes"),
    (90, "PT1M30S", "one minute and thirty seconds"),
    (30, "PT30S", "thirty seconds"),
    (1, "PT1S", "one second"),
    (3600, "PT1H", "one hour"),
    (3725, "PT1H2M5S", "one hour, two minutes and five seconds"),
    (2700, "PT45M", "forty five minutes"),
])
def test_lengths_are_written_for_the_api_and_said_as_words(seconds, iso, spoken):
    assert iso_duration(seconds) == iso
    assert check_length(iso).seconds == seconds
    assert spoken_length(seconds) == spoken


def test_every_step_has_a_session_kind_with_a_reminder_and_an_announcement():
    assert [kinds()[s.session_kind].step.number for s in guide().steps] == [1, 2, 3, 4, 5]
    assert set(kinds()) == {"harness", "indoor", "leash", "doorway", "outdoor"}
    for kind in kinds().values():
        assert kind.reminder and len(kind.reminder.split()) <= 30
        assert "{cat}" in kind.announce


def test_the_outdoor_reminder_covers_the_guides_safety_rules():
    reminder = kinds()["outdoor"].reminder.lower()
    for point in ("beside your cat", "microchip", "id tag", "ears and tail", "fear"):
        assert point in reminder


def test_the_kind_follows_the_owner_or_else_the_cats_step():
    assert kind_for("outdoor", 1).id == "outdoor"
    assert kind_for(None, 3).id == "leash"
    assert kind_for(None, None).id == "harness"
    assert kind_for("swimming", 4).id == "doorway"
    assert kind_for(None, 99).id == "harness"


@pytest.mark.parametrize(("kind", "seconds", "far_beyond"), [
    ("outdoor", 120, False),
    ("outdoor", 180, False),   # the guide's upper end for first trips outside
    ("outdoor", 181, True),
    ("outdoor", 2700, True),   # 45 minutes on a first outdoor session
    ("harness", 120, False),   # step one starts at a few seconds; two minutes is its upper end
    ("harness", 121, True),
    ("leash", 600, False),
])
def test_lengths_far_beyond_the_guides_advice_for_the_stage_are_flagged(kind, seconds, far_beyond):
    assert is_far_beyond_advice(seconds, kinds()[kind].step.number) is far_beyond


def test_the_suggested_length_comes_from_the_step():
    assert kinds()["outdoor"].suggested_seconds == guide().step(5).suggested_seconds == 120
    assert kinds()["harness"].suggested_seconds == guide().step(1).suggested_seconds


def test_the_announcement_names_the_cat_when_known():
    outdoor = kinds()["outdoor"]
    assert announce_text(outdoor, "Luna") == "Time to end Luna's outdoor session, head back in calmly."
    assert "your cat's outdoor session" in announce_text(outdoor, None)


def test_labels_are_unique_per_session_and_name_their_kind():
    outdoor = kinds()["outdoor"]
    first, second = timer_label(outdoor, "a1b2"), timer_label(outdoor, "c3d4")
    assert first != second and first == "Outdoor session a1b2"
    assert kind_from_label(first) is outdoor
    assert kind_from_label("Pasta") is None and kind_from_label(None) is None


def test_a_running_session_counts_practice_time_without_pauses():
    session = RunningPractice(label="Outdoor session a1b2", kind="outdoor", seconds=120, started_at=1000.0)
    assert session.remaining(1030) == 90
    session.pause(1030)
    assert session.remaining(1090) == 90 and session.paused
    session.resume(1090)
    assert session.elapsed(1120) == 60 and session.remaining(1120) == 60
    assert session.remaining(5000) == 0


def test_a_running_session_survives_session_attributes_and_rejects_junk():
    session = RunningPractice(label="Leash session x", kind="leash", seconds=60, started_at=5.0, timer_id="t1")
    assert RunningPractice.from_dict(session.to_dict()) == session
    for junk in (None, "x", {}, {"label": "x", "kind": "flying", "seconds": 1, "started_at": 0},
                 {"label": "x", "kind": "leash", "seconds": "many", "started_at": 0}):
        assert RunningPractice.from_dict(junk) is None
