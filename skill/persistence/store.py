"""The one small interface every progress store implements, and the errors it may raise.

A store keeps one opaque record per Alexa user id together with the bookkeeping that makes it
safe to share between devices: a ``version`` for conditional writes (a write names the version it
read, and fails if someone else wrote since), a ``ttl`` so abandoned data expires, and the
``schema`` the record was written with so later code can migrate it.
"""
from __future__ import annotations

import contextlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Abandoned households expire a year after their last use (DynamoDB TTL, epoch seconds).
TTL_SECONDS = 365 * 24 * 3600
# A read-only visit refreshes the TTL only when it is this old, so pure questions stay write-free
# in the common case while a household used once a month never expires.
TTL_REFRESH_AFTER_SECONDS = 30 * 24 * 3600


class StoreUnavailable(Exception):
    """The store could not be reached in time, throttled us, or refused for another reason.

    ``outcome_unknown`` is True when a write was sent but no answer came (a read timeout): it may
    still land, so nobody may be told that nothing changed.
    """

    def __init__(self, message: str, code: str | None = None, *, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.outcome_unknown = outcome_unknown


class VersionConflict(Exception):
    """Someone else saved since we read: re-read, re-apply, and try again."""


@dataclass(frozen=True)
class StoredItem:
    """The record class: the record as stored (possibly corrupt) and its bookkeeping, with their rules.

    Version, TTL and schema are decided here and nowhere else; backends store what they are given.
    """

    record: Any
    version: int | None
    schema: Any
    ttl: int | None

    def expired(self, now: float) -> bool:
        """Past its TTL: counts as gone even while the backend has not swept it yet."""
        return self.ttl is not None and self.ttl < now

    def stale(self, now: float, ttl_seconds: int = TTL_SECONDS) -> bool:
        """Whether a read-only visit should refresh the TTL (see TTL_REFRESH_AFTER_SECONDS)."""
        if self.ttl is None:
            return True
        return self.ttl < int(now) + ttl_seconds - TTL_REFRESH_AFTER_SECONDS

    @staticmethod
    def successor(record: Any, *, schema: int, based_on: int | None, now: float,
                  ttl_seconds: int = TTL_SECONDS) -> StoredItem:
        """The item that replaces version ``based_on`` (0 or None: nothing usable stored): version + 1."""
        return StoredItem(record, (based_on or 0) + 1, schema, int(now) + ttl_seconds)

    def refreshed(self, now: float, ttl_seconds: int = TTL_SECONDS) -> StoredItem:
        """The same item and version with its TTL pushed out."""
        return StoredItem(self.record, self.version, self.schema, int(now) + ttl_seconds)


class ProgressStore(ABC):
    """A backend gets, puts (conditionally on the stored version) and deletes one item per user id.

    The rules (TTL, versions, schema) live in ``StoredItem``; ``load``/``save``/``touch`` here apply
    them, so every backend behaves the same (tests/test_store_contract.py runs on all three).
    """

    def __init__(self, *, ttl_seconds: int = TTL_SECONDS, clock: Callable[[], float] = time.time) -> None:
        self.ttl_seconds = ttl_seconds
        self.clock = clock

    @abstractmethod
    def get(self, user_id: str) -> StoredItem | None:
        """The item as stored, expired or not; None when there is none."""

    @abstractmethod
    def put(self, user_id: str, item: StoredItem, *, expected_version: int | None) -> None:
        """Store ``item`` if the stored version is ``expected_version`` (0: no item), else VersionConflict.

        ``expected_version=None`` replaces whatever is there (an item whose version is unreadable).
        """

    @abstractmethod
    def delete(self, user_id: str) -> None:
        """Remove everything stored for the user; deleting nothing is not an error."""

    def load(self, user_id: str) -> StoredItem | None:
        """The stored item, or None when there is none or it has expired."""
        item = self.get(user_id)
        return None if item is None or item.expired(self.clock()) else item

    def save(self, user_id: str, record: dict[str, Any], *, schema: int, expected_version: int | None) -> int:
        """Write ``record`` as the successor of ``expected_version``; returns the new version."""
        item = StoredItem.successor(record, schema=schema, based_on=expected_version, now=self.clock(),
                                    ttl_seconds=self.ttl_seconds)
        self.put(user_id, item, expected_version=expected_version)
        return item.version or 0

    def touch(self, user_id: str, item: StoredItem | None = None) -> None:
        """Push the TTL out without changing record or version; a no-op when there is no item or it moved on.

        ``item`` is the item just read, if the caller has it (saves a second read).
        """
        item = item or self.get(user_id)
        if item is None:
            return
        with contextlib.suppress(VersionConflict):  # another write refreshed it anyway
            self.put(user_id, item.refreshed(self.clock(), self.ttl_seconds), expected_version=item.version)

    def is_stale(self, item: StoredItem) -> bool:
        return item.stale(self.clock(), self.ttl_seconds)
