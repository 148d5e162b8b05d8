"""One store contract, run on memory, SQLite and DynamoDB Local alike.

Versions, TTL and schema are decided by ``StoredItem``; backends only get, put (conditionally on
the version) and delete. Each change carries the Alexa requestId and is applied once: replayed,
retried after a timeout, or raced by eight writers, nothing is lost or counted twice.
"""
from __future__ import annotations

import datetime
import os
import signal
import threading
import time
import uuid

import boto3
import pytest

from skill.builder import build_skill, handle_event
from skill.config import Settings
from skill.persistence import HouseholdRepository, VersionConflict
from skill.persistence.dynamodb import DynamoDbStore
from skill.persistence.households import MAX_APPLIED_IDS
from skill.persistence.memory import MemoryStore
from skill.persistence.schema import SCHEMA_VERSION, applied_ids
from skill.persistence.sqlite import SQLiteStore
from skill.persistence.store import ProgressStore, StoreUnavailable
from skill.simulator.conversation import Conversation
from skill.training import log_practice
from tests.support import dynamodb_local

TODAY = datetime.date(2024, 5, 1)
YEAR = 365 * 24 * 3600
CREDENTIALS = {"aws_access_key_id": dynamodb_local.ACCESS_KEY, "aws_secret_access_key": dynamodb_local.SECRET_KEY}
RECORD = {"active": "_", "created_on": "2024-05-01",
          "cats": [{"key": "_", "name": None, "step": 2, "started_on": "2024-05-01", "finished_on": None,
                    "sessions": []}]}


def dynamodb_table(endpoint: str) -> str:
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=dynamodb_local.REGION, **CREDENTIALS)
    name = f"contract-{uuid.uuid4().hex[:10]}"
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    return name


class Backend:
    """Makes stores of one kind that share one place (file, table, dict), as devices of one household do."""

    def __init__(self, kind: str, tmp_path, request) -> None:
        self.kind = kind
        self.memory = MemoryStore()
        if kind == "dynamodb":
            self.server = request.getfixturevalue("dynamodb_server")
            self.table = dynamodb_table(self.server.endpoint)
        self.path = tmp_path / "progress.sqlite3"

    def store(self, **kwargs) -> ProgressStore:
        if self.kind == "memory":
            if kwargs:
                store = MemoryStore(**kwargs)
                store._items = self.memory._items  # one dict, another clock
                return store
            return self.memory
        if self.kind == "sqlite":
            return SQLiteStore(self.path, **kwargs)
        return DynamoDbStore(self.table, region=dynamodb_local.REGION, endpoint_url=self.server.endpoint,
                             credentials=CREDENTIALS, **kwargs)


@pytest.fixture(params=["memory", "sqlite", pytest.param("dynamodb", marks=pytest.mark.dynamodb)])
def backend(request, tmp_path) -> Backend:
    return Backend(request.param, tmp_path, request)


# --- the record contract ------------------------------------------------------------------------

def test_versions_count_writes_and_a_stale_version_is_refused(backend):
    store = backend.store()
    assert store.load("alice") is None
    assert store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=0) == 1
    with pytest.raises(VersionConflict):
        store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=0)
    assert store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=1) == 2
    with pytest.raises(VersionConflict):
        store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=1)
    item = store.load("alice")
    assert (item.version, item.schema, item.record) == (2, SCHEMA_VERSION, RECORD)


def test_after_three_saves_an_unconditional_save_is_version_one_everywhere(backend):
    store = backend.store()
    for version in range(3):
        store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=version)
    assert store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=None) == 1
    assert store.load("alice").version == 1


def test_ttl_is_a_year_out_refreshed_by_touch_and_expired_items_count_as_gone(backend):
    now = time.time()
    store = backend.store(clock=lambda: now - 40 * 24 * 3600)
    store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=0)
    item = store.load("alice")
    assert abs(item.ttl - (now - 40 * 24 * 3600 + YEAR)) < 2
    fresh = backend.store(clock=lambda: now)
    assert fresh.is_stale(fresh.load("alice"))
    fresh.touch("alice")
    assert abs(fresh.load("alice").ttl - (now + YEAR)) < 2 and fresh.load("alice").version == 1
    assert backend.store(clock=lambda: now + 2 * YEAR).load("alice") is None


def test_an_expired_item_is_replaced_by_a_fresh_household_on_the_next_write(backend):
    backend.store(clock=lambda: time.time() - 2 * YEAR).save("alice", RECORD, schema=SCHEMA_VERSION,
                                                              expected_version=0)
    repository = HouseholdRepository(backend.store())
    assert repository.load("alice", TODAY).household.active_cat.step == 1
    repository.update("alice", lambda h: log_practice(h, outcome="calm", today=TODAY), TODAY, change_id="r1")
    assert len(repository.load("alice", TODAY).household.active_cat.sessions) == 1


def test_delete_removes_the_item_and_deleting_nothing_is_fine(backend):
    store = backend.store()
    store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=0)
    store.delete("alice")
    store.delete("alice")
    assert store.load("alice") is None


# --- each change applied once -------------------------------------------------------------------

def calm(home):
    return log_practice(home, outcome="calm", today=TODAY)


