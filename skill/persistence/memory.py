"""A process-local store: a dict behind a lock, for throwaway runs and the test suite."""
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

    def get(self, user_id: str) -> StoredItem | None:
        with self._lock:
            return copy.deepcopy(self._items.get(user_id))

    def put(self, user_id: str, item: StoredItem, *, expected_version: int | None) -> None:
        with self._lock:
            current = self._items.get(user_id)
            if expected_version is not None:
                stored = 0 if current is None else current.version
                if stored != expected_version:
                    raise VersionConflict("stored version moved on")
            self._items[user_id] = copy.deepcopy(item)

    def delete(self, user_id: str) -> None:
        with self._lock:
            self._items.pop(user_id, None)
