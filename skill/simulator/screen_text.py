"""A text rendering of the APL screen the skill sent, for the chat and for reading test failures.

It reads the same data source the device binds (title, subtitle, step markers, points, buttons,
hint), so what it prints is what the document shows, minus the colours.
"""
from __future__ import annotations

import textwrap
from typing import Any

MARKS = {"done": "✓", "current": "*", "ahead": " "}


def _clock(milliseconds: int) -> str:
    minutes, seconds = divmod(max(0, milliseconds) // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def render_text(directive: dict[str, Any], width: int = 96) -> list[str]:
    """Lines describing the screen: which one was sent, then what it shows."""
    data = (directive.get("datasources") or {}).get("screen") or {}
    view = data.get("view", "?")
    lines = [f"screen: {view} ({directive.get('token', '')})", f"| {data.get('title', '')}"]
    if data.get("subtitle"):
        lines.append(f"| {data['subtitle']}")
    if data.get("steps"):
        markers = " ".join(f"[{s['label']}{MARKS.get(s['state'], ' ')}]" if s.get("shown")
                           else f" {s['label']}{MARKS.get(s['state'], ' ')} " for s in data["steps"])
        lines.append(f"| steps: {markers}   (✓ done, * your cat's step, [ ] on screen)")
    if view == "session":
        ticking = "counting down on the device" if data.get("ticking") else "paused"
        lines.append(f"| {_clock(data.get('remainingMs', 0))} left, {ticking}")
    for point in data.get("points") or []:
        lines += textwrap.wrap(point["text"], width, initial_indent="| • ", subsequent_indent="|   ")
        if point.get("detail"):
            lines += textwrap.wrap(point["detail"], width, initial_indent="|   ", subsequent_indent="|   ")
    for action in data.get("actions") or []:
        lines += textwrap.wrap(action, width, initial_indent="| ! ", subsequent_indent="|   ")
    if data.get("buttons"):
        lines.append("| buttons: " + " ".join(f"[{b['label']}]" for b in data["buttons"])
                     + "   (:tap " + " | ".join(b["action"] for b in data["buttons"]) + ")")
    if data.get("hint"):
        lines.append(f"| {data['hint']}")
    return lines
