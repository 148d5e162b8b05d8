"""Small bases that let a handler say which intents it takes instead of repeating can_handle logic."""
from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.dialogue import Reply, SessionState, is_one_shot, respond


def intent_name(handler_input: HandlerInput) -> str | None:
    request = handler_input.request_envelope.request
    if getattr(request, "object_type", None) != "IntentRequest" or request.intent is None:
        return None
    return request.intent.name


class IntentHandler(AbstractRequestHandler):
    """Handles the intents named in ``intents``; subclasses implement ``reply``."""

    intents: frozenset[str] = frozenset()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in self.intents

    def handle(self, handler_input: HandlerInput) -> Response:
        state = SessionState.of(handler_input)
        return respond(handler_input, self.reply(handler_input, state, is_one_shot(handler_input)))

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        raise NotImplementedError


class PendingAnswerHandler(IntentHandler):
    """Yes or No answering a question the skill asked; ``pending`` prefixes select which question."""

    pending_prefix: str = ""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not super().can_handle(handler_input):
            return False
        pending = SessionState.of(handler_input).pending or ""
        return pending == self.pending_prefix or pending.startswith(self.pending_prefix + ":")
