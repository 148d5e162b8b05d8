"""Production storage: one DynamoDB item per Alexa user, through a boto3 client it is given.

The caller passes a boto3 ``Session`` and a botocore ``Config`` (as aws-lambda-powertools'
idempotency persistence layer does); by default a new session and this module's bounded config
(1 s connect, 1 s read, 2 attempts: a slow table fails well inside Alexa's 8 seconds). The client
is built on first use, never at import. Errors are told apart by botocore's modeled exceptions:
``ConditionalCheckFailedException`` is a VersionConflict, a read timeout an unknown outcome,
anything else StoreUnavailable with its error code.
"""
from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

from skill.persistence.store import ProgressStore, StoredItem, StoreUnavailable, VersionConflict

ATTRIBUTE = "household"
PARTITION_KEY = "id"
# Worst case per call: 2 attempts x (1 s connect + 1 s read) + one short backoff, well under 8 s.
CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 1.0
TOTAL_MAX_ATTEMPTS = 2
DEFAULT_REGION = "us-east-1"


def bounded_config() -> Any:
    """The botocore Config this store uses unless given one."""
    from botocore.config import Config

    return Config(connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS,
                  retries={"total_max_attempts": TOTAL_MAX_ATTEMPTS, "mode": "standard"})


def _plain(value: Any) -> Any:
    """boto3 hands numbers back as Decimal; the record only ever holds ints."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class DynamoDbStore(ProgressStore):
    def __init__(self, table_name: str, *, region: str | None = None, endpoint_url: str | None = None,
                 credentials: dict[str, str] | None = None, session: Any = None, config: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.table_name = table_name
        self.region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        self.endpoint_url = endpoint_url
        self.credentials = credentials or {}
        self._session = session
        self._config = config
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The low-level DynamoDB client (also where tests register botocore event hooks)."""
        if self._client is None:
            session = self._session
            if session is None:
                import boto3

                session = boto3.session.Session(region_name=self.region, **self.credentials)
            self._client = session.client("dynamodb", region_name=self.region, endpoint_url=self.endpoint_url,
                                          config=self._config or bounded_config())
        return self._client

    def get(self, user_id: str) -> StoredItem | None:
        try:
            response = self.client.get_item(TableName=self.table_name, Key={PARTITION_KEY: {"S": user_id}},
                                            ConsistentRead=True)
        except (ClientError, BotoCoreError) as error:
            raise _failure(error, writing=False) from error
        raw = response.get("Item")
        if raw is None:
            return None
        item = _decode(raw)
        version, ttl = _plain(item.get("version")), _plain(item.get("ttl"))
        return StoredItem(record=_plain(item.get(ATTRIBUTE)),
                          version=version if isinstance(version, int) and not isinstance(version, bool) else None,
                          schema=_plain(item.get("schema")), ttl=ttl if isinstance(ttl, int) else None)

    def put(self, user_id: str, item: StoredItem, *, expected_version: int | None) -> None:
        conditions: dict[str, Any] = {}
        if expected_version is not None:
            conditions = {
                "ConditionExpression": "attribute_not_exists(#id) OR #version = :expected"
                if expected_version == 0 else "#version = :expected",
                "ExpressionAttributeNames": {"#id": PARTITION_KEY, "#version": "version"}
                if expected_version == 0 else {"#version": "version"},
                "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
            }
        fields = {PARTITION_KEY: user_id, ATTRIBUTE: item.record, "version": item.version, "ttl": item.ttl,
                  "schema": item.schema}
        try:
            self.client.put_item(TableName=self.table_name, Item=_encode(fields), **conditions)
        except (ClientError, BotoCoreError) as error:
            if isinstance(error, self.client.exceptions.ConditionalCheckFailedException):
                raise VersionConflict("stored version moved on") from error
            raise _failure(error, writing=True) from error

    def delete(self, user_id: str) -> None:
        try:
            self.client.delete_item(TableName=self.table_name, Key={PARTITION_KEY: {"S": user_id}})
        except (ClientError, BotoCoreError) as error:
            raise _failure(error, writing=True) from error


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {key: serializer.serialize(value) for key, value in fields.items() if value is not None}


def _decode(raw: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {key: deserializer.deserialize(value) for key, value in raw.items()}


def _failure(error: ClientError | BotoCoreError, *, writing: bool) -> StoreUnavailable:
    """StoreUnavailable for a botocore error: the service's error code, or the transport failure."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code") or "ClientError"
        return StoreUnavailable(f"DynamoDB {code}", code=code)
    if isinstance(error, ReadTimeoutError):
        return StoreUnavailable("DynamoDB read timeout", code="ReadTimeout", outcome_unknown=writing)
    return StoreUnavailable(f"DynamoDB {type(error).__name__}", code=type(error).__name__)
