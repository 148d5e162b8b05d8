"""Odd requests Alexa (or a forger) can send, each found by fuzzing the Lambda handler: a clear
spoken answer every time, never the error apology, and nothing stored that should not be."""
from __future__ import annotations

import pytest

from skill.simulator import envelopes

APOLOGY = "something went wrong"


def intent(intent_name: str, **slots: dict) -> dict:
    return {"type": "IntentRequest", "dialogState": "STARTED",
            "intent": {"name": intent_name, "confirmationStatus": "NONE",
                       "slots": {key: {"name": key, **value} for key, value in slots.items()}}}


def matched(value: str, resolutions: list) -> dict:
    authority = f"amzn1.er-authority.echo-sdk.{envelopes.DEFAULT_SKILL_ID}.OUTCOME"
    return {"value": value, "resolutions": {"resolutionsPerAuthority": [
        {"authority": authority, "status": {"code": "ER_SUCCESS_MATCH"}, "values": resolutions}]}}


@pytest.mark.parametrize("values", [[{}], [{"value": None}], [{"value": {"name": "calm"}}], []])
def test_a_matched_resolution_without_a_value_is_asked_again(talk, values):
    talk.say("open cat harness coach")
    turn = talk.send(intent("LogPracticeIntent", outcome=matched("calm", values)))
    assert APOLOGY not in turn.speech.lower()
    assert turn.reprompt
    assert "how did the practice go" in turn.speech.lower()


def test_a_later_resolution_with_a_value_is_still_used(talk):
    talk.say("open cat harness coach")
    turn = talk.send(intent("LogPracticeIntent", outcome=matched("calm", [{}, {"value": {"id": "calm"}}])))
    assert "logged" in turn.speech.lower() or "calm" in turn.speech.lower()
    assert APOLOGY not in turn.speech.lower()


@pytest.mark.parametrize("name", ["42", "&", "\U0001F431", "!!!", "  "])
@pytest.mark.parametrize("intent_name", ["CatNameIntent", "SwitchCatIntent"])
def test_a_cat_name_without_letters_is_asked_for_again(talk, name, intent_name):
    talk.say("open cat harness coach")
    turn = talk.send(intent(intent_name, name={"value": name}))
    assert "didn't catch the name" in turn.speech
    assert turn.reprompt
    assert "Welcome back" not in talk.say("open cat harness coach").speech


@pytest.mark.parametrize("stamp", ["0001-01-01T00:30:00+14:00", "9999-12-31T23:30:00-14:00",
                                   "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_timestamps_at_the_edges_of_the_calendar_are_answered(talk, stamp):
    talk.say("open cat harness coach")
    body = envelopes.envelope(intent("LogPracticeIntent", outcome=matched("calm", [{"value": {"id": "calm"}}])),
                              talk.device, session=talk.session, now=None)
    body["request"]["timestamp"] = stamp
    answer = talk.handler(body)
    speech = answer["response"]["outputSpeech"]["ssml"].lower()
    assert APOLOGY not in speech and "calm" in speech


def test_version_conflict_and_save_failure_lines_carry_the_hashed_user_id_never_the_raw_one(caplog):
    """The request log hashed user ids while version-conflict warnings logged them raw."""
    import logging

    from skill.builder import build_skill, handle_event
    from skill.config import Settings
    from skill.logs import JsonLineFormatter, hash_user_id
    from skill.persistence.memory import MemoryStore
    from skill.persistence.store import VersionConflict
    from skill.simulator.conversation import Conversation

    class AlwaysMovedOn(MemoryStore):
        def put(self, user_id, item, *, expected_version):
            raise VersionConflict("stored version moved on")

    skill = build_skill(Settings(store="memory"), store=AlwaysMovedOn())
    talk = Conversation(handler=lambda body: handle_event(body, skill), user_id="amzn1.ask.account.RAW-SECRET")
    talk.say("open cat harness coach")
    with caplog.at_level(logging.INFO):
        turn = talk.say("she was calm")
    assert "couldn't save" in turn.speech
    lines = [JsonLineFormatter().format(record) for record in caplog.records]
    assert any("version_conflict" in line for line in lines) and any("save_failed" in line for line in lines)
    assert all("RAW-SECRET" not in line for line in lines)
    assert any(hash_user_id("amzn1.ask.account.RAW-SECRET") in line for line in lines)
