"""Small bases that let a handler say which intents it takes instead of repeating can_handle logic."""
from __future__ import annotations

import importlib
from functools import cached_property

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.dialogue import Reply, SessionState, is_one_shot, respond


def intent_name(handler_input: HandlerInput) -> str | None:
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None) if getattr(request, "object_type", None) == "IntentRequest" else None
    name = getattr(intent, "name", None)
    return name if isinstance(name, str) else None


class IntentHandler(AbstractRequestHandler):
    """Handles the intents named in ``intents``; subclasses implement ``reply``."""

    intents: frozenset[str] = frozenset()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in self.intents

    def handle(self, handler_input: HandlerInput) -> Response:
        state = SessionState.of(handler_input)
        reply = self.reply(handler_input, state, is_one_shot(handler_input))
        if reply.topic is not None and state.practice is not None:
            # Whatever chose the topic (a topic intent, search, an urgent detector), a scare
            # during a practice ends the practice before any advice.
            from skill.handlers.practice import end_if_scared

            reply = end_if_scared(handler_input, state, reply)
        return respond(handler_input, reply)

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        raise NotImplementedError


class DeferredHandlers(AbstractRequestHandler):
    """A list of handlers from a module that is imported only when a request first reaches them.

    One of the skill's laziness seams (see ``skill.handlers``). The handler that claims a request
    is kept in that request's own attributes, so one instance serves concurrent requests safely.
    """

    def __init__(self, module: str, attribute: str) -> None:
        self.module = module
        self.attribute = attribute
        self._claimed = f"deferred:{module}.{attribute}"

    @cached_property
    def handlers(self) -> list[AbstractRequestHandler]:
        return list(getattr(importlib.import_module(self.module), self.attribute))

    @property
    def intents(self) -> frozenset[str]:
        """Every intent the deferred handlers name, for checks that compare handlers with the model."""
        return frozenset(name for handler in self.handlers for name in getattr(handler, "intents", ()))

    def can_handle(self, handler_input: HandlerInput) -> bool:
        for handler in self.handlers:
            if handler.can_handle(handler_input):
                handler_input.attributes_manager.request_attributes[self._claimed] = handler
                return True
        return False

    def handle(self, handler_input: HandlerInput) -> Response | None:
        handler = handler_input.attributes_manager.request_attributes.pop(self._claimed)
        assert isinstance(handler, AbstractRequestHandler)
        return handler.handle(handler_input)
