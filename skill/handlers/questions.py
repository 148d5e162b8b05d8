"""Questions about the guide: the named-topic intents, "tell me about X", and free-form questions.

Which intent answers with which entry is data (``intent`` on a topic in content/guide.toml), so a
new FAQ entry with its own intent needs no handler code.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ask_sdk_core.handler_input import HandlerInput

from skill import replies, slots
from skill.content import guide
from skill.dialogue import Reply, SessionState
from skill.handlers.base import IntentHandler, intent_name
from skill.handlers.free_text import UNDERSTOOD

if TYPE_CHECKING:
    from skill.understanding.meaning import Understood


class TopicAnswerHandler(IntentHandler):
    """Every intent that a guide topic names, e.g. SafetyRulesIntent or UrgentIntent."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        name = intent_name(handler_input)
        return name is not None and name in guide().topic_intents

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        topic = guide().topic_for_intent(intent_name(handler_input) or "")
        assert topic is not None
        return replies.answer(topic, state, one_shot=one_shot)


class TopicSlotHandler(IntentHandler):
    """"tell me about {topic}": the resolved entity id is the topic id; unmatched words go to search."""

    intents = frozenset({"TopicIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        topic_id = slots.resolved_id(handler_input, "topic")
        entry = guide().entry(topic_id) if topic_id else None
        if entry is not None:
            return replies.answer(entry, state, one_shot=one_shot)
        heard = slots.text(handler_input, "topic")
        if heard:
            return answer_free_text(heard, state, one_shot=one_shot)
        state.pending = None
        return Reply.from_template("missing_topic")


class QuestionHandler(IntentHandler):
    """Free text that ``FreeTextInterceptor`` could not turn into anything the coach answers.

    Everything the words do mean was already rewritten to its own intent; what is left is either
    nothing heard at all, or a request the coach cannot help with.
    """

    intents = frozenset({"QuestionIntent"})

    def can_handle(self, handler_input: HandlerInput) -> bool:
        """QuestionIntent, and the carriers that keep a word ("how {query}", "{query} minutes") and stand for it."""
        name = intent_name(handler_input)
        if name is None:
            return False
        if name in self.intents:
            return True
        from skill.understanding import words

        return name in words.language().carrier_intents

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        understood = cast("Understood | None", handler_input.attributes_manager.request_attributes.get(UNDERSTOOD))
        if understood is None:
            return answer_free_text(slots.text(handler_input, "query"), state, one_shot=one_shot)
        return _cannot_help(state, heard=understood.heard, one_shot=one_shot)


def answer_free_text(query: str | None, state: SessionState, *, one_shot: bool = False) -> Reply:
    """Answer words that a slot did not resolve, with the guide entry they mean.

    Other handlers whose slot did not match (e.g. "she's {milestone}" hearing "she's hissing")
    fall back to this, so a crisis described in any phrasing still gets the urgent answer.
    """
    from skill.understanding.meaning import understand

    understood = understand(query)
    entry = guide().entry(understood.label) if understood.label else None
    if entry is None:
        return _cannot_help(state, heard=understood.heard, one_shot=one_shot)
    return replies.answer(entry, state, one_shot=one_shot)


def _cannot_help(state: SessionState, *, heard: bool, one_shot: bool) -> Reply:
    """Words the coach cannot help with, or no words at all: say which, and what it can do."""
    state.pending = None
    state.more = None
    return Reply.from_template("not_sure", heard=heard, one_shot=one_shot, repeatable=False, end_session=one_shot,
                               practising=state.practice is not None)


HANDLERS = [TopicAnswerHandler(), TopicSlotHandler(), QuestionHandler()]
