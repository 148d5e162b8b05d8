"""Whatever Alexa (or anyone) sends, the skill answers with a valid Alexa response and never raises.

Hypothesis throws random JSON, mutated real envelopes, hostile slot values, unknown intents,
unknown request types and envelopes nested or padded past the bounds at ``handle_event`` -- the
same function Lambda calls -- and nested or hostile bodies at the web service (4xx, never 5xx). Every answer must be
JSON-serialisable, speak well-formed SSML, and keep its session flags consistent: a reprompt exactly
when the session stays open after speech. The example counts per test are in ``EXAMPLES``.
"""
from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.builder import build_skill, handle_event
from skill.config import Settings
from skill.interaction_model import load_intents
from skill.persistence.memory import MemoryStore
from skill.persistence.schema import decode
from skill.simulator import envelopes
from skill.simulator.envelopes import Device, Session

SKILL_ID = envelopes.DEFAULT_SKILL_ID
EXAMPLES = {"random": 200, "mutated": 400, "slots": 300, "unknown": 200, "foreign": 100, "nested": 150,
            "web": 150}
_FUZZ = settings(deadline=None, database=None, print_blob=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz(kind: str) -> settings:
    return settings(_FUZZ, max_examples=EXAMPLES[kind])


FUZZ_USER = "amzn1.ask.account.fuzz"
STORE = MemoryStore()


@cache
def open_skill():
    return build_skill(Settings(store="memory"), store=STORE)


def assert_progress_intact() -> None:
    """Whatever the fuzzed turns saved for the fuzz user still decodes as a household."""
    item = STORE.load(FUZZ_USER)
    if item is not None:
        assert isinstance(item.version, int) and item.version > 0
        decode(item.record, item.schema)


@cache
def guarded_skill():
    return build_skill(Settings(skill_id=SKILL_ID, store="memory"))


@cache
def model_intents() -> list[dict[str, Any]]:
    return load_intents() + [{"name": name, "slots": []} for name in (
        "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent",
        "AMAZON.FallbackIntent", "AMAZON.RepeatIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent",
        "AMAZON.StartOverIntent", "AMAZON.NavigateHomeIntent")]


def assert_valid_alexa_response(answer: Any) -> None:
    assert isinstance(answer, dict)
    json.dumps(answer)
    assert answer.get("version") == "1.0"
    body = answer.get("response")
    assert isinstance(body, dict)
    speech, reprompt = body.get("outputSpeech"), body.get("reprompt")
    ends = body.get("shouldEndSession")
    for said in (speech, (reprompt or {}).get("outputSpeech")):
        if said is not None:
            assert said["type"] == "SSML"
            assert ET.fromstring(said["ssml"]).tag == "speak"
    if speech is None:
        assert reprompt is None
    elif ends:
        assert reprompt is None, "a closed session must not reprompt"
    else:
        assert ends is False and reprompt is not None, "an open session must reprompt"


json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)
request_types = st.sampled_from(["LaunchRequest", "IntentRequest", "SessionEndedRequest",
                                 "AlexaSkillEvent.SkillDisabled", "CanFulfillIntentRequest",
                                 "Display.ElementSelected", "Connections.Response"]) | st.text(max_size=30)
slot_values = (st.just("") | st.text(max_size=60) | st.text(min_size=2000, max_size=5000)
               | st.sampled_from(["two", "5", "-1", "99999999999999999999", "1.5", "<speak>", "]]>&amp;",
                                  "step \u202e three", "\U0001f408\u200d\u2b1b", "null", "?"]))


@st.composite
def intent_requests(draw, names=None) -> dict[str, Any]:
    intent = draw(st.sampled_from(model_intents())) if names is None else {"name": draw(names), "slots": []}
    slots = {}
    for slot in intent.get("slots") or []:
        if draw(st.booleans()):
            slots[slot["name"]] = {"name": slot["name"], "confirmationStatus": "NONE"}
            if draw(st.booleans()):
                slots[slot["name"]]["value"] = draw(slot_values)
    return {"type": "IntentRequest", "dialogState": "STARTED",
            "intent": {"name": intent["name"], "confirmationStatus": "NONE", "slots": slots}}


