"""Where training progress is kept: one store interface, three backends chosen by configuration.

``dynamodb`` in production (Lambda), ``sqlite`` -- a local file -- for the simulator and a locally
run web service, ``memory`` for throwaway runs. Creating a store does no I/O; the DynamoDB one
builds its boto3 resource on first use.
"""
from __future__ import annotations

from skill.config import Settings
from skill.persistence.households import HouseholdRepository, Loaded
from skill.persistence.store import ProgressStore, StoredItem, StoreUnavailable, VersionConflict

__all__ = [
    "HouseholdRepository",
    "Loaded",
    "ProgressStore",
    "StoreUnavailable",
    "StoredItem",
    "VersionConflict",
    "create_store",
]


def create_store(settings: Settings) -> ProgressStore:
    if settings.store == "dynamodb":
        from skill.persistence.dynamodb import DynamoDbStore

        return DynamoDbStore(settings.table_name, region=settings.aws_region, endpoint_url=settings.dynamodb_endpoint)
    if settings.store == "sqlite":
        from skill.persistence.sqlite import SQLiteStore

        return SQLiteStore(settings.sqlite_path)
    if settings.store == "memory":
        from skill.persistence.memory import MemoryStore

        return MemoryStore()
    raise ValueError(f"unknown store {settings.store!r}: use dynamodb, sqlite or memory")
