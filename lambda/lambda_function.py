"""AWS Lambda entry point: ``lambda_function.lambda_handler`` in the SAM template."""
from __future__ import annotations

from typing import Any

from skill.builder import handle_event


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle_event(event, context=context)
