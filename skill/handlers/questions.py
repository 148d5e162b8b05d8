"""Questions about the guide: the named-topic intents, "tell me about X", and free-form questions.

Which intent answers with which entry is data (``intent`` on a topic in content/guide.toml), so a
new FAQ entry with its own intent needs no handler code.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ask_sdk_core.handler_input import HandlerInput

from skill import replies, slots
from skill.content import guide
from skill.dialogue import Reply, SessionState
from skill.handlers.base import IntentHandler, intent_name

if TYPE_CHECKING:
    from skill.search import SearchIndex


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
        heard = slots.text(handler_input, "topic")
        if entry is None and heard:
            match = _search_index().best(heard)
            entry = match.entry if match else None
        if entry is None:
            state.pending = None
            return Reply.from_template("missing_topic", heard=heard)
        return replies.answer(entry, state, one_shot=one_shot)


class QuestionHandler(IntentHandler):
    """Free-form questions (AMAZON.SearchQuery), routed by ranked search over the whole guide."""

    intents = frozenset({"QuestionIntent"})

    def reply(self, handler_input: HandlerInput, state: SessionState, one_shot: bool) -> Reply:
        return answer_free_text(slots.text(handler_input, "query"), state, one_shot=one_shot)


def _search_index() -> SearchIndex:
    """The search index, imported on first use: launches and step turns never search, and the
    module's import is about 2% of a cold start (bench/report.md)."""
    from skill import search

    return search.index()


def answer_free_text(query: str | None, state: SessionState, *, one_shot: bool = False) -> Reply:
    """Search the guide for the words; below the confidence threshold say what the skill can help with.

    Other handlers whose slot did not match (e.g. "she's {milestone}" hearing "she's hissing")
    fall back to this, so a crisis described in any phrasing still gets the urgent answer.
    """
    match = _search_index().best(query) if query else None
    if match is None:
        state.pending = None
        state.more = None
        return Reply.from_template("not_sure", query=query, repeatable=False)
    return replies.answer(match.entry, state, one_shot=one_shot)


HANDLERS = [TopicAnswerHandler(), TopicSlotHandler(), QuestionHandler()]
