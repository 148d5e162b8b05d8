"""Owners talking the way they do: fillers, statements, ordinals, emergencies by their trigger.

These are the team's own examples of each form (the held-out check part of the utterance bank is
measured in test_understanding.py and never copied here). Each is said through the simulator's
exact-template NLU, so it must reach the skill the way Alexa would deliver it.
"""
from __future__ import annotations

import pytest

URGENT_OPENING = "stay calm and quiet"


@pytest.mark.parametrize(("said", "hears"), [
    ("um okay so what's the second step", "step two, moving in the harness"),
    ("read me the fourth step again", "step four, calm at the door"),
    ("the door one", "step four, calm at the door"),
    ("what's the last step", "step five, first trips outside"),
])
def test_steps_asked_for_by_ordinal_or_reference(talk, said, hears):
    talk.say("open cat harness coach")
    assert hears in talk.say(said).speech.lower()


@pytest.mark.parametrize("said", [
    "there's a dog running straight at us",
    "oh no the neighbour's mower just started and she shot under the bench",
    "his tail is puffed up huge and his ears are pinned back",
    "she wriggled out of the harness and is under a parked car",
])
def test_an_emergency_named_by_its_trigger_or_body_language_gets_the_urgent_answer_first(talk, said):
    talk.say("open cat harness coach")
    turn = talk.say(said)
    assert turn.speech.lower().startswith(URGENT_OPENING)
    assert "want to hear more" not in turn.speech.lower()


def test_a_one_shot_emergency_is_answered_urgently_too(talk):
    turn = talk.say("ask cat harness coach what do i do there's a big dog barking at my cat")
    assert turn.speech.lower().startswith(URGENT_OPENING)


def test_a_question_about_fear_in_general_is_not_treated_as_an_emergency(talk):
    talk.say("open cat harness coach")
    turn = talk.say("is a cat that freaked out at the groomer once a bad fit for harness training")
    assert not turn.speech.lower().startswith(URGENT_OPENING)


def test_a_description_instead_of_a_question_reaches_the_answer(talk):
    talk.say("open cat harness coach")
    turn = talk.say("she keeps flopping onto her side every time the harness goes on")
    assert "normal" in turn.speech.lower()


def test_off_topic_hears_it_cannot_help_with_that_one_without_its_words_read_back(talk):
    talk.say("open cat harness coach")
    turn = talk.say("what is the capital of france")
    assert turn.speech.startswith("Sorry, I can't help with that one.")
    assert "france" not in turn.speech.lower()
    assert not turn.ends_session and turn.reprompt
    turn = talk.say("order me a pizza")
    assert turn.speech.startswith("Sorry, I can't help with that one.")
    assert "pizza" not in turn.speech.lower()


def test_progress_said_in_other_words_is_logged(talk):
    talk.say("open cat harness coach")
    talk.say("my cat's name is luna")
    turn = talk.say("we had a practice just now and she was totally chill")
    assert "calm" in turn.speech.lower()


def test_the_word_that_opens_a_question_reaches_the_skill(talk):
    # Alexa hands over only a carrier's free text; "how" opens its own carrier, so "how long" still asks how long.
    talk.say("open cat harness coach")
    turn = talk.say("how long should we stay out there the first couple of times")
    assert turn.intent == "OpensWithHowIntent"
    assert turn.speech.startswith("Keep the first outdoor sessions to about one to three minutes.")


def test_the_number_that_closes_a_sentence_reaches_the_skill(talk):
    # "okay {query}" and "{query} two" both fit; "two" closes its own carrier, so the step is not lost.
    talk.say("open cat harness coach")
    talk.say("my cat's name is biscuit")
    turn = talk.say("okay so biscuit has now completed step two")
    assert turn.intent == "ClosesWithTwoIntent"
    assert turn.speech.startswith("Nice work. Biscuit is on step three now")
    assert talk.say("where are we").speech.startswith("Biscuit is on step three")


def test_a_sentence_caught_by_a_short_sample_is_answered_for_what_it_says(talk):
    # "i think {outcome}" also matches this sentence; its words say a step is done, not how a practice went.
    talk.say("open cat harness coach")
    turn = talk.say("i think she finished step one she ignores the harness completely now")
    assert turn.intent == "SessionOutcomeIntent"
    assert "on step two now" in turn.speech
    assert talk.say("where are we").speech.startswith("Your cat is on step two")


def test_a_name_said_with_more_after_it_keeps_only_the_name(talk):
    talk.say("open cat harness coach")
    turn = talk.say("her name's pepper she's a rescue")
    assert turn.speech.startswith("Hello, Pepper!")
    assert "Pepper is on step one" in talk.say("how's pepper doing").speech


@pytest.mark.parametrize(("said", "hears"), [
    ("what comes right after the leash bit", "step four, calm at the door"),
    ("the one before the door step", "step three, the leash indoors"),
    ("what's the step after step one", "step two, moving in the harness"),
    ("okay after the door practice what's next", "step five, first trips outside"),
    ("the second to last step", "step four, calm at the door"),
    ("the middle step", "step three, the leash indoors"),
])
def test_a_step_placed_by_its_neighbour_or_its_place_in_the_plan_is_read(talk, said, hears):
    talk.say("open cat harness coach")
    assert talk.say(said).speech.lower().startswith(hears)


def test_after_a_moment_rather_than_a_step_is_not_a_step(talk):
    talk.say("open cat harness coach")
    turn = talk.say("should i give her a treat after the walk")
    assert not turn.speech.startswith("Step")


@pytest.mark.parametrize("asked", [
    "which step olive is on",
    "give me olive's progress",
    "what step was olive up to",
])
def test_a_cat_named_without_a_naming_phrase_is_still_the_cat_asked_about(talk, asked):
    talk.say("open cat harness coach")
    talk.say("my cat's name is luna")
    talk.say("we're on step three")
    talk.say("switch to olive")
    talk.say("yes")
    assert "Olive is on step one" in talk.say(asked).speech
    assert "Luna is on step three" in talk.say("how's luna getting on").speech


def test_a_cat_to_train_now_named_after_do_is_switched_to(talk):
    talk.say("open cat harness coach")
    talk.say("my cat's name is luna")
    assert "Shall I add Olive" in talk.say("okay now let's do olive").speech


def test_a_threat_shouted_on_its_own_gets_the_urgent_answer_and_a_question_about_it_does_not(talk):
    talk.say("open cat harness coach")
    assert talk.say("oh no a dog").speech.lower().startswith(URGENT_OPENING)
    assert not talk.say("dog harness").speech.lower().startswith(URGENT_OPENING)
