"""The web service with a misbehaving DynamoDB: silent, dying mid-conversation, and raced by processes.

Signature checks are skipped here (loopback dev mode; they are covered in test_web_signature) so
the tests can drive the skill with the simulator's own envelopes over real HTTP.
"""
from __future__ import annotations

import datetime
import multiprocessing
import socket
import threading
import time
import uuid
import xml.etree.ElementTree as ET

import boto3
import pytest
import requests

from skill.builder import build_skill
from skill.config import Settings
from skill.persistence import HouseholdRepository
from skill.persistence.dynamodb import DynamoDbStore
from skill.simulator import envelopes
from skill.simulator.conversation import Conversation
from skill.training import log_practice
from skill.web import create_app
from tests.support import dynamodb_local
from tests.support.web_server import serve_wsgi

pytestmark = pytest.mark.dynamodb
SKILL_ID = envelopes.DEFAULT_SKILL_ID
CREDENTIALS = {"aws_access_key_id": dynamodb_local.ACCESS_KEY, "aws_secret_access_key": dynamodb_local.SECRET_KEY}
TODAY = datetime.date(2024, 5, 1)
ALEXA_PATIENCE_SECONDS = 8


def make_store(endpoint: str, table: str) -> DynamoDbStore:
    return DynamoDbStore(table, region=dynamodb_local.REGION, endpoint_url=endpoint, credentials=CREDENTIALS)


def create_table(endpoint: str) -> str:
    name = f"faults-{uuid.uuid4().hex[:10]}"
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=dynamodb_local.REGION, **CREDENTIALS)
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    return name


class WebTalk:
    """A Conversation whose every turn goes over HTTP to the web service, timed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.slowest = 0.0
        self.talk = Conversation(handler=self._post)

    def _post(self, body: dict) -> dict:
        started = time.monotonic()
        response = requests.post(self.url + "/", json=body, timeout=ALEXA_PATIENCE_SECONDS + 5)
        self.slowest = max(self.slowest, time.monotonic() - started)
        assert response.status_code == 200, response.text
        answer = response.json()
        speech = answer["response"].get("outputSpeech")
        if speech:
            ET.fromstring(speech["ssml"])
        return answer

    def say(self, text: str):
        return self.talk.say(text)


def web_service(store: DynamoDbStore):
    skill = build_skill(Settings(skill_id=SKILL_ID, store="dynamodb"), store=store)
    app = create_app(Settings(skill_id=SKILL_ID, store="dynamodb"), skill=skill,
                     insecure_skip_signature_on_loopback="127.0.0.1")
    return serve_wsgi(app)


class BlackHole:
    """A TCP port that accepts connections and never answers: a hung DynamoDB endpoint."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        for connection in self.held:
            connection.close()
        self.sock.close()


def test_a_hung_table_times_out_and_every_turn_is_still_answered_in_time():
    hole = BlackHole()
    try:
        with web_service(make_store(hole.endpoint, "hung")) as url:
            web = WebTalk(url)
            assert "Welcome" in web.say("open cat harness coach").speech
            assert web.say("tell me step two").speech.startswith("Step two")
            assert "couldn't save that" in web.say("we're on step three").speech
            assert web.slowest < ALEXA_PATIENCE_SECONDS
    finally:
        hole.close()


def test_the_table_dying_mid_conversation_leaves_the_conversation_going():
    database = dynamodb_local.start()
    try:
        store = make_store(database.endpoint, create_table(database.endpoint))
        with web_service(store) as url:
            web = WebTalk(url)
            web.say("open cat harness coach")
            assert "couldn't save" not in web.say("we're on step two").speech
            database.stop()
            saving = web.say("we're on step four")
            assert "couldn't save that" in saving.speech and saving.reprompt
            assert web.say("tell me step four").speech.startswith("Step four")
            assert web.slowest < ALEXA_PATIENCE_SECONDS
    finally:
        database.stop()


def _practise(endpoint: str, table: str, times: int, done: multiprocessing.Queue) -> None:
    """One process standing in for one Echo (or Lambda container): its own client, many updates."""
    repository = HouseholdRepository(make_store(endpoint, table), max_attempts=50, retry_budget_seconds=120)
    saved = 0
    for _ in range(times):
        repository.update("family", lambda h: log_practice(h, outcome="calm", today=TODAY), TODAY)
        saved += 1
    done.put(saved)


def test_writers_in_several_processes_lose_no_updates(dynamodb_server):
    table = create_table(dynamodb_server.endpoint)
    processes, per_process = 4, 10
    context = multiprocessing.get_context("spawn")
    done = context.Queue()
    workers = [context.Process(target=_practise, args=(dynamodb_server.endpoint, table, per_process, done))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
    saved = sum(done.get(timeout=5) for _ in workers)
    stored = HouseholdRepository(make_store(dynamodb_server.endpoint, table)).load("family", TODAY)
    lost = saved - len(stored.household.active_cat.sessions)
    assert all(worker.exitcode == 0 for worker in workers)
    assert saved == processes * per_process
    assert lost == 0
    assert stored.version == saved
