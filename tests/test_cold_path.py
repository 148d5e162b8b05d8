"""What a cold Lambda container loads to answer its first LaunchRequest.

Code for rare turns (the session timer, free-form search, the Alexa API client) must not be on
that path: bench/ measures the cost, this test keeps a later import from quietly adding it back.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RARE_TURN_MODULES = ["skill.handlers.practice", "skill.practice", "skill.alexa_timers", "skill.api_client",
                     "skill.search", "requests", "isodate", "ask_sdk_model.interfaces.connections", "skill.durations",
                     "skill.understanding.meaning", "skill.understanding.classifier", "snowballstemmer"]
# What only a device with a screen needs: the screens and the SDK's APL models.
SCREEN_MODULES = ["skill.screens", "ask_sdk_model.interfaces.alexa.presentation.apl"]

SCRIPT = """
import json, sys
sys.path[:0] = [sys.argv[1] + "/lambda", sys.argv[1]]
from skill.simulator.envelopes import DEVICES, Session, envelope, launch_request
event = envelope(launch_request(), DEVICES[sys.argv[2]](), session=Session(user_id="amzn1.ask.account.cold"))
loaded_before = set(sys.modules)
import lambda_function
answer = lambda_function.lambda_handler(event, None)
print(json.dumps({"speech": answer["response"]["outputSpeech"]["ssml"],
                  "directives": [d["type"] for d in answer["response"].get("directives", [])],
                  "loaded": sorted(m for m in sys.modules if m not in loaded_before)}))
"""


def cold_launch(device: str) -> dict:
    env = {**os.environ, "CHC_STORE": "memory"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT), device], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_cold_launch_loads_no_code_for_rare_turns():
    result = cold_launch("dot")
    assert "Welcome to Cat Harness Coach" in result["speech"]
    assert [m for m in RARE_TURN_MODULES if m in result["loaded"]] == []


def test_a_cold_launch_on_a_speaker_without_a_screen_loads_no_apl_code():
    result = cold_launch("dot")
    assert result["directives"] == []
    assert [m for m in SCREEN_MODULES if m in result["loaded"]] == []


def test_a_cold_launch_on_an_echo_show_sends_the_screen_and_still_no_rare_turn_code():
    result = cold_launch("show")
    assert result["directives"] == ["Alexa.Presentation.APL.RenderDocument"]
    assert [m for m in SCREEN_MODULES if m in result["loaded"]] == SCREEN_MODULES
    assert [m for m in RARE_TURN_MODULES if m in result["loaded"]] == []


def test_the_deferred_timer_handlers_still_answer_timer_turns(talk):
    talk.say("open cat harness coach")
    turn = talk.say("how much time is left")
    assert turn.intent == "TimeLeftIntent"
    assert "session" in turn.speech.lower()
