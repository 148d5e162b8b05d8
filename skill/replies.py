"""Answers built from guide content: chunking long answers, step navigation state, one-shot endings.

Plain Python over ``content`` and ``SessionState``: no SDK calls, so every rule here can be
tested without building a request.
"""
from __future__ import annotations

from typing import Any

from skill.content import Entry, Guide, Step, guide
from skill.dialogue import Ask, Pending, Reply, Screen, SessionState
from skill.training import CatProgress

FOLLOW_UP = "What else would you like to know?"


def answer(entry: Entry, state: SessionState, *, chunk: int = 0, one_shot: bool = False) -> Reply:
    """Speak one chunk of an entry; offer the rest with "want to hear more?" and keep the card whole."""
    chunk = max(0, min(chunk, len(entry.speech) - 1))
    has_more = chunk + 1 < len(entry.speech)
    state.more = {"entry": entry.id, "next": chunk + 1} if has_more and not one_shot else None
    state.pending = Pending(Ask.MORE) if has_more and not one_shot else None
    if isinstance(entry, Step):
        return _step(entry, state, chunk, has_more, one_shot)
    reply = Reply.from_template(
        "answer",
        text=entry.speech[chunk],
        title=entry.title,
        has_more=has_more,
        one_shot=one_shot,
        urgent=entry.urgent,
        follow_up=FOLLOW_UP,
        card_title=entry.title,
        card_text=entry.card,
        end_session=one_shot,
    )
    reply.screen = Screen("urgent" if entry.urgent else "topic", entry.id)
    reply.topic = entry.id
    return reply


def _step(step: Step, state: SessionState, chunk: int, has_more: bool, one_shot: bool) -> Reply:
    state.step = step.number
    content = guide()
    following = content.step(step.number + 1)
    reply = Reply.from_template(
        "step",
        step=step,
        chunk=chunk,
        text=step.speech[chunk],
        has_more=has_more,
        following=following,
        one_shot=one_shot,
        total=len(content.steps),
        card_title=step.title,
        card_text=step.card,
        end_session=one_shot,
    )
    reply.screen = Screen("step", str(step.number))
    return reply


def step_number(content: Guide, number: int, state: SessionState, *, one_shot: bool = False) -> Reply:
    step = content.step(number)
    if step is None:
        return Reply.from_template("no_such_step", number=number, total=len(content.steps), end_session=one_shot)
    return answer(step, state, one_shot=one_shot)


def continue_answer(state: SessionState) -> Reply | None:
    """The next chunk of the answer in progress, or None when nothing is left to say."""
    more = state.more
    entry = guide().entry(more["entry"]) if more else None
    if more is None or entry is None or more["next"] >= len(entry.speech):
        state.more = None
        return None
    return answer(entry, state, chunk=more["next"])


def who(cat: CatProgress) -> str:
    return cat.name or "your cat"


def cat_context(cat: CatProgress) -> dict[str, Any]:
    """What every template about a cat may use: its name, its step from the guide, how many steps."""
    name = who(cat)
    return {"who": name, "Who": name[:1].upper() + name[1:], "step": guide().step(cat.step),
            "total": len(guide().steps)}
