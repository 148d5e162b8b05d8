"""How the web service is started, what it logs, and the skill ID check on the Lambda path."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from skill.builder import build_skill, handle_event
from skill.config import Settings
from skill.logs import REQUEST_LOGGER, JsonLineFormatter
from skill.simulator import envelopes
from skill.simulator.conversation import Conversation
from skill.web import ConfigurationError, create_app

SKILL_ID = envelopes.DEFAULT_SKILL_ID
USER = "amzn1.ask.account.secret-user-id"
ROOT = Path(__file__).resolve().parents[1]


def dev_app(**kwargs):
    return create_app(Settings(skill_id=SKILL_ID, store="memory"), insecure_skip_signature_on_loopback="127.0.0.1",
                      **kwargs)


def launch(skill_id: str = SKILL_ID) -> dict:
    session = envelopes.Session(user_id=USER, skill_id=skill_id)
    return envelopes.envelope(envelopes.launch_request(), envelopes.Device(), session=session)


def test_the_service_will_not_start_without_a_skill_id():
    with pytest.raises(ConfigurationError):
        create_app(Settings(skill_id=None, store="memory"))


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com", "::"])
def test_skipping_signature_checks_is_refused_unless_bound_to_loopback(host):
    with pytest.raises(ConfigurationError):
        create_app(Settings(skill_id=SKILL_ID, store="memory"), insecure_skip_signature_on_loopback=host)


def test_the_dev_switch_is_logged_loudly_and_still_checks_timestamp_and_skill_id(caplog):
    with caplog.at_level(logging.WARNING, logger="skill.web.app"):
        client = dev_app().test_client()
    assert "SIGNATURE CHECKS ARE OFF" in caplog.text
    assert client.post("/", json=launch()).status_code == 200
    assert client.post("/", json=launch("amzn1.ask.skill.other")).status_code == 400
    stale = launch()
    stale["request"]["timestamp"] = "2020-01-01T00:00:00Z"
    assert client.post("/", json=stale).status_code == 400


def test_the_dev_switch_serves_only_loopback_clients():
    client = dev_app().test_client()
    refused = client.post("/", json=launch(), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403


def test_each_request_logs_one_json_line_without_user_id_or_speech():
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(JsonLineFormatter().format(record))

    client = dev_app().test_client()
    logger = logging.getLogger(REQUEST_LOGGER)
    capture = Capture()
    logger.addHandler(capture)
    try:
        answer = client.post("/", json=launch())
        client.post("/", data=b"{nope")
    finally:
        logger.removeHandler(capture)
    ok, rejected = (json.loads(line) for line in lines)
    assert ok["request_type"] == "LaunchRequest" and ok["status"] == 200 and ok["outcome"] == "ok"
    assert ok["request_id"].startswith("amzn1.echo-api.request.") and ok["latency_ms"] >= 0
    assert ok["user"] and len(ok["user"]) == 16
    assert rejected["status"] == 400 and rejected["outcome"] == "rejected"
    spoken = answer.get_json()["response"]["outputSpeech"]["ssml"]
    for line in lines:
        assert USER not in line and "secret-user-id" not in line
        assert "Welcome" not in line and spoken not in line


def test_lambda_refuses_another_skills_request_without_an_exception():
    guarded = build_skill(Settings(skill_id=SKILL_ID, store="memory"))
    talk = Conversation(handler=lambda event: handle_event(event, skill=guarded))
    assert "Welcome" in talk.say("open cat harness coach").speech
    foreign = handle_event(launch("amzn1.ask.skill.someone-else"), skill=guarded)
    assert foreign == {"version": "1.0", "response": {"shouldEndSession": True}}


def test_flask_ask_sdk_imports_and_the_sdk_default_verifier_still_fails_closed():
    """In a fresh interpreter: the adapter imports, and the SDK's own verifier cannot pass anything."""
    script = (
        "import sys, skill.web, flask_ask_sdk.skill_adapter\n"
        "deferred = sys.modules['oscrypto.asymmetric']\n"
        "assert deferred.__file__.endswith('asymmetric.py')\n"
        "try:\n"
        "    assert callable(deferred.load_certificate)\n"
        "except Exception as error:\n"
        "    assert type(error).__name__ == 'LibraryNotFoundError', error\n"
        "from ask_sdk_webservice_support.verifier import RequestVerifier\n"
        "from tests.support.alexa_signing import SigningAuthority\n"
        "try:\n"
        "    RequestVerifier()._validate_cert_chain(SigningAuthority.create().chain_pem())\n"
        "except Exception as error:\n"
        "    print('refused', type(error).__name__)\n"
        "else:\n"
        "    print('ACCEPTED')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused"), done.stdout


def test_serve_runs_the_app_on_loopback_and_answers_health():
    env = {**os.environ, "SKILL_ID": SKILL_ID, "CHC_STORE": "memory"}
    server = subprocess.Popen([sys.executable, "-m", "skill", "serve", "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        banner = server.stdout.readline()
        assert "http://127.0.0.1:" in banner
        url = banner.split()[-3].rstrip("/")
        deadline = time.monotonic() + 10
        while True:
            try:
                assert requests.get(url + "/health", timeout=2).json() == {"status": "ok"}
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert requests.post(url + "/", json=launch(), timeout=5).status_code == 400  # unsigned
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_refuses_the_dev_switch_on_a_public_address():
    env = {**os.environ, "SKILL_ID": SKILL_ID}
    done = subprocess.run([sys.executable, "-m", "skill", "serve", "--host", "0.0.0.0", "--port", "0",
                           "--insecure-skip-signature-checks"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "loopback" in done.stderr
