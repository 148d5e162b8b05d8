"""Text to intent and slots, resolved from the generated interaction model itself.

Every sample utterance becomes a pattern; a typed sentence is matched against all of them and
the most specific match wins (most literal words, resolved slots over unresolved, free-form
SearchQuery last), which is close to how Alexa prefers exact samples over carrier phrases.
There is no second list of phrasings: if the model cannot say it, neither can the simulator.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from skill.interaction_model import load_locale_model
from skill.understanding.spoken import parse_duration, parse_number

_WORD = re.compile(r"[a-z0-9']+(?:\.[a-z]\.?)*")
FREE_TEXT_TYPES = {"AMAZON.SearchQuery"}


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("-", " ")
    return " ".join(_WORD.findall(text))


@dataclass(frozen=True)
class SlotFill:
    name: str
    value: str
    type: str
    resolved_id: str | None = None
    resolved_name: str | None = None
    custom: bool = False


@dataclass(frozen=True)
class IntentMatch:
    intent: str
    slots: dict[str, SlotFill] = field(default_factory=dict)
    sample: str | None = None


@dataclass(frozen=True)
class _Pattern:
    intent: str
    sample: str
    regex: re.Pattern[str]
    slot_types: dict[str, str]
    literal_words: int
    # Adjacent slots ("start a {duration} {kind} session") can split two ways; the greedy variant
    # lets the first slot take more words ("two minute" + "outdoor") when the shortest split fails.
    greedy: re.Pattern[str] | None = None


class Understanding:
    """Resolves typed utterances against one locale's language model."""

    def __init__(self, model: dict[str, Any] | None = None) -> None:
        model = model or load_locale_model()
        self.types = {t["name"]: t for t in model.get("types", [])}
        self.patterns: list[_Pattern] = []
        # Patterns by their first literal word (apostrophes dropped, as matching allows), so a sentence
        # is only tried against samples that can start like it; those opening with a slot are tried always.
        by_first: dict[str, list[int]] = {}
        slot_first: list[int] = []
        for intent in model["intents"]:
            slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
            for sample in intent.get("samples", []):
                first = sample.split()[0]
                position = len(self.patterns)
                self.patterns.append(self._compile(intent["name"], sample, slot_types))
                if first.startswith("{"):
                    slot_first.append(position)
                else:
                    by_first.setdefault(normalise(first).replace("'", ""), []).append(position)
        # In model order, since the first of two equally specific samples wins.
        self._by_first = {word: [self.patterns[i] for i in sorted({*found, *slot_first})]
                          for word, found in by_first.items()}
        self._slot_first = [self.patterns[i] for i in slot_first]

    @staticmethod
    def _compile(intent: str, sample: str, slot_types: dict[str, str]) -> _Pattern:
        parts, literal = [], 0
        for token in sample.split():
            if token.startswith("{") and token.endswith("}"):
                parts.append(f"(?P<{token[1:-1]}>.+?)")
            else:
                # Typed text often drops apostrophes ("cats name"); speech recognition would not.
                parts.append(re.escape(normalise(token)).replace("'", "'?"))
                literal += 1
        regex = re.compile("^" + r"\s+".join(parts) + "$")
        greedy = re.compile("^" + r"\s+".join(p.replace(">.+?)", ">.+)") for p in parts) + "$")
        return _Pattern(intent, sample, regex, slot_types, literal, greedy)

    def _fill(self, name: str, raw: str, slot_type: str) -> SlotFill | None:
        if slot_type == "AMAZON.NUMBER":
            number = parse_number(raw)
            return SlotFill(name, str(number), slot_type) if number is not None else None
        if slot_type == "AMAZON.DURATION":
            iso = parse_duration(raw)
            return SlotFill(name, iso, slot_type) if iso is not None else None
        if slot_type in self.types:
            for value in self.types[slot_type]["values"]:
                names = [value["name"]["value"], *value["name"].get("synonyms", [])]
                if raw in (normalise(n) for n in names):
                    return SlotFill(name, raw, slot_type, value.get("id"), value["name"]["value"], True)
            return SlotFill(name, raw, slot_type, custom=True)
        if slot_type in FREE_TEXT_TYPES or slot_type.startswith("AMAZON."):
            return SlotFill(name, raw, slot_type)
        return None

    def resolve(self, text: str) -> IntentMatch:
        """The best matching intent, or AMAZON.FallbackIntent when nothing in the model fits."""
        said = normalise(text)
        best: tuple[tuple[int, int, int], IntentMatch] | None = None
        opening = said.split()[0].replace("'", "") if said else ""
        patterns = self._by_first.get(opening, self._slot_first)
        candidates = [(p, p.regex.match(said)) for p in patterns]
        candidates += [(p, p.greedy.match(said)) for p in patterns if p.greedy is not None]
        for pattern, found in candidates:
            if not found:
                continue
            fills = {}
            for name, raw in found.groupdict().items():
                fill = self._fill(name, raw, pattern.slot_types.get(name, "AMAZON.SearchQuery"))
                if fill is None:
                    break
                fills[name] = fill
            else:
                resolved = sum(1 for f in fills.values() if f.resolved_id or not f.custom)
                free = sum(1 for f in fills.values() if f.type in FREE_TEXT_TYPES)
                rank = (pattern.literal_words - 3 * free, resolved, -len(fills))
                if best is None or rank > best[0]:
                    best = (rank, IntentMatch(pattern.intent, fills, pattern.sample))
        return best[1] if best else IntentMatch("AMAZON.FallbackIntent")
