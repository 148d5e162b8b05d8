"""The DynamoDB store against a real DynamoDB Local: conditional writes, TTL, failures, cost per turn.

Every test gets its own table. Assertions use DynamoDB error codes, never messages.
"""
from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from collections import Counter

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from skill.builder import build_skill, handle_event
from skill.config import Settings
from skill.persistence import HouseholdRepository, StoreUnavailable, VersionConflict
from skill.persistence.dynamodb import DynamoDbStore
from skill.persistence.schema import SCHEMA_VERSION, encode
from skill.simulator.conversation import Conversation
from skill.training import Household, log_practice, set_step
from tests.support import dynamodb_local

pytestmark = pytest.mark.dynamodb

CREDENTIALS = {"aws_access_key_id": dynamodb_local.ACCESS_KEY, "aws_secret_access_key": dynamodb_local.SECRET_KEY}
TODAY = datetime.date(2024, 5, 1)
YEAR = 365 * 24 * 3600


@pytest.fixture
def table(dynamodb_server):
    """A fresh table shaped like the production one (partition key ``id``)."""
    client = boto3.client("dynamodb", endpoint_url=dynamodb_server.endpoint, region_name=dynamodb_local.REGION,
                          **CREDENTIALS)
    name = f"progress-{uuid.uuid4().hex[:10]}"
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    yield name, client
    client.delete_table(TableName=name)


def make_store(endpoint: str, table_name: str, **kwargs) -> DynamoDbStore:
    return DynamoDbStore(table_name, region=dynamodb_local.REGION, endpoint_url=endpoint, credentials=CREDENTIALS,
                         **kwargs)


@pytest.fixture
def store(dynamodb_server, table):
    return make_store(dynamodb_server.endpoint, table[0])


def raw_item(table, user_id: str) -> dict:
    name, client = table
    return client.get_item(TableName=name, Key={"id": {"S": user_id}}, ConsistentRead=True).get("Item", {})


def record_at_step(step: int) -> dict:
    home = Household.new(TODAY)
    set_step(home, step, TODAY, last_step=5)
    return encode(home)


class CallCounter:
    """Counts DynamoDB API calls through botocore's own event hooks on the store's real client."""

    def __init__(self, store: DynamoDbStore) -> None:
        self.calls: Counter[str] = Counter()
        store.client.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model, **_) -> None:
        self.calls[model.name] += 1

    def take(self) -> tuple[int, int]:
        reads = self.calls["GetItem"]
        writes = self.calls["PutItem"] + self.calls["UpdateItem"] + self.calls["DeleteItem"]
        self.calls.clear()
        return reads, writes


# --- the store itself ---------------------------------------------------------------------------

def test_save_load_update_and_bookkeeping_attributes(store, table):
    assert store.load("alice") is None
    assert store.save("alice", record_at_step(2), schema=SCHEMA_VERSION, expected_version=0) == 1
    assert store.save("alice", record_at_step(3), schema=SCHEMA_VERSION, expected_version=1) == 2
    item = store.load("alice")
    assert (item.version, item.schema, item.record["cats"][0]["step"]) == (2, SCHEMA_VERSION, 3)
    raw = raw_item(table, "alice")
    assert set(raw) == {"id", "household", "version", "ttl", "schema"}
    assert raw["version"] == {"N": "2"}
    assert abs(int(raw["ttl"]["N"]) - (time.time() + YEAR)) < 60


def test_a_write_based_on_an_old_version_is_refused_by_the_condition(store):
    store.save("alice", record_at_step(2), schema=SCHEMA_VERSION, expected_version=0)
    store.save("alice", record_at_step(3), schema=SCHEMA_VERSION, expected_version=1)
    with pytest.raises(VersionConflict) as refused:
        store.save("alice", record_at_step(5), schema=SCHEMA_VERSION, expected_version=1)
    assert refused.value.__cause__.response["Error"]["Code"] == "ConditionalCheckFailedException"
    with pytest.raises(VersionConflict):
        store.save("alice", record_at_step(5), schema=SCHEMA_VERSION, expected_version=0)
    assert store.load("alice").record["cats"][0]["step"] == 3


def test_delete_removes_the_item_and_deleting_nothing_is_fine(store, table):
    store.save("alice", record_at_step(2), schema=SCHEMA_VERSION, expected_version=0)
    store.delete("alice")
    assert raw_item(table, "alice") == {}
    store.delete("alice")