@st.composite
def real_envelopes(draw, requests=None) -> dict[str, Any]:
    request = draw(requests if requests is not None else st.one_of(intent_requests(), st.just(envelopes.launch_request()),
                                         st.just(envelopes.session_ended_request())))
    session = Session(user_id=FUZZ_USER, new=draw(st.booleans()),
                      attributes=draw(st.sampled_from([{}, {"step": 2, "pending": "more"},
                                                       {"step": "x", "more": {"entry": 3}, "last": []}])))
    device = Device(api_endpoint="http://127.0.0.1:9")  # timer API calls must never leave the machine
    return envelopes.envelope(request, device, session=session if draw(st.booleans()) else None)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated_envelopes(draw) -> dict[str, Any]:
    """A real envelope with a few fields deleted or replaced by arbitrary JSON."""
    envelope = copy.deepcopy(draw(real_envelopes()))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(envelope)[1:]
        if not paths:  # an earlier mutation emptied the envelope
            break
        path = draw(st.sampled_from(paths))
        parent = envelope
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
        if not _still_reachable(envelope, path):
            break
    return envelope


def _still_reachable(envelope: Any, path: tuple) -> bool:
    node = envelope
    for key in path[:-1]:
        if not isinstance(node, dict | list) or (isinstance(node, dict) and key not in node):
            return False
        if isinstance(node, list) and (not isinstance(key, int) or key >= len(node)):
            return False
        node = node[key]
    return True


@fuzz("random")
@given(json_values | st.dictionaries(st.sampled_from(["version", "session", "context", "request"]), json_values))
def test_random_json_gets_a_valid_answer(event):
    assert_valid_alexa_response(handle_event(event, skill=open_skill()))


@fuzz("mutated")
@given(mutated_envelopes())
def test_mutated_envelopes_get_a_valid_answer(event):
    assert_valid_alexa_response(handle_event(event, skill=open_skill()))
    assert_valid_alexa_response(handle_event(event, skill=guarded_skill()))
    assert_progress_intact()


@fuzz("slots")
@given(real_envelopes(intent_requests()))
def test_any_slot_value_in_any_intent_gets_a_valid_answer(event):
    assert_valid_alexa_response(handle_event(event, skill=open_skill()))
    assert_progress_intact()


@fuzz("unknown")
@given(real_envelopes(st.one_of(intent_requests(names=st.text(max_size=40)),
                                request_types.map(lambda kind: {"type": kind}))))
def test_unknown_intents_and_request_types_get_a_valid_answer(event):
    assert_valid_alexa_response(handle_event(event, skill=open_skill()))


@fuzz("foreign")
@given(real_envelopes(), st.text(min_size=1, max_size=60))
def test_requests_for_another_skill_are_refused_quietly(event, foreign_id):
    event["context"]["System"]["application"]["applicationId"] = SKILL_ID + foreign_id
    answer = handle_event(event, skill=guarded_skill())
    assert_valid_alexa_response(answer)
    assert "outputSpeech" not in answer["response"]


def _nest(value: Any, depth: int, shape: str) -> Any:
    for _ in range(depth):
        value = [value] if shape == "list" else {"k": value}
    return value


@st.composite
def nested_envelopes(draw) -> dict[str, Any]:
    """A real envelope with something nested up to 1,000 deep where Alexa puts client data."""
    envelope = copy.deepcopy(draw(real_envelopes()))
    deep = _nest(draw(json_scalars), draw(st.integers(min_value=1, max_value=1000)),
                 draw(st.sampled_from(["list", "dict"])))
    where = draw(st.sampled_from(["attributes", "slot", "request", "context"]))
    if where == "attributes" and "session" in envelope:
        envelope["session"]["attributes"] = {"deep": deep}
    elif where == "slot" and envelope["request"].get("type") == "IntentRequest":
        envelope["request"]["intent"]["slots"] = {"name": {"name": "name", "value": deep}}
    elif where == "context":
        envelope["context"]["Extra"] = deep
    else:
        envelope["request"]["extra"] = deep
    return envelope


@fuzz("nested")
@given(nested_envelopes())
def test_nested_envelopes_get_a_valid_answer_never_a_traceback(event):
    assert_valid_alexa_response(handle_event(event, skill=open_skill()))
    assert_progress_intact()


@cache
def web_client():
    from skill.web import create_app

    return create_app(Settings(skill_id=SKILL_ID, store="memory"), skill=guarded_skill(),
                      insecure_skip_signature_on_loopback="127.0.0.1").test_client()


hostile_bodies = st.one_of(
    st.binary(max_size=200),
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(min_value=1, max_value=3000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n),
    nested_envelopes().map(lambda event: json.dumps(event).encode()),
    mutated_envelopes().map(lambda event: json.dumps(event).encode()),
)


@fuzz("web")
@given(hostile_bodies)
def test_hostile_bodies_on_the_web_are_answered_or_refused_never_a_500(body):
    response = web_client().post("/", data=body, content_type="application/json")
    assert response.status_code in (200, 400, 413), response.get_data()[:200]
    assert response.is_json
