"""Request handlers, grouped by what the user asks about.

``HANDLERS`` is the dispatch order: specific handlers first, the catch-alls of ``session`` last.
"""
from __future__ import annotations

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
    AbstractRequestInterceptor,
)

from skill.handlers import navigation, progress, questions, session, touch
from skill.handlers.base import DeferredHandlers
from skill.handlers.free_text import FreeTextInterceptor


def request_handlers() -> list[AbstractRequestHandler]:
    return [
        *session.OPENING,  # launch and sessionless events never need the timer code
        # "we're done" (a built-in Stop phrase) ends a timed session, not the skill
        DeferredHandlers("skill.handlers.timer", "FIRST"),
        *session.FIRST,
        # before progress and navigation: its yes/no answers "confirm:timer:" questions
        DeferredHandlers("skill.handlers.timer", "HANDLERS"),
        *progress.HANDLERS,  # before navigation: its yes/no answers "confirm:" questions
        *navigation.HANDLERS,
        *questions.HANDLERS,
        *navigation.UNPROMPTED,
        *session.LAST,
    ]


def request_interceptors() -> list[AbstractRequestInterceptor]:
    # a tap becomes its intent, then free text the intent it means, before anything reads the request
    return [*touch.INTERCEPTORS, FreeTextInterceptor(), *progress.INTERCEPTORS]


def exception_handlers() -> list[AbstractExceptionHandler]:
    return [session.SpokenErrorHandler()]