def test_two_devices_saving_at_once_lose_no_updates(dynamodb_server, table):
    """Two threads, each its own store (as two Lambda containers), log practice on one household."""
    per_device, saved, failures = 15, Counter(), []

    def device(name: str) -> None:
        repository = HouseholdRepository(make_store(dynamodb_server.endpoint, table[0]), max_attempts=30,
                                         retry_budget_seconds=60)
        loaded = repository.load("family", TODAY)
        for _ in range(per_device):
            try:
                _, loaded = repository.update("family", lambda h: log_practice(h, outcome="calm", today=TODAY),
                                              TODAY, loaded)
                saved[name] += 1
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                failures.append(error)

    threads = [threading.Thread(target=device, args=(f"echo-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = HouseholdRepository(make_store(dynamodb_server.endpoint, table[0])).load("family", TODAY)
    assert failures == []
    assert sum(saved.values()) == 2 * per_device
    assert len(final.household.active_cat.sessions) == 2 * per_device
    assert final.version == 2 * per_device


def test_conflicts_are_retried_a_bounded_number_of_times(store):
    """A writer that always loses gives up after max_attempts, leaving the other writer's item intact."""
    repository = HouseholdRepository(store, max_attempts=3)
    stale = repository.load("alice", TODAY)
    store.save("alice", record_at_step(4), schema=SCHEMA_VERSION, expected_version=0)
    attempts = []

    def change(home: Household) -> None:
        attempts.append(1)
        store.save("alice", record_at_step(4), schema=SCHEMA_VERSION, expected_version=store.load("alice").version)
        set_step(home, 2, TODAY, last_step=5)

    with pytest.raises(VersionConflict):
        repository.update("alice", change, TODAY, stale)
    assert len(attempts) == 3
    assert store.load("alice").record["cats"][0]["step"] == 4


def test_ttl_is_refreshed_on_writes_and_on_reads_only_when_a_month_old(dynamodb_server, table):
    start = time.time()
    old = make_store(dynamodb_server.endpoint, table[0], clock=lambda: start - 40 * 24 * 3600)
    old.save("alice", record_at_step(2), schema=SCHEMA_VERSION, expected_version=0)
    fresh = make_store(dynamodb_server.endpoint, table[0])
    counter = CallCounter(fresh)
    HouseholdRepository(fresh).load("alice", TODAY)
    assert counter.take() == (1, 1)
    assert abs(int(raw_item(table, "alice")["ttl"]["N"]) - (start + YEAR)) < 60
    HouseholdRepository(fresh).load("alice", TODAY)
    assert counter.take() == (1, 0)


def test_an_expired_item_not_yet_swept_counts_as_gone(dynamodb_server, table):
    past = make_store(dynamodb_server.endpoint, table[0], clock=lambda: time.time() - 2 * YEAR)
    past.save("alice", record_at_step(2), schema=SCHEMA_VERSION, expected_version=0)
    assert make_store(dynamodb_server.endpoint, table[0]).load("alice") is None


# --- failures ------------------------------------------------------------------------------------

def test_a_table_that_cannot_be_reached_fails_fast_with_store_unavailable():
    closed = make_store(f"http://127.0.0.1:{dynamodb_local.free_port()}", "nowhere")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        closed.load("alice")
    with pytest.raises(StoreUnavailable):
        closed.save("alice", record_at_step(2), schema=SCHEMA_VERSION, expected_version=0)
    assert time.monotonic() - started < 8


def throttle(store: DynamoDbStore, operation: str) -> list[int]:
    """Make every ``operation`` call answer like a throttled table, at the HTTP layer."""
    attempts: list[int] = []

    class Body:
        def stream(self):
            yield json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                              "message": "throttled"}).encode()

    def answer(request, **_):
        attempts.append(1)
        return AWSResponse(request.url, 400, {"x-amzn-RequestId": "throttled",
                                              "Content-Type": "application/x-amz-json-1.0"}, Body())

    store.client.meta.events.register(f"before-send.dynamodb.{operation}", answer)
    return attempts


def test_throttled_writes_report_the_code_and_change_nothing(store):
    store.save("alice", record_at_step(2), schema=SCHEMA_VERSION, expected_version=0)
    attempts = throttle(store, "PutItem")
    with pytest.raises(StoreUnavailable) as failed:
        store.save("alice", record_at_step(3), schema=SCHEMA_VERSION, expected_version=1)
    assert failed.value.code == "ProvisionedThroughputExceededException"
    assert len(attempts) == 2  # bounded botocore retries
    item = store.load("alice")
    assert (item.version, item.record["cats"][0]["step"]) == (1, 2)


# --- conversations on DynamoDB ----------------------------------------------------------------

def conversation(store: DynamoDbStore, user: str = "alice") -> Conversation:
    skill = build_skill(Settings(store="dynamodb"), store=store)
    return Conversation(handler=lambda event: handle_event(event, skill=skill), user_id=f"amzn1.ask.account.{user}")


def test_a_second_session_resumes_where_the_first_left_off(store):
    talk = conversation(store)
    talk.say("open cat harness coach")
    talk.say("my cat's name is luna")
    talk.say("we're on step three")
    talk.say("stop")
    again = talk.say("open cat harness coach")
    assert again.speech.startswith("Welcome back. Luna is on step three, the leash indoors.")


def test_with_the_table_down_questions_are_answered_and_saving_says_it_failed():
    closed = make_store(f"http://127.0.0.1:{dynamodb_local.free_port()}", "nowhere")
    talk = conversation(closed)
    started = time.monotonic()
    assert "Welcome to Cat Harness Coach" in talk.say("open cat harness coach").speech
    assert talk.say("tell me step two").speech.startswith("Step two")
    saving = talk.say("we're on step three")
    assert "couldn't save that" in saving.speech
    assert not saving.ends_session and saving.reprompt
    assert "can't reach your saved progress" in talk.say("how is my cat doing").speech
    assert time.monotonic() - started < 4 * 8


def test_a_throttled_save_is_reported_and_the_household_keeps_its_old_state(store):
    talk = conversation(store)
    talk.say("open cat harness coach")
    talk.say("we're on step three")
    throttle(store, "PutItem")
    assert "couldn't save that" in talk.say("we finished step three").speech
    assert "on step three" in talk.say("what step are we on").speech
    assert store.load("amzn1.ask.account.alice").record["cats"][0]["step"] == 3


def test_a_corrupted_item_is_replaced_by_a_fresh_record_and_the_user_is_told(store, table):
    name, client = table
    client.put_item(TableName=name, Item={"id": {"S": "amzn1.ask.account.alice"}, "version": {"N": "7"},
                                          "schema": {"N": "2"}, "household": {"S": "}{not a household"}})
    talk = conversation(store)
    opening = talk.say("open cat harness coach")
    assert "couldn't read your saved progress" in opening.speech
    assert "fresh" in opening.speech
    assert "step four" in talk.say("we're on step four").speech
    assert store.load("amzn1.ask.account.alice").version == 8


def test_an_item_with_an_unreadable_version_is_overwritten(store, table):
    name, client = table
    client.put_item(TableName=name, Item={"id": {"S": "amzn1.ask.account.alice"}, "version": {"S": "x"},
                                          "household": {"M": {}}})
    talk = conversation(store)
    assert "couldn't read" in talk.say("open cat harness coach").speech
    talk.say("we're on step two")
    assert store.load("amzn1.ask.account.alice").record["cats"][0]["step"] == 2


def test_an_old_schema_item_is_migrated(store, table):
    name, client = table
    client.put_item(TableName=name, Item={"id": {"S": "amzn1.ask.account.alice"}, "version": {"N": "3"},
                                          "household": {"M": {"name": {"S": "Luna"}, "step": {"N": "2"},
                                                              "started_on": {"S": "2024-01-01"},
                                                              "sessions": {"L": []}}}})
    opening = conversation(store).say("open cat harness coach")
    assert opening.speech.startswith("Welcome back. Luna is on step two")


def test_skill_disabled_deletes_the_data_without_a_session(store, table):
    talk = conversation(store)
    talk.say("open cat harness coach")
    talk.say("we're on step three")
    talk.say("stop")
    response = talk.send_event({"type": "AlexaSkillEvent.SkillDisabled",
                                "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"}})
    assert "outputSpeech" not in response["response"]
    assert raw_item(table, "amzn1.ask.account.alice") == {}