def test_a_change_whose_request_id_was_applied_is_acknowledged_not_applied_again(backend):
    repository = HouseholdRepository(backend.store())
    before = repository.load("alice", TODAY)
    first, saved = repository.update("alice", calm, TODAY, before, change_id="req-1")
    replayed, again = repository.update("alice", calm, TODAY, before, change_id="req-1")
    assert replayed == first and again.already_applied
    stored = repository.load("alice", TODAY)
    assert len(stored.household.active_cat.sessions) == 1 and stored.version == saved.version == 1


def test_the_record_keeps_only_the_last_few_request_ids(backend):
    repository = HouseholdRepository(backend.store())
    for n in range(MAX_APPLIED_IDS + 3):
        repository.update("alice", calm, TODAY, change_id=f"req-{n}")
    item = backend.store().load("alice")
    assert applied_ids(item.record) == tuple(f"req-{n}" for n in range(3, MAX_APPLIED_IDS + 3))


def test_eight_concurrent_writers_lose_nothing_and_count_nothing_twice(backend, capsys):
    """Eight devices, five changes each, every change sent twice (a replay): 40 sessions, never 80."""
    writers, changes = 8, 5
    saved: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()

    def device(n: int) -> None:
        repository = HouseholdRepository(backend.store(), max_attempts=12, retry_budget_seconds=30)
        loaded = repository.load("family", TODAY)
        for c in range(changes):
            change_id = f"device-{n}-change-{c}"
            for _ in range(2):
                try:
                    _, loaded = repository.update("family", calm, TODAY, loaded, change_id=change_id)
                    with lock:
                        saved.append(change_id)
                except VersionConflict:
                    with lock:
                        refused.append(change_id)
                    loaded = repository.load("family", TODAY)

    threads = [threading.Thread(target=device, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = HouseholdRepository(backend.store()).load("family", TODAY)
    landed = len(set(saved))
    with capsys.disabled():
        print(f"\n[{backend.kind}] {writers} writers x {changes} changes x 2 sends: "
              f"{landed} changes stored, {len(refused)} sends refused after retries, "
              f"{len(final.household.active_cat.sessions)} sessions, version {final.version}")
    assert len(final.household.active_cat.sessions) == landed == final.version
    assert set(refused) <= set(saved) or landed + len(set(refused) - set(saved)) == writers * changes
    assert landed == writers * changes - len(set(refused) - set(saved))


# --- over the request path ----------------------------------------------------------------------

def test_a_replayed_she_was_calm_is_answered_the_same_and_logged_once(backend):
    store = backend.store()
    talk = Conversation(handler=lambda body: handle_event(body, build_skill(Settings(store="memory"), store=store)))
    talk.say("open cat harness coach")
    first = talk.say("she was calm")
    replay = handle_event(first.request, build_skill(Settings(store="memory"), store=store))
    assert replay["response"]["outputSpeech"]["ssml"] == first.response["response"]["outputSpeech"]["ssml"]
    sessions = HouseholdRepository(store).load(talk.user_id, TODAY).household.active_cat.sessions
    assert len(sessions) == 1


@pytest.mark.dynamodb
def test_a_write_hung_by_sigstop_is_neither_lost_nor_counted_twice(dynamodb_server):
    """DynamoDB Local is stopped as the PutItem goes out and resumed after the client gave up."""
    table = dynamodb_table(dynamodb_server.endpoint)
    store = DynamoDbStore(table, region=dynamodb_local.REGION, endpoint_url=dynamodb_server.endpoint,
                          credentials=CREDENTIALS)
    pid = dynamodb_server.process.pid
    stops: list[float] = []

    def stop_mid_write(**_: object) -> None:
        if not stops:
            stops.append(time.monotonic())
            os.kill(pid, signal.SIGSTOP)
            threading.Timer(3.5, os.kill, args=(pid, signal.SIGCONT)).start()

    skill = build_skill(Settings(store="memory"), store=store)
    talk = Conversation(handler=lambda body: handle_event(body, skill))
    talk.say("open cat harness coach")
    store.client.meta.events.register("before-send.dynamodb.PutItem", stop_mid_write)
    try:
        hung = talk.say("she was calm")
    finally:
        store.client.meta.events.unregister("before-send.dynamodb.PutItem", stop_mid_write)
        time.sleep(max(0.0, 4.0 - (time.monotonic() - stops[0])) if stops else 0)
        os.kill(pid, signal.SIGCONT)
    assert stops, "the write never went out"
    assert "nothing has changed" not in hung.speech
    assert "can't tell yet" in hung.speech and hung.reprompt
    time.sleep(1.0)
    landed = len(HouseholdRepository(store).load(talk.user_id, TODAY).household.active_cat.sessions)
    again = talk.say("she was calm")
    assert "logged" in again.speech.lower() or "calm" in again.speech.lower()
    later = talk.say("she was a bit nervous")
    sessions = HouseholdRepository(store).load(talk.user_id, TODAY).household.active_cat.sessions
    print(f"\nhung write landed after SIGCONT: {bool(landed)}; sessions after retry and one more: {len(sessions)}")
    assert [s.outcome for s in sessions] == ["calm", "some_stress"], later.speech


def test_store_unavailable_is_known_not_written_unless_a_write_timed_out():
    assert not StoreUnavailable("throttled", code="ThrottlingException").outcome_unknown
    assert StoreUnavailable("timeout", code="ReadTimeout", outcome_unknown=True).outcome_unknown
