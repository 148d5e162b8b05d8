"""Conversations about training progress, with the skill keeping it in a local SQLite file."""
from __future__ import annotations

import pytest

from skill.builder import build_skill, handle_event
from skill.config import Settings
from skill.persistence.memory import MemoryStore
from skill.persistence.sqlite import SQLiteStore
from skill.persistence.store import StoreUnavailable
from skill.simulator.conversation import Conversation


@pytest.fixture
def store(tmp_path):
    return SQLiteStore(tmp_path / "progress.sqlite3")


def user(store, name: str = "alice") -> Conversation:
    skill = build_skill(Settings(store="sqlite"), store=store)
    return Conversation(handler=lambda event: handle_event(event, skill=skill), user_id=f"amzn1.ask.account.{name}")


@pytest.fixture
def talk(store) -> Conversation:
    return user(store)


def test_a_new_user_hears_how_to_start(talk):
    opening = talk.say("open cat harness coach")
    assert opening.speech.startswith("Welcome to Cat Harness Coach")
    assert talk.say("yes").speech.startswith("Step one")


def test_a_returning_user_is_greeted_with_where_they_left_off_on_any_device(store, talk):
    talk.say("open cat harness coach")
    talk.say("my cat's name is Luna")
    talk.say("we finished step two")
    talk.say("stop")
    kitchen = user(store)  # same account, another Echo
    opening = kitchen.say("open cat harness coach")
    assert opening.speech.startswith("Welcome back. Luna is on step three, the leash indoors.")
    assert opening.speech.endswith("Would you like to hear step three?")
    assert kitchen.say("yes").speech.startswith("Step three")


def test_what_step_and_whats_next_use_the_households_step(store, talk):
    talk.say("open cat harness coach")
    talk.say("we're on step four")
    talk.say("stop")
    talk.say("open cat harness coach")
    assert talk.say("what step are we on").speech.startswith("Your cat is on step four, calm at the door.")
    assert talk.say("what's next").speech.startswith("Step four")
    assert talk.say("next").speech.startswith("Step five")


def test_going_back_a_step_is_welcomed_and_offers_the_step(talk):
    talk.say("open cat harness coach")
    talk.say("we're on step three")
    back = talk.say("go back to step two")
    assert "back on step two" in back.speech and "no rush" in back.speech
    assert talk.say("yes").speech.startswith("Step two")


def test_finishing_early_is_allowed_but_the_coach_suggests_caution(talk):
    talk.say("open cat harness coach")
    finished = talk.say("we finished step one")
    assert "on step two now" in finished.speech
    assert "your call" in finished.speech


def test_milestones_in_plain_words_finish_their_step(talk):
    talk.say("open cat harness coach")
    said = talk.say("my cat is comfortable in the harness now")
    assert "on step two now" in said.speech


def test_logging_practice_and_hearing_the_summary(talk):
    talk.say("open cat harness coach")
    talk.say("my cat's name is Luna")
    logged = talk.say("we practiced for two minutes and she was calm")
    assert "calm two minute session at step one" in logged.speech
    assert "different days" in logged.speech
    summary = talk.say("how is my cat doing")
    assert "Luna is on step one" in summary.speech
    assert "One session at this step, calm." in summary.speech
    assert summary.reprompt and not summary.ends_session


def test_a_scary_session_advises_going_back_to_easier_practice(talk):
    talk.say("open cat harness coach")
    talk.say("we're on step three")
    scared = talk.say("she got scared")
    assert "got scared" in scared.speech
    assert "something easier" in scared.speech and "step two" in scared.speech


def test_a_practice_outcome_is_stored_with_date_step_and_duration(store, talk):
    talk.say("open cat harness coach")
    talk.say("we're on step two")
    talk.say("she was a bit nervous for thirty seconds")
    cat = store.load("amzn1.ask.account.alice").record["cats"][0]
    date, step, kind, seconds, outcome = cat["sessions"][-1]
    assert (step, kind, seconds, outcome) == (2, "indoor", 30, "some_stress")
    assert len(date) == 10


def test_an_outcome_in_words_alexa_cannot_resolve_is_still_logged(store, talk):
    talk.say("open cat harness coach")
    logged = talk.say("she was super calm")
    assert logged.speech.startswith("Lovely, I've noted a calm session at step one.")
    cat = store.load("amzn1.ask.account.alice").record["cats"][0]
    assert [session[-1] for session in cat["sessions"]] == ["calm"]


def test_asking_where_another_cat_is_answers_for_that_cat(talk):
    talk.say("open cat harness coach")
    talk.say("my cat's name is Luna")
    talk.say("we're on step three")
    talk.say("switch to Milo")
    talk.say("yes")
    assert talk.say("where is luna at").speech.startswith("Luna is on step three")


