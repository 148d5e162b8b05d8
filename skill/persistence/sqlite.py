"""A file-backed store for the simulator and a locally run web service: no AWS needed.

Same rules as DynamoDB: one row per user id, a version checked on every write (an UPDATE that
names the version it read, or an INSERT that only succeeds when there is no row), and a TTL
after which the row counts as gone.
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

    def load(self, user_id: str) -> StoredItem | None:
        try:
            with closing(self._connect()) as db:
                row = db.execute("SELECT body, version, schema, ttl FROM progress WHERE id = ?", (user_id,)).fetchone()
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error
        if row is None:
            return None
        body, version, schema, ttl = row
        if ttl is not None and ttl < self.clock():
            return None
        try:
            record = json.loads(body)
        except ValueError:
            record = body
        return StoredItem(record, version if isinstance(version, int) else None, schema, ttl)

    def save(self, user_id: str, record: dict[str, Any], *, schema: int, expected_version: int | None) -> int:
        body = json.dumps(record, separators=(",", ":"))
        try:
            with closing(self._connect()) as db:
                if expected_version is None:
                    db.execute("BEGIN IMMEDIATE")
                    row = db.execute("SELECT version FROM progress WHERE id = ?", (user_id,)).fetchone()
                    version = (row[0] if row and isinstance(row[0], int) else 0) + 1
                    db.execute("INSERT OR REPLACE INTO progress (id, version, ttl, schema, body) VALUES (?, ?, ?, ?, ?)",
                               (user_id, version, self.expires_at(), schema, body))
                    db.execute("COMMIT")
                    return version
                version = expected_version + 1
                updated = db.execute(
                    "UPDATE progress SET version = ?, ttl = ?, schema = ?, body = ? WHERE id = ? AND version = ?",
                    (version, self.expires_at(), schema, body, user_id, expected_version),
                ).rowcount
                if updated:
                    return version
                # No row with that version: either there is no row at all (write it) or someone else saved.
                inserted = db.execute(
                    "INSERT INTO progress (id, version, ttl, schema, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
                    (user_id, version, self.expires_at(), schema, body),
                ).rowcount
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error
        if not inserted:
            raise VersionConflict(user_id)
        return version

    def touch(self, user_id: str) -> None:
        try:
            with closing(self._connect()) as db:
                db.execute("UPDATE progress SET ttl = ? WHERE id = ?", (self.expires_at(), user_id))
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error

    def delete(self, user_id: str) -> None:
        try:
            with closing(self._connect()) as db:
                db.execute("DELETE FROM progress WHERE id = ?", (user_id,))
        except sqlite3.Error as error:
            raise StoreUnavailable(str(error)) from error
