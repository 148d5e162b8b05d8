"""A process-local store with the same conditional-write rules as the real ones: for throwaway runs."""
from __future__ import annotations

import copy
import threading
from typing import Any

from skill.persistence.store import ProgressStore, StoredItem, VersionConflict


class MemoryStore(ProgressStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items: dict[str, StoredItem] = {}
        self._lock = threading.Lock()

    def load(self, user_id: str) -> StoredItem | None:
        with self._lock:
            item = self._items.get(user_id)
            if item is None:
                return None
            if item.ttl is not None and item.ttl < self.clock():
                del self._items[user_id]
                return None
            return copy.deepcopy(item)

    def save(self, user_id: str, record: dict[str, Any], *, schema: int, expected_version: int | None) -> int:
        with self._lock:
            current = self._items.get(user_id)
            current_version = (current.version or 0) if current else 0
            if expected_version is not None and current is not None and current_version != expected_version:
                raise VersionConflict(user_id)
            version = (current_version if expected_version is None else expected_version) + 1
            self._items[user_id] = StoredItem(copy.deepcopy(record), version, schema, self.expires_at())
            return version

    def touch(self, user_id: str) -> None:
        with self._lock:
            item = self._items.get(user_id)
            if item is not None:
                self._items[user_id] = StoredItem(item.record, item.version, item.schema, self.expires_at())

    def delete(self, user_id: str) -> None:
        with self._lock:
            self._items.pop(user_id, None)
