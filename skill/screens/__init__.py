"""What an Echo Show or Fire TV shows with a reply: APL documents filled from the guide content.

The documents are data (``page.json``, ``urgent.json``, ``session.json`` beside this file); this
module only fills their data source from the same objects the speech uses (steps and topics from
``skill.content``, the household's progress, the running practice session), so no text exists
twice. ``skill.dialogue.respond`` imports it only when a request comes from a device with a
screen: a screenless launch never loads it.

Buttons send ``Alexa.Presentation.APL.UserEvent`` with the arguments ``["tap", action]`` (or
``["goto", step]`` from a step marker); ``skill.handlers.touch`` turns those into the intents a
user would have said, so touch and voice share one implementation.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

from skill import storage
from skill.content import Entry, Step, guide
from skill.dialogue import SKILL_NAME, Screen, SessionState
from skill.training import CatProgress, Household

DOCUMENTS = Path(__file__).parent
# The token names the view, so a UserEvent (and the simulator) can tell which screen was touched.
TOKEN_PREFIX = "chc"
DOCUMENT_FOR_VIEW = {"welcome": "page", "step": "page", "topic": "page", "progress": "page",
                     "urgent": "urgent", "session": "session"}
BUTTON_LABELS = {"previous": "Previous", "next": "Next", "repeat": "Repeat", "start_session": "Start session",
                 "done": "We're done"}
HINTS = {
    "welcome": 'Try "Alexa, next step"',
    "step": 'Try "Alexa, next step"',
    "topic": 'Try "Alexa, tell me more"',
    "progress": 'Try "Alexa, she was calm"',
    "session": 'Try "Alexa, how much time is left?"',
}
OUTCOME_LABELS = {"calm": "calm", "some_stress": "a bit stressed", "scared": "scared"}
RECENT_SESSIONS = 3
MAX_POINTS = 8


@cache
def document(name: str) -> dict[str, Any]:
    """An APL document from this package, read once per process."""
    with (DOCUMENTS / f"{name}.json").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def render(handler_input: HandlerInput, screen: Screen) -> RenderDocumentDirective:
    """The RenderDocument directive for ``screen``, its data source built from current content."""
    data = screen_data(handler_input, screen)
    return RenderDocumentDirective(token=f"{TOKEN_PREFIX}:{data['view']}",
                                   document=document(DOCUMENT_FOR_VIEW[data["view"]]),
                                   datasources={"screen": data})


def screen_data(handler_input: HandlerInput, screen: Screen) -> dict[str, Any]:
    """The data source of one screen; a reference that no longer resolves shows the welcome screen."""
    content = guide()
    if screen.view == "step" and screen.ref.isdigit() and content.step(int(screen.ref)) is not None:
        step = content.step(int(screen.ref))
        assert step is not None
        return _step(step, _household(handler_input))
    if screen.view in {"topic", "urgent"} and content.entry(screen.ref) is not None:
        entry = content.entry(screen.ref)
        assert entry is not None
        return _urgent(entry) if entry.urgent or screen.view == "urgent" else _topic(entry)
    if screen.view == "progress":
        return _progress(_household(handler_input))
    if screen.view == "session":
        running = _session(handler_input)
        if running is not None:
            return running
    return _welcome(_household(handler_input))


def key_points(entry: Entry) -> list[str]:
    """The card's bullet lines ("- ..."); a card without bullets gives its paragraphs after the headline."""
    lines = [line[2:].strip() for line in entry.card.splitlines() if line.startswith("- ")]
    if not lines:
        paragraphs = [" ".join(part.split()) for part in entry.card.split("\n\n")]
        lines = paragraphs[1:] or paragraphs
    return lines[:MAX_POINTS]


def headline(entry: Entry) -> str:
    return entry.card.split("\n", 1)[0].strip() or entry.title


def _points(texts: list[str], details: list[str] | None = None) -> list[dict[str, str]]:
    details = details or [""] * len(texts)
    return [{"text": text, "detail": detail} for text, detail in zip(texts, details, strict=True)]


def _buttons(*actions: str) -> list[dict[str, str]]:
    return [{"label": BUTTON_LABELS[action], "action": action} for action in actions]


def _household(handler_input: HandlerInput) -> Household | None:
    """The household as this session already read it, or None: a screen never reads the store, so a
    guide question costs no read on an Echo Show either (the step markers then show no progress)."""
    return storage.cached(handler_input)


