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
