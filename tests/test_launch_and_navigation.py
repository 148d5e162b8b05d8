"""Conversations about moving through the five steps."""
from __future__ import annotations


def test_open_welcomes_and_keeps_listening(talk):
    turn = talk.say("open cat harness coach")
    assert "Welcome to Cat Harness Coach" in turn.speech
    assert turn.speech.rstrip().endswith("?")
    assert turn.reprompt and not turn.ends_session


def test_yes_after_welcome_starts_step_one_and_next_goes_on(talk):
    talk.say("open cat harness coach")
    assert talk.say("yes").speech.startswith("Step one, meeting the harness.")
    assert talk.say("next").speech.startswith("Step two")
    assert talk.say("go back").speech.startswith("Step one")
    assert talk.say("go to step five").speech.startswith("Step five")


def test_repeat_replays_the_last_answer_exactly(talk):
    talk.say("open cat harness coach")
    answer = talk.say("tell me step three")
    again = talk.say("repeat that")
    assert again.ssml == answer.ssml
    assert again.reprompt_ssml == answer.reprompt_ssml
    assert again.card == answer.card


def test_one_shot_answers_and_ends(talk):
    turn = talk.say("ask cat harness coach whether a collar is okay")
    assert "collar" in turn.speech.lower()
    assert turn.ends_session
    assert turn.reprompt is None


def test_open_shows_a_card_and_says_what_you_can_ask(talk):
    turn = talk.say("open cat harness coach")
    assert turn.card and turn.card["title"] == "Cat Harness Coach"
    assert "warning signs" in turn.speech


def test_no_to_the_welcome_offer_keeps_listening(talk):
    talk.say("open cat harness coach")
    turn = talk.say("no")
    assert "What else would you like to know?" in turn.speech
    assert not turn.ends_session and turn.reprompt


def test_saying_a_step_number_in_words_or_ordinals(talk):
    talk.say("open cat harness coach")
    assert talk.say("skip to step four").speech.startswith("Step four, calm at the door.")
    assert talk.say("step number two").speech.startswith("Step two")
