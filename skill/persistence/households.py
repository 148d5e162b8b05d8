"""Reading and saving a Household safely: decode/migrate on read, conditional write with bounded retry.

Two devices of one household may save at the same moment. Every write names the version it was
based on; when another device got there first the change is re-applied to a fresh read and
written again, a bounded number of times and only while there is time left in the turn.
"""
from __future__ import annotations

import copy
import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from skill.persistence.schema import SCHEMA_VERSION, CorruptRecord, decode, encode
from skill.persistence.store import ProgressStore, StoreUnavailable, VersionConflict
from skill.training import Household

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 4
# Stop retrying conflicts after this long, leaving room in Alexa's 8 seconds for the answer.
RETRY_BUDGET_SECONDS = 3.0


@dataclass
class Loaded:
    """A household and the version it was read at (0: nothing stored; None: overwrite unreadable item).

    ``notice`` is "recovered" when the stored record could not be read and a fresh one stands in.
    """

    household: Household
    version: int | None
    notice: str | None = None


class HouseholdRepository:
    def __init__(self, store: ProgressStore, *, max_attempts: int = MAX_ATTEMPTS,
                 retry_budget_seconds: float = RETRY_BUDGET_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.max_attempts = max_attempts
        self.retry_budget_seconds = retry_budget_seconds
        self.monotonic = monotonic

    def load(self, user_id: str, today: datetime.date, *, refresh_ttl: bool = True) -> Loaded:
        """The stored household, migrated; a fresh one for new users or unreadable records."""
        item = self.store.load(user_id)
        if item is None:
            return Loaded(Household.new(today), 0)
        if refresh_ttl and self.store.is_stale(item):
            try:
                self.store.touch(user_id)
            except StoreUnavailable as error:
                log.warning("could not refresh ttl: %s", error)
        try:
            return Loaded(decode(item.record, item.schema), item.version)
        except CorruptRecord as error:
            log.error("unreadable progress record, starting fresh: %s", error)
            return Loaded(Household.new(today), item.version, notice="recovered")

    def update(self, user_id: str, change: Callable[[Household], T], today: datetime.date,
               loaded: Loaded | None = None) -> tuple[T, Loaded]:
        """Apply ``change`` and save it; re-read and re-apply on a version conflict.

        Writes nothing when ``change`` leaves the household as it was. Raises StoreUnavailable,
        or VersionConflict once the attempts or the time budget run out; the stored item is
        then exactly as another writer left it, never half-changed.
        """
        started = self.monotonic()
        current = loaded or self.load(user_id, today)
        for attempt in range(1, self.max_attempts + 1):
            household = copy.deepcopy(current.household)
            result = change(household)
            record = encode(household)
            if record == encode(current.household):
                return result, current
            try:
                version = self.store.save(user_id, record, schema=SCHEMA_VERSION, expected_version=current.version)
            except VersionConflict:
                if attempt == self.max_attempts or self.monotonic() - started > self.retry_budget_seconds:
                    raise
                log.info("version conflict for a household, re-reading (attempt %d)", attempt)
                current = self.load(user_id, today, refresh_ttl=False)
                continue
            return result, Loaded(household, version, current.notice)
        raise VersionConflict(user_id)

    def delete(self, user_id: str) -> None:
        self.store.delete(user_id)
