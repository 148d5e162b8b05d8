"""A file-backed store for the simulator and a locally run web service: no AWS needed.

One row per user id; ``put`` is an UPDATE that names the version it read, or an INSERT that only
succeeds when there is no row. Versions and TTLs are decided by ``StoredItem``, not here.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from skill.persistence.store import ProgressStore, StoredItem, StoreUnavailable, VersionConflict

_SCHEMA = """
CREATE TABLE IF NOT EXISTS progress (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    ttl INTEGER,
    schema INTEGER,
    body TEXT NOT NULL
)
"""


class SQLiteStore(ProgressStore):
    def __init__(self, path: Path | str, *, timeout: float = 2.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = Path(path)
        self.timeout = timeout
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            if not self._ready:
                connection.execute(_SCHEMA)
                self._ready = True
            return connection
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailable(f"sqlite store at {self.path}: {error}") from error

    def get(self, user_id: str) -> StoredItem | None:
        try:
            with closing(self._connect()) as db:
                row = db.execute("SELECT body, version, schema, ttl FROM progress WHERE id = ?", (user_id,)).fetchone()
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error), code=type(error).__name__) from error
        if row is None:
            return None
        body, version, schema, ttl = row
        try:
            record = json.loads(body)
        except ValueError:
            record = body
        return StoredItem(record, version if isinstance(version, int) else None, schema,
                          ttl if isinstance(ttl, int) else None)

    def put(self, user_id: str, item: StoredItem, *, expected_version: int | None) -> None:
        body = json.dumps(item.record, separators=(",", ":"))
        values = (user_id, item.version, item.ttl, item.schema, body)
        try:
            with closing(self._connect()) as db:
                if expected_version is None:
                    db.execute("INSERT OR REPLACE INTO progress (id, version, ttl, schema, body) VALUES (?, ?, ?, ?, ?)",
                               values)
                    return
                if expected_version == 0:
                    changed = db.execute(
                        "INSERT INTO progress (id, version, ttl, schema, body) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO NOTHING", values).rowcount
                else:
                    changed = db.execute(
                        "UPDATE progress SET version = ?, ttl = ?, schema = ?, body = ? WHERE id = ? AND version = ?",
                        (item.version, item.ttl, item.schema, body, user_id, expected_version)).rowcount
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error), code=type(error).__name__) from error
        if not changed:
            raise VersionConflict("stored version moved on")

    def delete(self, user_id: str) -> None:
        try:
            with closing(self._connect()) as db:
                db.execute("DELETE FROM progress WHERE id = ?", (user_id,))
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error), code=type(error).__name__) from error
