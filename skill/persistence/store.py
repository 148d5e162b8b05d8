"""The one small interface every progress store implements, and the errors it may raise.

A store keeps one opaque record per Alexa user id together with the bookkeeping that makes it
safe to share between devices: a ``version`` for conditional writes (a write names the version it
read, and fails if someone else wrote since), a ``ttl`` so abandoned data expires, and the
``schema`` the record was written with so later code can migrate it.
"""
from __future__ import annotations

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
    """The store could not be reached in time, throttled us, or refused for another reason."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class VersionConflict(Exception):
    """Someone else saved since we read: re-read, re-apply, and try again."""


@dataclass(frozen=True)
class StoredItem:
    """What a store returns: the record as stored (possibly corrupt) and its bookkeeping."""

    record: Any
    version: int | None
    schema: Any
    ttl: int | None


class ProgressStore(ABC):
    """Load, conditionally save, refresh and delete one record per user id."""

    def __init__(self, *, ttl_seconds: int = TTL_SECONDS, clock: Callable[[], float] = time.time) -> None:
        self.ttl_seconds = ttl_seconds
        self.clock = clock

    def expires_at(self) -> int:
        return int(self.clock()) + self.ttl_seconds

    def is_stale(self, item: StoredItem) -> bool:
        """Whether a read-only visit should refresh the TTL (see TTL_REFRESH_AFTER_SECONDS)."""
        if item.ttl is None:
            return True
        return item.ttl < self.expires_at() - TTL_REFRESH_AFTER_SECONDS

    @abstractmethod
    def load(self, user_id: str) -> StoredItem | None:
        """The stored item, or None when there is none (or it has expired)."""

    @abstractmethod
    def save(self, user_id: str, record: dict[str, Any], *, schema: int, expected_version: int | None) -> int:
        """Write ``record`` if the stored version is still ``expected_version`` (0: no item yet).

        ``expected_version=None`` replaces whatever is there; it is only used to overwrite an
        item whose version attribute itself is unreadable. Returns the new version; raises
        VersionConflict when another writer got there first.
        """

    @abstractmethod
    def touch(self, user_id: str) -> None:
        """Push the TTL out a year without changing the record (no-op when there is no item)."""

    @abstractmethod
    def delete(self, user_id: str) -> None:
        """Remove everything stored for the user; deleting nothing is not an error."""
