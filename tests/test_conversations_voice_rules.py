"""The rules every response follows, checked on every chunk of every step and topic in one long session."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from skill.content import guide
from skill.speech import seconds_to_say

MAX_SECONDS = 25


def assert_voice_rules(turn) -> None:
    """Valid SSML, a reprompt exactly when listening, a card, and short enough to listen to."""
    root = ET.fromstring(turn.ssml)
    assert root.tag == "speak", turn.said
    if turn.ends_session:
        assert turn.reprompt_ssml is None, turn.said
    else:
        assert turn.reprompt_ssml, turn.said
        assert ET.fromstring(turn.reprompt_ssml).tag == "speak"
    assert turn.card and turn.card.get("title") and turn.card.get("content"), turn.said
    assert seconds_to_say(turn.ssml) <= MAX_SECONDS, f"{turn.said!r} takes {seconds_to_say(turn.ssml):.1f}s"


def hear_everything(talk, said: str, chunks: int) -> list:
    """Ask, then say "more" until every chunk has been spoken; returns the turns."""
    turns = [talk.say(said)]
    for _ in range(chunks - 1):
        turns.append(talk.say("more"))
    return turns


@pytest.fixture(scope="module")
def long_conversation():
    """One session that hears every chunk of every step and every topic, plus the navigation words."""
    from skill.simulator.conversation import Conversation

    talk = Conversation()
    content = guide()
    turns = [talk.say("open cat harness coach"), talk.say("help"), talk.say("yes")]
    for step in content.steps:
        turns += hear_everything(talk, f"tell me step {step.number}", len(step.speech))
    for topic in content.topics:
        turns += hear_everything(talk, f"tell me about {topic.aliases[0]}", len(topic.speech))
    for said in ("next", "previous", "repeat", "start over", "more", "no", "what's up", "stop"):
        turns.append(talk.say(said))
    return turns


def test_every_step_and_topic_chunk_was_spoken(long_conversation):
    heard = " ".join(turn.speech for turn in long_conversation)
    for entry in guide().entries:
        for chunk in entry.speech:
            assert chunk in heard, f"{entry.id}: chunk never spoken: {chunk[:40]}"


def test_every_response_follows_the_voice_rules(long_conversation):
    for turn in long_conversation:
        assert_voice_rules(turn)


def test_the_long_session_stays_open_until_stop(long_conversation):
    assert all(not turn.ends_session for turn in long_conversation[:-1])
    assert long_conversation[-1].ends_session


def test_every_chunk_alone_is_short_enough_to_say():
    for entry in guide().entries:
        for chunk in entry.speech:
            assert seconds_to_say(f"<speak>{chunk}</speak>") <= MAX_SECONDS - 5, entry.id


@pytest.mark.parametrize(
    "said",
    ["ask cat harness coach whether a collar is okay", "ask cat harness coach what are the warning signs",
     "ask cat harness coach for step five", "ask cat harness coach is rolling normal"],
)
def test_one_shot_answers_follow_the_voice_rules_and_end(talk, said):
    turn = talk.say(said)
    assert turn.ends_session
    assert_voice_rules(turn)
