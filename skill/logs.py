"""Log lines that cannot be forged and never name a user: JSON objects, request values as fields.

Every value that came from a request (an id, a URL, an intent name, an error text) goes into
``fields``, never into the message, and the line is one ``json.dumps`` object, so a newline or a
brace inside a value stays inside its string. User ids are replaced by a short SHA-256 digest
(enough to correlate one user's lines, not to recover the id). Lambda's own JSON log format
(template.yaml) escapes the same way and keeps ``fields`` as a key.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sys
from typing import Any

REQUEST_LOGGER = "skill.web.requests"
_HASH_DOMAIN = b"cat-harness-coach/user:"
# Longest request-derived text logged; ids are shorter, error texts are cut.
MAX_FIELD_CHARS = 200


def hash_user_id(user_id: str | None) -> str | None:
    """The digest that stands for an Alexa user id in every log line."""
    if not user_id:
        return None
    return hashlib.sha256(_HASH_DOMAIN + user_id.encode("utf-8")).hexdigest()[:16]


def field(value: Any) -> str | int | float | bool | None:
    """A request-derived value as a log field: scalars kept, text cut, anything else as its type name."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value[:MAX_FIELD_CHARS]
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"[:MAX_FIELD_CHARS]
    return type(value).__name__


def event(logger: logging.Logger, level: int, name: str, **fields: Any) -> None:
    """Log the constant ``name`` with ``fields`` (user ids must already be hashed)."""
    logger.log(level, name, extra={"fields": {key: field(value) for key, value in fields.items()}})


class JsonLineFormatter(logging.Formatter):
    """Formats ``extra={"fields": {...}}`` plus level, logger and time as a single JSON object."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=True, default=str)


def json_handler() -> logging.Handler:
    """A stderr handler writing one JSON object per record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    return handler


def request_logger() -> logging.Logger:
    """The per-request logger, given a JSON handler on stderr unless the host configured one."""
    logger = logging.getLogger(REQUEST_LOGGER)
    if not logger.handlers:
        logger.addHandler(json_handler())
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def request_summary(envelope: Any) -> dict[str, Any]:
    """The loggable facts of a parsed envelope (``RequestEnvelope``): ids and names only, user hashed."""
    request = getattr(envelope, "request", None)
    system = getattr(getattr(envelope, "context", None), "system", None)
    user_id = getattr(getattr(system, "user", None), "user_id", None)
    return {
        "request_id": _short(getattr(request, "request_id", None)),
        "request_type": _short(getattr(request, "object_type", None)),
        "intent": _short(getattr(getattr(request, "intent", None), "name", None)),
        "user": hash_user_id(user_id if isinstance(user_id, str) else None),
    }


def _short(value: Any) -> str | None:
    """Identifiers only: anything that is not a short string is not logged."""
    return value[:120] if isinstance(value, str) else None
