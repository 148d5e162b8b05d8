"""Reading and saving a Household safely: decode/migrate on read, conditional write with bounded retry,
and each change applied once.

Two devices of one household may save at the same moment. Every write names the version it was
based on; when another device got there first the change is re-applied to a fresh read and
written again, a bounded number of times and only while there is time left in the turn.

A change carries an id (the Alexa ``requestId``). The record keeps the last ``MAX_APPLIED_IDS``
ids it applied, so a replayed request, or a retry after a write whose answer timed out but which
landed, is acknowledged with the same answer and not applied a second time.
"""
from __future__ import annotations

import copy
import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from skill.logs import event, hash_user_id
from skill.persistence.schema import SCHEMA_VERSION, CorruptRecord, applied_ids, decode, encode
from skill.persistence.store import ProgressStore, StoreUnavailable, VersionConflict
from skill.training import Household

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 4
# Stop retrying conflicts after this long, leaving room in Alexa's 8 seconds for the answer.
RETRY_BUDGET_SECONDS = 3.0
# Request ids remembered per household: enough for replays and retries of the last few turns.
MAX_APPLIED_IDS = 8


@dataclass
class Loaded:
    """A household and the version it was read at (0: nothing stored; None: overwrite unreadable item).

    ``notice`` is "recovered" when the stored record could not be read and a fresh one stands in.
    """

    household: Household
    version: int | None
    notice: str | None = None
    applied: tuple[str, ...] = ()
    # True when the change asked for had already been applied (a replay): nothing was written.
    already_applied: bool = False


class HouseholdRepository:
    def __init__(self, store: ProgressStore, *, max_attempts: int = MAX_ATTEMPTS,
                 retry_budget_seconds: float = RETRY_BUDGET_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.max_attempts = max_attempts
        self.retry_budget_seconds = retry_budget_seconds
        self.monotonic = monotonic

    def load(self, user_id: str, today: datetime.date, *, refresh_ttl: bool = True) -> Loaded:
        """The stored household, migrated; a fresh one for new users, expired or unreadable records."""
        item = self.store.get(user_id)
        if item is None:
            return Loaded(Household.new(today), 0)
        if item.expired(self.store.clock()):
            return Loaded(Household.new(today), item.version)  # the next write replaces it, conditionally
        if refresh_ttl and self.store.is_stale(item):
            try:
                self.store.touch(user_id, item)
            except StoreUnavailable as error:
                event(log, logging.WARNING, "ttl_refresh_failed", user=hash_user_id(user_id), code=error.code)
        try:
            return Loaded(decode(item.record, item.schema), item.version, applied=applied_ids(item.record))
        except CorruptRecord as error:
            event(log, logging.ERROR, "unreadable_record_replaced", user=hash_user_id(user_id), error=str(error))
            return Loaded(Household.new(today), item.version, notice="recovered")

    def update(self, user_id: str, change: Callable[[Household], T], today: datetime.date,
               loaded: Loaded | None = None, change_id: str | None = None) -> tuple[T, Loaded]:
        """Apply ``change`` and save it; re-read and re-apply on a version conflict.

        Writes nothing when ``change`` leaves the household as it was, or when ``change_id`` is
        among the ids the stored record already applied: then the answer is the one computed on
        the state this request was based on (a replay carries the original session, so it is the
        original answer). Raises StoreUnavailable, or VersionConflict once the attempts or the
        time budget run out; the stored item is then exactly as another writer left it.
        """
        started = self.monotonic()
        current = loaded or self.load(user_id, today)
        answer: list[T] = []
        for attempt in range(1, self.max_attempts + 1):
            if change_id is not None and change_id in current.applied:
                result = answer[0] if answer else change(copy.deepcopy(current.household))
                event(log, logging.INFO, "change_already_applied", user=hash_user_id(user_id), change_id=change_id)
                return result, Loaded(current.household, current.version, current.notice, current.applied,
                                      already_applied=True)
            household = copy.deepcopy(current.household)
            result = change(household)
            answer[:] = [result]
            record = encode(household)
            if record == encode(current.household):
                return result, current
            applied = current.applied
            if change_id is not None:
                applied = (*applied, change_id)[-MAX_APPLIED_IDS:]
            try:
                version = self.store.save(user_id, _with_applied(record, applied), schema=SCHEMA_VERSION,
                                          expected_version=current.version)
            except VersionConflict:
                if attempt == self.max_attempts or self.monotonic() - started > self.retry_budget_seconds:
                    event(log, logging.WARNING, "version_conflict_gave_up", user=hash_user_id(user_id),
                          attempts=attempt)
                    raise
                event(log, logging.INFO, "version_conflict_retry", user=hash_user_id(user_id), attempt=attempt)
                current = self.load(user_id, today, refresh_ttl=False)
                continue
            return result, Loaded(household, version, current.notice, applied)
        raise VersionConflict("attempts exhausted")

    def delete(self, user_id: str) -> None:
        self.store.delete(user_id)


def _with_applied(record: dict[str, Any], applied: tuple[str, ...]) -> dict[str, Any]:
    return {**record, "applied": list(applied)} if applied else record
