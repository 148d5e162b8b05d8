"""AWS Lambda entry point: ``lambda_function.lambda_handler`` in the SAM template.

The skill is built when the container starts, so a bad setting (e.g. a mistyped CHC_STORE) fails
the init with a message naming the variable instead of apologising to every user.
"""
from __future__ import annotations

from typing import Any

from skill.builder import default_skill, handle_event

default_skill()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle_event(event, context=context)
