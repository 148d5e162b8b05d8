"""The local stores (SQLite file, memory) follow the same conditional-write rules as DynamoDB."""
from __future__ import annotations

import datetime
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from skill.config import Settings
from skill.persistence import HouseholdRepository, StoreUnavailable, create_store
from skill.persistence.memory import MemoryStore
from skill.persistence.schema import SCHEMA_VERSION
from skill.persistence.sqlite import SQLiteStore
from skill.training import log_practice

ROOT = Path(__file__).resolve().parents[1]
TODAY = datetime.date(2024, 5, 1)
RECORD = {"active": "_", "created_on": "2024-05-01",
          "cats": [{"key": "_", "name": None, "step": 2, "started_on": "2024-05-01", "finished_on": None,
                    "sessions": []}]}


@pytest.fixture(params=["sqlite", "memory"])
def store(request, tmp_path):
    return SQLiteStore(tmp_path / "progress.sqlite3") if request.param == "sqlite" else MemoryStore()


def test_ttl_is_a_year_out_and_expired_items_are_gone(tmp_path):
    now = time.time()
    store = SQLiteStore(tmp_path / "p.sqlite3", clock=lambda: now)
    store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=0)
    assert abs(store.load("alice").ttl - (now + 365 * 24 * 3600)) < 2
    later = SQLiteStore(tmp_path / "p.sqlite3", clock=lambda: now + 400 * 24 * 3600)
    assert later.load("alice") is None


def test_delete_and_touch(store):
    store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=0)
    store.touch("alice")
    store.delete("alice")
    assert store.load("alice") is None
    store.touch("alice")
    assert store.load("alice") is None


def test_concurrent_writers_on_one_file_lose_no_updates(tmp_path):
    path, saved, errors = tmp_path / "p.sqlite3", [], []

    def device() -> None:
        repository = HouseholdRepository(SQLiteStore(path), max_attempts=50, retry_budget_seconds=60)
        loaded = repository.load("family", TODAY)
        for _ in range(20):
            try:
                _, loaded = repository.update("family", lambda h: log_practice(h, outcome="calm", today=TODAY),
                                              TODAY, loaded)
                saved.append(1)
            except Exception as error:  # noqa: BLE001 - asserted below
                errors.append(error)

    threads = [threading.Thread(target=device) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = HouseholdRepository(SQLiteStore(path)).load("family", TODAY)
    assert errors == []
    assert len(final.household.active_cat.sessions) == len(saved) == 60


def test_a_corrupt_row_starts_fresh_with_a_notice(tmp_path):
    path = tmp_path / "p.sqlite3"
    store = SQLiteStore(path)
    store.save("alice", RECORD, schema=SCHEMA_VERSION, expected_version=0)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE progress SET body = '{broken' WHERE id = 'alice'")
    loaded = HouseholdRepository(store).load("alice", TODAY)
    assert loaded.notice == "recovered" and loaded.version == 1
    assert loaded.household.active_cat.step == 1


def test_an_unusable_path_is_reported_as_unavailable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreUnavailable):
        SQLiteStore(blocker / "sub" / "p.sqlite3").load("alice")


def test_configuration_picks_the_store():
    assert isinstance(create_store(Settings(store="memory")), MemoryStore)
    assert isinstance(create_store(Settings(store="sqlite")), SQLiteStore)
    assert type(create_store(Settings(store="dynamodb", aws_region="eu-west-1"))).__name__ == "DynamoDbStore"
    with pytest.raises(ValueError):
        create_store(Settings(store="floppy"))


def test_importing_the_skill_creates_nothing_aws_without_a_region():
    """Lambda cold start and local runs: no boto3 resource (and no region) needed at import."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["CHC_STORE"] = "dynamodb"
    code = ("import sys, skill.builder, skill.handlers, skill.storage; skill.builder.build_skill(); "
            "print('ask_sdk_dynamodb.adapter' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]


def chat(tmp_path: Path, *lines: str) -> list[str]:
    env = {**os.environ, "CHC_STORE": "sqlite", "CHC_SQLITE_PATH": str(tmp_path / "progress.sqlite3")}
    args = [sys.executable, "-m", "skill", "chat", "--user", "alice"]
    for line in lines:
        args += ["--say", line]
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120)
    return [json.loads(line)["speech"] for line in out.stdout.splitlines() if line.strip()]


def test_two_chat_runs_resume_where_the_first_left_off(tmp_path):
    first = chat(tmp_path, "open cat harness coach", "my cat's name is luna", "we're on step three", "she was calm")
    assert first[0].startswith("Welcome to Cat Harness Coach")
    second = chat(tmp_path, "open cat harness coach", "how is my cat doing")
    assert second[0].startswith("Welcome back. Luna is on step three, the leash indoors.")
    assert "One session at this step, calm." in second[1]
