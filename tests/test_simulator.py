"""The local simulator: text resolved against the generated model, real envelopes, and the chat CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from skill.simulator.conversation import Conversation
from skill.simulator.nlu import Understanding, parse_duration, parse_number

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def nlu() -> Understanding:
    return Understanding()


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [
        ("what's step two", "StepIntent", {"step": "2"}),
        ("go to step 5", "StepIntent", {"step": "5"}),
        ("whats step three", "StepIntent", {"step": "3"}),
        ("my cats name is luna", "CatNameIntent", {"name": "luna"}),
        ("start a two minute outdoor session", "StartSessionIntent", {"duration": "PT2M", "kind": "outdoor"}),
        ("tell me about retractable leashes", "TopicIntent", {}),
        ("my cat is panicking", "UrgentIntent", {}),
        ("why does my cat walk like a tiny tiger", "OpensWithWhyIntent", {"query": "does my cat walk like a tiny tiger"}),
        ("purple monkey dishwasher", "AMAZON.FallbackIntent", {}),
    ],
)
def test_text_resolves_to_the_intent_and_slots_alexa_would_send(nlu, said, intent, slots):
    match = nlu.resolve(said)
    assert match.intent == intent
    for name, value in slots.items():
        assert match.slots[name].value == value


def test_a_literal_sample_beats_a_free_form_carrier_phrase(nlu):
    # "my cat {query}" would also match; the exact sample is more specific, as on Alexa.
    assert nlu.resolve("my cat is panicking").intent == "UrgentIntent"


def test_custom_slot_values_carry_entity_resolution(nlu):
    match = nlu.resolve("tell me about retractable leashes")
    slot = match.slots["topic"]
    assert slot.resolved_id == "leash_choice"


@pytest.mark.parametrize(
    ("spoken", "iso"),
    [("two minutes", "PT2M"), ("ninety seconds", "PT1M30S"), ("one hour and ten minutes", "PT1H10M"),
     ("a minute and a half", "PT1M30S"), ("half an hour", "PT30M"), ("banana minutes", None), ("two", None)],
)
def test_spoken_durations_become_iso_8601(spoken, iso):
    assert parse_duration(spoken) == iso


def test_number_words():
    assert parse_number("twenty five") == 25
    assert parse_number("3") == 3
    assert parse_number("many") is None


def test_nothing_reaches_the_skill_before_it_is_invoked():
    talk = Conversation()
    turn = talk.say("what's step two")
    assert turn.response is None and not talk.in_session


def test_session_attributes_travel_and_a_new_session_starts_after_the_end():
    talk = Conversation()
    opened = talk.say("open cat harness coach")
    assert opened.request["session"]["new"] is True
    second = talk.say("tell me step three")
    assert second.request["session"]["new"] is False
    assert second.request["session"]["sessionId"] == opened.request["session"]["sessionId"]
    assert talk.say("next").speech.startswith("Step four")
    talk.say("stop")
    assert not talk.in_session
    reopened = talk.say("ask cat harness coach what's step one")
    assert reopened.request["session"]["new"] is True
    assert reopened.request["session"]["sessionId"] != opened.request["session"]["sessionId"]


def _chat(*args: str, stdin: str | None = None, tmp_path: Path) -> list[dict]:
    env = {"PATH": "/usr/bin:/bin", "CHC_STORE": "sqlite", "CHC_SQLITE_PATH": str(tmp_path / "p.sqlite3")}
    done = subprocess.run([sys.executable, "-m", "skill", "chat", *args], input=stdin or "", cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=60, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_chat_script_mode_prints_one_json_object_per_turn(tmp_path):
    turns = _chat("--say", "open cat harness coach", "--say", "what's step two", "--say", "stop", tmp_path=tmp_path)
    assert [t["intent"] for t in turns] == [None, "StepIntent", "AMAZON.StopIntent"]
    assert turns[1]["speech"].startswith("Step two")
    assert turns[1]["session_open"] and not turns[2]["session_open"]
    assert turns[1]["card"]["title"].startswith("Step 2")


def test_chat_reads_a_script_from_stdin_and_progress_survives_between_runs(tmp_path):
    _chat(stdin="open cat harness coach\nwe're on step three\nstop\n", tmp_path=tmp_path)
    turns = _chat(stdin="open cat harness coach\n", tmp_path=tmp_path)
    assert "step three" in turns[0]["speech"].lower()