def test_two_cats_each_with_their_own_progress(talk):
    talk.say("open cat harness coach")
    talk.say("my cat's name is Luna")
    talk.say("we're on step three")
    asked = talk.say("switch to Milo")
    assert "Shall I add Milo" in asked.speech
    assert "added Milo, starting at step one" in talk.say("yes").speech
    talk.say("she was calm")
    assert "Milo is on step one" in talk.say("how is milo doing").speech
    assert "Luna is on step three" in talk.say("switch to Luna").speech
    assert "Luna is on step three" in talk.say("how is my cat doing").speech


def test_no_to_adding_a_cat_adds_nothing(talk):
    talk.say("open cat harness coach")
    talk.say("switch to Milo")
    assert "won't add" in talk.say("no").speech
    assert "don't have a cat called Milo" in talk.say("how is milo doing").speech


def test_reset_needs_a_yes(store, talk):
    talk.say("open cat harness coach")
    talk.say("we're on step four")
    assert "Shall I start the training over?" in talk.say("start training over").speech
    assert "just as it was" in talk.say("no").speech
    assert "step four" in talk.say("what step are we on").speech
    talk.say("reset my progress")
    assert "back at the start, on step one" in talk.say("yes").speech
    assert store.load("amzn1.ask.account.alice").record["cats"][0]["step"] == 1


def test_start_over_still_means_back_to_step_one_of_the_guide(talk):
    talk.say("open cat harness coach")
    talk.say("we're on step four")
    assert talk.say("start over").speech.startswith("Step one")
    assert "step four" in talk.say("what step are we on").speech


def test_a_confirmation_does_not_outlive_the_next_turn(talk):
    talk.say("open cat harness coach")
    talk.say("we're on step four")
    talk.say("reset my progress")
    talk.say("tell me about step two")
    talk.say("yes")  # answers "want to hear more?", not the reset question
    assert "step four" in talk.say("what step are we on").speech


def test_delete_my_data_needs_a_yes_and_then_forgets_everything(store, talk):
    talk.say("open cat harness coach")
    talk.say("we're on step four")
    assert "Shall I delete your data?" in talk.say("delete my data").speech
    assert "kept your data" in talk.say("no").speech
    assert store.load("amzn1.ask.account.alice") is not None
    talk.say("delete my data")
    assert "deleted your saved progress" in talk.say("yes").speech
    assert store.load("amzn1.ask.account.alice") is None
    talk.say("stop")
    assert talk.say("open cat harness coach").speech.startswith("Welcome to Cat Harness Coach")


@pytest.mark.parametrize("status,kept", [("NOT_PERSISTED", False), ("PERSISTED", True)])
def test_disabling_the_skill_deletes_data_unless_alexa_keeps_it(store, talk, status, kept):
    talk.say("open cat harness coach")
    talk.say("we're on step two")
    talk.say("stop")
    response = talk.send_event({"type": "AlexaSkillEvent.SkillDisabled",
                                "body": {"userInformationPersistenceStatus": status}})
    assert "outputSpeech" not in response["response"]
    assert (store.load("amzn1.ask.account.alice") is not None) is kept


def test_skill_disabled_for_a_user_with_no_data_is_quiet(talk):
    response = talk.send_event({"type": "AlexaSkillEvent.SkillDisabled",
                                "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"}})
    assert response["response"] == {}


def test_a_one_shot_progress_question_answers_and_ends(store, talk):
    talk.say("open cat harness coach")
    talk.say("we're on step two")
    talk.say("stop")
    turn = talk.say("ask cat harness coach what step are we on")
    assert "step two" in turn.speech and turn.ends_session


class BrokenStore(MemoryStore):
    """A store whose every call fails, as when the database is unreachable."""

    def load(self, user_id):
        raise StoreUnavailable("down")

    def save(self, user_id, record, **kwargs):
        raise StoreUnavailable("down")

    def delete(self, user_id):
        raise StoreUnavailable("down")


def test_when_the_store_is_down_questions_work_and_saving_turns_say_so():
    talk = user(BrokenStore())
    assert talk.say("open cat harness coach").speech.startswith("Welcome to Cat Harness Coach")
    assert talk.say("what are the warning signs").speech
    for saving in ("she was calm", "we're on step two", "my cat's name is Luna"):
        turn = talk.say(saving)
        assert "couldn't save that this time" in turn.speech, saving
        assert not turn.ends_session
    talk.say("delete my data")
    assert "couldn't delete your data" in talk.say("yes").speech


def test_a_delete_verb_about_the_training_offers_to_start_it_over_and_keeps_the_cat(store, talk):
    talk.say("open cat harness coach")
    talk.say("my cat's name is Luna")
    talk.say("we're on step four")
    assert "Shall I start the training over?" in talk.say("wipe her progress").speech
    talk.say("yes")
    assert "Luna is on step one" in talk.say("how is luna doing").speech
    assert "Shall I delete your data?" in talk.say("wipe my data").speech
