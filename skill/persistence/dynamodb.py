"""Production storage: one DynamoDB item per Alexa user, through ask-sdk-dynamodb-persistence-adapter.

The SDK's DynamoDbAdapter writes unconditionally, which would let two devices of one household
overwrite each other, so this store wraps it: the adapter owns the table name, the partition key
(``id``) and the boto3 resource, and this class adds the conditional write
(``attribute_not_exists(id) OR version = :expected``), the ``ttl`` and ``schema`` attributes,
and error codes mapped to StoreUnavailable / VersionConflict.

Nothing AWS is built at import. The adapter module itself creates a default boto3 resource when
imported (a default argument), so it is imported only on first use, after a region is known.
boto3 timeouts and retries are bounded so a slow table fails fast instead of running past the
8 seconds Alexa waits for a response.
"""
from __future__ import annotations

import os
import sys
from decimal import Decimal
from typing import Any

from skill.persistence.store import ProgressStore, StoredItem, StoreUnavailable, VersionConflict

ATTRIBUTE = "household"
PARTITION_KEY = "id"
# Worst case per call: 2 attempts x (1 s connect + 1 s read) + one short backoff, well under 8 s.
CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 1.0
TOTAL_MAX_ATTEMPTS = 2
DEFAULT_REGION = "us-east-1"


def _bounded(resource: Any) -> bool:
    """Whether a boto3 resource's client carries this store's timeouts and retry limit."""
    config = resource.meta.client.meta.config
    return (config.connect_timeout == CONNECT_TIMEOUT_SECONDS and config.read_timeout == READ_TIMEOUT_SECONDS
            and (config.retries or {}).get("total_max_attempts") == TOTAL_MAX_ATTEMPTS)


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
    def __init__(
        self,
        table_name: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        credentials: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.table_name = table_name
        self.region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        self.endpoint_url = endpoint_url
        self.credentials = credentials or {}
        self._adapter: Any = None

    @property
    def adapter(self) -> Any:
        """The SDK adapter around a boto3 resource with bounded timeouts, built on first use."""
        if self._adapter is None:
            self._adapter = self._build_adapter()
        return self._adapter

    def _build_adapter(self) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            retries={"total_max_attempts": TOTAL_MAX_ATTEMPTS, "mode": "standard"},
        )
        # The adapter module evaluates boto3.resource("dynamodb") on the default session at import.
        os.environ.setdefault("AWS_DEFAULT_REGION", self.region)
        production = self.endpoint_url is None and not self.credentials
        if production and "ask_sdk_dynamodb.adapter" not in sys.modules:
            # Give the default session the bounded config before that import, so the adapter's own
            # resource is the one this store uses: a second client would add about 18 M instructions to every cold start (callgrind).
            boto3._get_default_session()._session.set_default_client_config(config)
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter

        options = {"partition_key_name": PARTITION_KEY, "attribute_name": ATTRIBUTE,
                   "partition_keygen": str}  # this store is called with the user id itself
        if production:
            adapter = DynamoDbAdapter(self.table_name, **options)
            client = adapter.dynamodb.meta.client
            if _bounded(adapter.dynamodb) and client.meta.region_name == self.region:
                return adapter
        # Tests, DynamoDB Local, explicit credentials, or an adapter imported before the config was set.
        # The default session already has botocore's JSON models loaded; a new one would read them again.
        resource = boto3._get_default_session().resource(
            "dynamodb", region_name=self.region, endpoint_url=self.endpoint_url, config=config, **self.credentials)
        return DynamoDbAdapter(self.table_name, dynamodb_resource=resource, **options)

    @property
    def client(self) -> Any:
        """The low-level client, e.g. to register botocore event hooks."""
        return self.adapter.dynamodb.meta.client

    def _table(self) -> Any:
        return self.adapter.dynamodb.Table(self.table_name)

    def load(self, user_id: str) -> StoredItem | None:
        try:
            response = self._table().get_item(Key={PARTITION_KEY: user_id}, ConsistentRead=True)
        except Exception as error:
            raise _unavailable(error) from error
        item = response.get("Item")
        if item is None:
            return None
        ttl = _plain(item.get("ttl"))
        if isinstance(ttl, int) and ttl < self.clock():
            return None  # expired but not yet swept by DynamoDB
        version = _plain(item.get("version"))
        return StoredItem(
            record=_plain(item.get(ATTRIBUTE)),
            version=version if isinstance(version, int) else None,
            schema=_plain(item.get("schema")),
            ttl=ttl if isinstance(ttl, int) else None,
        )

    def save(self, user_id: str, record: dict[str, Any], *, schema: int, expected_version: int | None) -> int:
        version = (expected_version or 0) + 1
        item = {PARTITION_KEY: user_id, ATTRIBUTE: record, "version": version, "ttl": self.expires_at(),
                "schema": schema}
        conditions: dict[str, Any] = {}
        if expected_version is not None:
            conditions = {
                "ConditionExpression": "attribute_not_exists(#id) OR #version = :expected",
                "ExpressionAttributeNames": {"#id": PARTITION_KEY, "#version": "version"},
                "ExpressionAttributeValues": {":expected": expected_version},
            }
        try:
            self._table().put_item(Item=item, **conditions)
        except Exception as error:
            if _code(error) == "ConditionalCheckFailedException":
                raise VersionConflict(user_id) from error
            raise _unavailable(error) from error
        return version

    def touch(self, user_id: str) -> None:
        try:
            self._table().update_item(
                Key={PARTITION_KEY: user_id},
                UpdateExpression="SET #ttl = :ttl",
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#ttl": "ttl", "#id": PARTITION_KEY},
                ExpressionAttributeValues={":ttl": self.expires_at()},
            )
        except Exception as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise _unavailable(error) from error

    def delete(self, user_id: str) -> None:
        try:
            self.adapter.delete_attributes(user_id)
        except Exception as error:
            raise _unavailable(error.__cause__ or error.__context__ or error) from error


def _code(error: BaseException) -> str | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def _unavailable(error: BaseException) -> StoreUnavailable:
    code = _code(error) or type(error).__name__
    return StoreUnavailable(f"DynamoDB {code}: {error}", code=code)
