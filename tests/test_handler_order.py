"""Dispatch does not depend on handler order: the conversations pass with the handlers shuffled."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ["tests/test_progress_conversations.py", "tests/test_timer_conversations.py",
                 "tests/test_conversations_navigation.py", "tests/test_conversations_voice_rules.py"]


@pytest.mark.parametrize("seed", ["7", "2026"])
def test_the_conversations_pass_with_the_handlers_in_a_random_order(seed):
    env = {**os.environ, "CHC_SHUFFLE_HANDLERS": seed}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *CONVERSATIONS],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]


def test_yes_to_a_long_outdoor_practice_is_about_the_practice_not_the_cats_progress(talk):
    talk.say("open cat harness coach")
    talk.say("we're on step five")
    asked = talk.say("start a forty five minute outdoor session")
    assert "forty five minutes" in asked.speech
    turn = talk.say("yes")
    assert "permission to set a timer" in turn.speech
    assert "step five" in talk.say("what step are we on").speech
