"""Content drives counts and is checked at load: a sixth step is a content change, a broken file says where."""
from __future__ import annotations

from pathlib import Path

import pytest

from skill import content, practice
from skill.config import Settings, SettingsError
from skill.content import ContentError, load_guide

SIXTH_STEP = '''
[[steps]]
number = 6
name = "longer outings"
session_kind = "outdoor"
suggested_seconds = 300
max_advised_seconds = 600
goal = "Let calm outdoor time grow, a little at a time."
ready_when = "Your cat enjoys outings of several minutes on different days."
clicker = "Click and reward relaxed exploring."
speech = ["Let outings grow a minute at a time, only while your cat stays relaxed."]
card = "Step six: longer outings"
'''


def _reload_content() -> None:
    content.guide.cache_clear()
    practice.kinds.cache_clear()


@pytest.fixture
def six_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The shipped guide with a sixth step appended, as an author would add it."""
    path = tmp_path / "guide.toml"
    path.write_text(content.GUIDE_PATH.read_text() + SIXTH_STEP)
    monkeypatch.setattr(content, "GUIDE_PATH", path)
    _reload_content()
    yield
    _reload_content()


def test_with_a_sixth_step_finishing_step_five_moves_on_instead_of_finishing(six_steps, talk):
    talk.say("open cat harness coach")
    talk.say("we're on step five")
    turn = talk.say("we finished step five")
    assert "step six" in turn.speech.lower()
    assert "all five" not in turn.speech.lower()
    assert "step six" in talk.say("yes").speech.lower()


def test_with_a_sixth_step_the_step_counts_follow_the_content(six_steps, talk):
    talk.say("open cat harness coach")
    assert "six steps" in talk.say("tell me step seven").speech.lower()
    talk.say("we're on step six")
    assert "all six steps" in talk.say("we finished step six").speech.lower()


def test_the_shipped_content_holds_together():
    assert [step.number for step in content.guide().steps] == [1, 2, 3, 4, 5]
    assert set(practice.kinds()) == {step.session_kind for step in content.guide().steps}


def test_a_step_whose_practice_kind_has_no_timer_entry_is_named_at_load(tmp_path, monkeypatch):
    path = tmp_path / "guide.toml"
    path.write_text(content.GUIDE_PATH.read_text() + SIXTH_STEP.replace('"outdoor"', '"agility"'))
    monkeypatch.setattr(content, "GUIDE_PATH", path)
    _reload_content()
    try:
        with pytest.raises(ContentError, match=r"timer\.toml: \[kinds\.agility\] \(session_kind of step 6\) is missing"):
            practice.kinds()
    finally:
        _reload_content()


def test_a_gap_in_the_step_numbers_is_named_at_load(tmp_path):
    path = tmp_path / "guide.toml"
    path.write_text(content.GUIDE_PATH.read_text() + SIXTH_STEP.replace("number = 6", "number = 8"))
    with pytest.raises(ContentError, match=r"guide\.toml: step numbers must run 1\.\.6"):
        load_guide(path)


def test_a_step_without_its_practice_kind_is_named_at_load(tmp_path):
    path = tmp_path / "guide.toml"
    path.write_text(content.GUIDE_PATH.read_text() + SIXTH_STEP.replace('session_kind = "outdoor"\n', ""))
    with pytest.raises(ContentError, match=r"guide\.toml: \[\[steps\]\] #6 \(longer outings\) lacks session_kind"):
        load_guide(path)


def test_a_mistyped_store_fails_at_start_naming_the_variable():
    with pytest.raises(SettingsError, match="CHC_STORE='dynamo'"):
        Settings.from_env({"CHC_STORE": "dynamo"})
    assert Settings.from_env({"CHC_STORE": "memory"}).store == "memory"


def test_a_practice_ending_topic_that_the_guide_lacks_is_named_at_load(tmp_path, monkeypatch):
    path = tmp_path / "timer.toml"
    path.write_text(practice.TIMER_CONTENT.read_text().replace('"warning_signs"', '"warning_sign"'))
    monkeypatch.setattr(practice, "TIMER_CONTENT", path)
    practice.ending_topics.cache_clear()
    try:
        with pytest.raises(ContentError, match=r"timer\.toml: \[practice\] ends_on_topics names no guide topic warning_sign"):
            practice.ending_topics()
    finally:
        practice.ending_topics.cache_clear()
