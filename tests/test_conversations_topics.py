"""Asking about every part of the guide, in words the interaction model knows, and hearing the facts."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from skill.simulator.envelopes import intent_request
from skill.simulator.nlu import IntentMatch, SlotFill


def question_intent(query: str) -> dict:
    """A QuestionIntent as Alexa sends it, with exactly these words in the SearchQuery slot."""
    return intent_request(IntentMatch("QuestionIntent", {"query": SlotFill("query", query, "AMAZON.SearchQuery")}))

# (what the user says, words the answer must contain). Each row is one topic from issue 2.
TOPICS = [
    ("tell me step one", ["step one, meeting the harness", "quiet room", "sniff"]),
    ("what's step two", ["step two, moving in the harness", "familiar room"]),
    ("go to step three", ["step three, the leash indoors", "trail", "don't hold it yet"]),
    ("tell me about step four", ["step four, calm at the door", "open door", "without going through"]),
    ("read step five", ["step five, first trips outside", "one to three minutes", "yard"]),
    ("what are the steps", ["five steps", "meeting the harness", "first trips outside"]),
    ("why should i harness train my cat", ["stimulation", "boredom"]),
    ("is my cat a good candidate", ["confident", "curiosity"]),
    ("which cats shouldn't be harness trained", ["fearful", "panicked", "freeze or thrash"]),
    ("which harness should i get", ["escape-resistant", "two fingers", "snug"]),
    ("is a retractable leash okay", ["retractable", "snap tight", "control", "light, short leash"]),
    ("can i use a collar instead", ["never use a collar", "harness"]),
    ("can i use a dog harness", ["don't use dog harnesses", "cat harness"]),
    ("which treats should i use", ["freeze-dried", "lickable", "right after"]),
    ("what are the common mistakes", ["rushing", "forcing", "dog harnesses"]),
    ("what are the safety rules", ["never leave", "microchip", "dog-walking", "first sign of fear"]),
    ("what are the warning signs", ["ears", "hissing", "end the session"]),
    ("is freezing normal", ["normal", "freeze"]),
    ("why is my cat walking low", ["normal", "low to the ground"]),
    ("is it normal for my cat to roll", ["normal", "roll over"]),
    ("why does my cat back up in the harness", ["normal", "walk backwards"]),
    ("what if my cat bolts out the door", ["close the door", "step four"]),
    ("where should we go the first time outside", ["private and quiet", "yard", "one to three minutes"]),
    ("how long should the first walk be", ["one to three minutes"]),
    ("how long should an outdoor session last", ["one to three minutes", "relaxed"]),
    ("can kittens be leash trained", ["kittens", "vaccinations"]),
    ("when can my kitten go outside", ["vaccinations"]),
    ("how long does harness training take", ["days", "weeks"]),
    ("what if my cat refuses the harness", ["normal", "optional", "stop"]),
    ("can harness training fix behaviour problems", ["anxiety", "aggression", "vet"]),
    ("what is clicker training", ["exact moment", "reward"]),
    ("when should i click", ["step one", "step four", "by the door", "outside"]),
    ("does harness training replace playtime", ["never replaces", "puzzle feeders"]),
    ("should i bring a carrier", ["carrier", "safe place"]),
    ("what time of day should we go out", ["dog-walking", "quieter time"]),
    ("is harness training safe", ["escape-proof", "supervise"]),
    ("does my cat need a microchip", ["microchip", "backup"]),
    ("how do i hold the leash", ["follow your cat", "never pull", "slack"]),
]


@pytest.mark.parametrize(("said", "facts"), TOPICS, ids=[said for said, _ in TOPICS])
def test_every_topic_of_the_guide_is_answered_with_its_facts(talk, said, facts):
    talk.say("open cat harness coach")
    turn = talk.say(said)
    heard = turn.speech.lower()
    for fact in facts:
        assert fact in heard, f"{said!r}: expected {fact!r} in {turn.speech!r}"
    assert not turn.ends_session
    assert turn.reprompt
    assert turn.card and turn.card["content"]


def test_retractable_leash_answer_explains_why(talk):
    talk.say("open cat harness coach")
    heard = talk.say("can i use a retractable leash").speech.lower()
    assert "retractable" in heard and "without warning" in heard and "control" in heard


def test_collar_answer_is_never(talk):
    talk.say("open cat harness coach")
    heard = talk.say("can i use a collar instead").speech
    assert heard.startswith("No.")
    assert "Never use a collar" in heard


def test_warning_signs_say_what_to_do_next_time(talk):
    talk.say("open cat harness coach")
    first = talk.say("what are the warning signs")
    assert "calmly end the session" in first.speech
    rest = talk.say("yes")
    assert "easier step" in rest.speech and "shorter" in rest.speech


def test_candidates_answer_goes_on_to_cats_that_may_struggle(talk):
    talk.say("open cat harness coach")
    first = talk.say("which cats struggle")
    assert "Want to hear more?" in first.speech
    assert "fearful" in talk.say("more").speech


URGENT = [
    "my cat is panicking",
    "she's hissing",
    "he's trying to escape",
    "what do i do my cat is hissing at everything",
    "help my cat is freaking out right now",
    # These match progress phrasings ("my cat is {milestone}") and must still reach the safety answer.
    "my cat is thrashing on the leash",
    "she's freaking out in the harness",
]


@pytest.mark.parametrize("said", URGENT)
def test_urgent_phrases_get_the_calm_safety_answer_first(talk, said):
    talk.say("open cat harness coach")
    turn = talk.say(said)
    assert turn.speech.startswith("Stay calm and quiet.")
    assert "End the session now" in turn.speech
    assert "go quietly inside" in turn.speech
    assert len(turn.speech.split("When you're both safe")[0].split()) <= 40
    assert "Want to hear more?" not in turn.speech
    assert "settle" in talk.say("more").speech


def test_urgent_free_text_goes_through_the_question_intent_and_still_comes_first(talk):
    talk.say("open cat harness coach")
    turn = talk.send(question_intent("my cat is hissing and growling at the leash"))
    assert turn.speech.startswith("Stay calm and quiet.")


def test_user_text_with_markup_characters_is_escaped_in_ssml(talk):
    talk.say("open cat harness coach")
    turn = talk.send(question_intent('<b>ears & tail</b> "quoted"'))
    root = ET.fromstring(turn.ssml)
    assert root.tag == "speak"
    assert "<b>" not in turn.ssml
    assert turn.reprompt and not turn.ends_session


def test_unanswerable_question_says_what_the_skill_can_help_with(talk):
    talk.say("open cat harness coach")
    turn = talk.say("how do i train my dog to sit")
    assert turn.speech.startswith("Sorry, I can't help with that one.")
    assert "five harness training steps" in turn.speech
    assert "dog to sit" not in turn.speech
    assert turn.reprompt and not turn.ends_session
