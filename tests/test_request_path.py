"""One request path for Lambda, web and simulator: the same bounds, parse and guards, each host's answer.

Over the bounds a web client gets 400/413 before anything parses the body, and Lambda answers in
speech ("let's start fresh") instead of raising; ``chat`` and ``model`` never load the web service.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from skill.builder import MAX_NESTING, MAX_REQUEST_BYTES, build_skill, handle_event
from skill.config import Settings
from skill.simulator import envelopes
from skill.web import create_app
from tests.support.web_server import serve_wsgi

SKILL_ID = envelopes.DEFAULT_SKILL_ID
ROOT = Path(__file__).resolve().parents[1]


def launch(**attributes: object) -> dict:
    session = envelopes.Session(user_id="amzn1.ask.account.path", skill_id=SKILL_ID)
    body = envelopes.envelope(envelopes.launch_request(), envelopes.Device(), session=session)
    body["session"]["attributes"] = attributes
    return body


def nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = {"k": [value]} if depth % 2 else [value]
    return value


def web_client():
    return create_app(Settings(skill_id=SKILL_ID, store="memory"),
                      insecure_skip_signature_on_loopback="127.0.0.1").test_client()


@pytest.mark.parametrize("body", [b"[" * 1200 + b"]" * 1200, b'{"a":' * 2000 + b"1" + b"}" * 2000])
def test_deeply_nested_bodies_are_a_400_on_the_web_not_a_traceback(body):
    response = web_client().post("/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"error": "Bad Request", "status": 400}


def test_session_attributes_nested_past_the_bound_are_a_400_on_the_web():
    response = web_client().post("/", json=launch(deep=nested(MAX_NESTING)))
    assert response.status_code == 400


def test_a_chunked_body_over_128_kib_is_a_413():
    def chunks():
        for _ in range(20):
            yield b" " * 8192
        yield json.dumps(launch()).encode()

    app = create_app(Settings(skill_id=SKILL_ID, store="memory"), insecure_skip_signature_on_loopback="127.0.0.1")
    with serve_wsgi(app) as url:
        response = requests.post(url + "/", data=chunks(), headers={"Content-Type": "application/json"}, timeout=10)
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 413


def test_a_body_just_under_the_size_bound_is_still_answered():
    body = launch(padding="x" * (MAX_REQUEST_BYTES - 4096))
    assert web_client().post("/", json=body).status_code == 200


@pytest.mark.parametrize("depth", [600, 750, 900])
def test_on_lambda_deep_session_attributes_get_a_fresh_start_in_speech(depth):
    answer = handle_event(launch(deep=nested(depth)), build_skill(Settings(store="memory")))
    assert "start fresh" in answer["response"]["outputSpeech"]["ssml"]
    assert answer["response"]["shouldEndSession"] is False
    assert answer["response"]["reprompt"]["outputSpeech"]["ssml"]
    assert answer["sessionAttributes"] == {}


def test_on_lambda_an_oversized_event_gets_a_fresh_start_in_speech():
    answer = handle_event(launch(padding="x" * MAX_REQUEST_BYTES), build_skill(Settings(store="memory")))
    assert "start fresh" in answer["response"]["outputSpeech"]["ssml"]


def test_an_ordinary_conversation_is_well_inside_the_bounds(talk):
    talk.say("open cat harness coach")
    talk.say("my cat's name is Luna")
    turn = talk.say("she was calm")
    assert "start fresh" not in turn.speech


@pytest.mark.parametrize("argv", [["model", "--check"], ["chat", "--say", "open cat harness coach"]])
def test_chat_and_model_never_import_the_web_service(argv, tmp_path):
    script = ("import sys, io, contextlib\n"
              "from skill.__main__ import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              f"    main({argv!r})\n"
              "print(sorted(m for m in sys.modules if m.startswith(('oscrypto', 'skill.web', 'flask'))))\n")
    env = {**os.environ, "CHC_STORE": "memory", "CHC_SQLITE_PATH": str(tmp_path / "p.sqlite3")}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
