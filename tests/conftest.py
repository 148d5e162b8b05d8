"""Shared fixtures: a conversation with the skill, and DynamoDB Local for the tests that need it."""
from __future__ import annotations

import os
import random

import pytest

from skill import handlers
from skill.simulator.conversation import Conversation
from tests.support import dynamodb_local

# The default skill keeps progress in memory during tests, never in the developer's .local/ file.
os.environ.setdefault("CHC_STORE", "memory")

if os.environ.get("CHC_SHUFFLE_HANDLERS"):
    # tests/test_handler_order.py runs the conversation tests again with the handlers in a random
    # order: no feature may depend on being asked before another.
    _ordered = handlers.feature_handlers

    def _shuffled() -> list:
        found = _ordered()
        random.Random(os.environ["CHC_SHUFFLE_HANDLERS"]).shuffle(found)
        return found

    handlers.feature_handlers = _shuffled


@pytest.fixture
def talk() -> Conversation:
    """A fresh user talking to the skill as built for Lambda (no skill ID configured)."""
    return Conversation()


@pytest.fixture(scope="session")
def dynamodb_server():
    """One DynamoDB Local for the whole test session, stopped by PID afterwards."""
    server = dynamodb_local.start()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", dynamodb_local.ACCESS_KEY)
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", dynamodb_local.SECRET_KEY)
    try:
        yield server
    finally:
        server.stop()