def _markers(cat: CatProgress | None, shown: int | None) -> list[dict[str, Any]]:
    """One marker per step: done, current (the cat's step) or ahead; ``shown`` marks the step on screen.

    Without the household (not read this session) every step is "ahead": no progress is claimed."""
    at = cat.step if cat is not None else 0
    finished = cat is not None and cat.finished_on is not None
    return [{"number": step.number, "label": str(step.number),
             "state": "done" if step.number < at or finished else "current" if step.number == at else "ahead",
             "shown": step.number == shown}
            for step in guide().steps]


def _base(view: str, title: str, subtitle: str, points: list[dict[str, str]], *,
          steps: list[dict[str, Any]] | None = None, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"view": view, "title": title, "subtitle": subtitle, "points": points, "steps": steps or [],
            "buttons": buttons or [], "hint": HINTS.get(view, "")}


def _welcome(home: Household | None) -> dict[str, Any]:
    cat = home.active_cat if home is not None else None
    step = guide().step(cat.step if cat is not None else 1) or guide().steps[0]
    returning = home is not None and home.has_progress
    name = cat.name if cat is not None and cat.name else "Your cat"
    title = f"Welcome back, {name}" if returning else SKILL_NAME
    subtitle = f"Step {step.number} of {len(guide().steps)}: {step.name}"
    return _base("welcome", title, subtitle, _points([step.goal], [step.ready_when]),
                 steps=_markers(cat, None), buttons=_buttons("repeat", "next", "start_session"))


def _step(step: Step, home: Household | None) -> dict[str, Any]:
    cat = home.active_cat if home is not None else None
    actions = [a for a in ("previous", "next") if (a == "previous" and step.number > 1)
               or (a == "next" and step.number < len(guide().steps))]
    return _base("step", step.title, f"Step {step.number} of {len(guide().steps)}", _points(key_points(step)),
                 steps=_markers(cat, step.number), buttons=_buttons(*actions, "repeat", "start_session"))


def _topic(entry: Entry) -> dict[str, Any]:
    subtitle = headline(entry) if headline(entry) != entry.title else ""
    return _base("topic", entry.title, subtitle, _points(key_points(entry)), buttons=_buttons("repeat"))


def _urgent(entry: Entry) -> dict[str, Any]:
    """The urgent answer: its actions, large, and nothing else on the screen."""
    return {"view": "urgent", "title": entry.title, "actions": key_points(entry)}


def _progress(home: Household | None) -> dict[str, Any]:
    cats = list(home.cats.values()) if home is not None else []
    texts, details = [], []
    for cat in cats:
        step = guide().step(cat.step) or guide().steps[0]
        finished = " (all five steps done)" if cat.finished_on else ""
        texts.append(f"{cat.name or 'Your cat'}: step {step.number}, {step.name}{finished}")
        recent = cat.sessions[-RECENT_SESSIONS:][::-1]
        details.append("Recent: " + ", ".join(
            f"{session.date} {OUTCOME_LABELS.get(session.outcome, session.outcome)}" for session in recent)
            if recent else "No practice logged yet")
    active = home.active_cat if home is not None else None
    return _base("progress", "Training progress", f"{len(cats)} cat{'s' if len(cats) != 1 else ''}",
                 _points(texts, details), steps=_markers(active, None), buttons=_buttons("repeat", "start_session"))


def _clock(seconds: int) -> str:
    """``125`` -> ``2:05``, ``3725`` -> ``1:02:05``: how the device's countdown shows a length too."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _session(handler_input: HandlerInput) -> dict[str, Any] | None:
    """The running practice session with what the device needs to count down on its own.

    ``remainingMs`` is measured at this request; the document subtracts APL's ``elapsedTime`` (time
    since it was shown), so the countdown ticks on the device with no further requests, and the end
    time is the device's own ``localTime`` plus what remains.
    """
    from skill import practice  # here, not at the top: only the session screen needs the practice rules

    home = _household(handler_input)
    running = practice.RunningPractice.from_dict(SessionState.of(handler_input).practice)
    if running is None and home is not None:
        running = practice.RunningPractice.from_dict(home.practice)
    if running is None:
        return None
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    now = practice.posix(stamp) if stamp is not None else running.started_at
    kind = practice.kinds().get(running.kind)
    name = home.active_cat.name if home is not None and home.active_cat.name else "Your cat"
    spoken = kind.spoken if kind is not None else running.kind
    return {"view": "session", "title": f"{name}'s {spoken} session",
            "subtitle": f"Session of {_clock(running.seconds)}",
            "remainingMs": running.remaining(now) * 1000, "totalMs": running.seconds * 1000,
            "ticking": not running.paused, "buttons": _buttons("done", "repeat"), "hint": HINTS["session"]}