# --- cost ---------------------------------------------------------------------------------------

# (what the user says, reads, writes) for one user across two Alexa sessions.
COST_SCRIPT = [
    ("open cat harness coach", 1, 0),          # launch: the session's one read
    ("tell me step two", 0, 0),                # guide question
    ("what step are we on", 0, 0),             # progress question, from the session cache
    ("how is my cat doing", 0, 0),
    ("we're on step three", 0, 1),             # changes progress: one conditional write
    ("we're on step three", 0, 0),             # nothing changed: no write
    ("she was calm", 0, 1),
    ("how is my cat doing", 0, 0),
    ("my cat's name is luna", 0, 1),
    ("stop", 0, 0),
    ("open cat harness coach", 1, 0),          # a new session reads once again
    ("what's next", 0, 0),
    ("stop", 0, 0),
    ("ask cat harness coach whether a collar is okay", 0, 0),   # one-shot guide question: no read at all
    ("ask cat harness coach what step are we on", 1, 0),         # one-shot progress question: one read
]


def test_reads_and_writes_per_turn(store, capsys):
    counter = CallCounter(store)
    talk = conversation(store)
    measured = []
    for said, reads, writes in COST_SCRIPT:
        talk.say(said)
        measured.append((said, *counter.take()))
        assert measured[-1] == (said, reads, writes)
    with capsys.disabled():
        print("\nDynamoDB calls per turn (reads=GetItem, writes=PutItem/UpdateItem/DeleteItem):")
        for said, reads, writes in measured:
            print(f"  {reads} read  {writes} write   {said}")


def test_the_store_uses_the_session_and_config_it_is_given(dynamodb_server, table):
    """As powertools' idempotency layer does: the caller owns the boto3 session and botocore config."""
    session = boto3.session.Session(region_name=dynamodb_local.REGION, **CREDENTIALS)
    config = Config(read_timeout=0.5, connect_timeout=0.5, retries={"total_max_attempts": 1})
    store = DynamoDbStore(table[0], endpoint_url=dynamodb_server.endpoint, session=session, config=config)
    assert store.save("alice", record_at_step(2), schema=SCHEMA_VERSION, expected_version=0) == 1
    assert store.client.meta.config.read_timeout == 0.5
    assert store.client.meta.config.retries["total_max_attempts"] == 1
    default = make_store(dynamodb_server.endpoint, table[0])
    assert (default.client.meta.config.connect_timeout, default.client.meta.config.read_timeout) == (1.0, 1.0)
    assert default.load("alice").version == 1
