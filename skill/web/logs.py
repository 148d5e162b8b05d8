"""One JSON line per web request: what was asked and how it went, never who said what.

User ids are replaced by a short SHA-256 digest (enough to correlate one user's requests across
lines, not to recover the id), and no speech, slot value or session attribute is ever logged.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sys
from typing import Any

REQUEST_LOGGER = "skill.web.requests"
_HASH_DOMAIN = b"cat-harness-coach/user:"


def hash_user_id(user_id: str | None) -> str | None:
    if not user_id:
        return None
    return hashlib.sha256(_HASH_DOMAIN + user_id.encode("utf-8")).hexdigest()[:16]


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
        return json.dumps(line, ensure_ascii=False, default=str)


def request_logger() -> logging.Logger:
    """The per-request logger, given a JSON handler on stderr unless the host configured one."""
    logger = logging.getLogger(REQUEST_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def request_summary(envelope: dict[str, Any]) -> dict[str, Any]:
    """The loggable facts of an envelope: ids and names only, from a possibly malformed dict."""
    request = envelope.get("request") if isinstance(envelope.get("request"), dict) else {}
    intent = request.get("intent") if isinstance(request.get("intent"), dict) else {}
    context = envelope.get("context") if isinstance(envelope.get("context"), dict) else {}
    system = context.get("System") if isinstance(context.get("System"), dict) else {}
    user = system.get("user") if isinstance(system.get("user"), dict) else {}
    user_id = user.get("userId")
    return {
        "request_id": _short(request.get("requestId")),
        "request_type": _short(request.get("type")),
        "intent": _short(intent.get("name")),
        "user": hash_user_id(user_id if isinstance(user_id, str) else None),
    }


def _short(value: Any) -> str | None:
    """Identifiers only: anything that is not a short string is not logged."""
    return value[:120] if isinstance(value, str) else None
