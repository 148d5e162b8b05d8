"""Request handlers, grouped by what the user asks about.

``HANDLERS`` is the dispatch order: specific handlers first, the catch-alls of ``session`` last.
"""
from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from skill.handlers import navigation, questions, session


def request_handlers() -> list[AbstractRequestHandler]:
    return [
        *session.FIRST,
        *navigation.HANDLERS,
        *questions.HANDLERS,
        *navigation.UNPROMPTED,
        *session.LAST,
    ]


def exception_handlers() -> list[AbstractExceptionHandler]:
    return [session.SpokenErrorHandler()]
