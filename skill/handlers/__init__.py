"""Request handlers, grouped by what the user asks about.

Every handler in ``request_handlers`` claims requests no other one claims (a test dispatches
with them shuffled), so their order does not matter; only the catch-alls of ``session.LAST``
come after them. Yes and no are answered by one handler, ``yes_no.YesNoHandler``, from what
each feature registers.

Laziness is one rule, kept at a few seams: a cold launch loads only what a LaunchRequest needs
(``tests/test_cold_path.py`` is the contract). The seams are ``DeferredHandlers`` (a feature
module imported on its first request), ``yes_no.OWNERS`` (the same for yes/no answers),
``builder.DeferredApiClient`` (the HTTP client), and module-level imports inside the rare-turn
modules themselves (search, practice, durations), which only deferred code imports.
"""
from __future__ import annotations

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestHandler,
    AbstractRequestInterceptor,
)

from skill.handlers import navigation, progress, questions, session, touch, yes_no
from skill.handlers.base import DeferredHandlers
from skill.handlers.free_text import FreeTextInterceptor


def request_handlers() -> list[AbstractRequestHandler]:
    return [*feature_handlers(), *session.LAST]


def feature_handlers() -> list[AbstractRequestHandler]:
    """The handlers that each claim their own requests, in no particular order."""
    return [
        *session.HANDLERS,
        yes_no.YesNoHandler(),
        DeferredHandlers("skill.handlers.practice", "HANDLERS"),
        *progress.HANDLERS,
        *navigation.HANDLERS,
        *questions.HANDLERS,
    ]


def request_interceptors() -> list[AbstractRequestInterceptor]:
    # a tap becomes its intent, then free text the intent it means, before anything reads the request
    return [*touch.INTERCEPTORS, FreeTextInterceptor(), yes_no.ConfirmationExpiry()]


def exception_handlers() -> list[AbstractExceptionHandler]:
    return [session.SpokenErrorHandler()]
