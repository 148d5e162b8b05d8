"""What one utterance means: the urgent check, then the classifier blended with search (see the package)."""
from __future__ import annotations

from dataclasses import dataclass, field

from skill.understanding import classifier, slots, spoken, urgent, words

NONE_LABEL = "none"


@dataclass(frozen=True)
class Understood:
    """The meaning of one free-text utterance.

    ``label`` is a guide entry id ("step:2", "treats"), an intent name ("LogPracticeIntent") or
    None when the words are about something the coach cannot help with; ``heard`` is False when no
    meaningful word was said at all (only then is "I didn't catch that" the right answer).
    """

    label: str | None
    confidence: float
    urgent: bool = False
    heard: bool = True
    slots: dict[str, str] = field(default_factory=dict)


def is_urgent(text: str) -> bool:
    """Only the urgent check, for words that already belong to an intent (a slot's value).

    A slot holds a piece of a sentence ("pepper she's a rescue" of "her name's pepper ..."), too
    little for the classifier's score alone, so here the words must also name a sign of danger."""
    return bool(words.tokens(text)) and urgent.is_urgent(text, classifier.model(), sign_required=True)


def understand(text: str | None) -> Understood:
    """Read one utterance; the urgent answer wins over everything else."""
    if not text or not words.tokens(text):
        return Understood(None, 0.0, heard=False)
    model = classifier.model()
    guesses = model.probabilities(text)
    if urgent.is_urgent(text, model, guesses):
        return Understood(urgent.URGENT_LABEL, 1.0, urgent=True)
    label, confidence = _best_label(text, guesses, model)
    if label is None:
        return Understood(None, confidence)
    if label not in model.meta.get("intents", {}) or label in PLACED_STEP_INTENTS:
        # A step the words place or name outright beats the model's guess, unless an action was
        # meant ("we're on step three" is SetStepIntent, not a request to hear step three).
        # "What comes after the leash part" is a step too, whether read as a step or as "next".
        placed = _placed_step(text, model)
        label = placed or (label if label in PLACED_STEP_INTENTS else _named_step(text) or label)
    return Understood(label, confidence, slots=slots.read(label, text, model))


# Navigation that a step's place can make precise: "after the door practice what's next" is step five.
PLACED_STEP_INTENTS = frozenset({"AMAZON.NextIntent", "AMAZON.PreviousIntent"})


def _step_count() -> int:
    from skill.content import guide

    return len(guide().steps)


def _named_step(text: str) -> str | None:
    """A step the words name outright ("step two", "the fourth one", "the last step", "the second
    to last step", "the middle step"), else None.

    An ordinal alone is not enough: "the first time outside" is about step five."""
    said = words.tokens(text)
    lang = words.language()
    count = _step_count()
    joined = f" {' '.join(said)} "
    number = None
    if any(f" {phrase} " in joined for phrase in lang.second_to_last):
        number = count - 1
    for i, word in enumerate(said):
        if number is not None:
            break
        after = said[i + 1] if i + 1 < len(said) else ""
        if word == "step" and after:
            number = slots.step_number([after])
        elif after in lang.step_nouns and word in {"last", "final"}:
            number = count
        elif after in lang.step_nouns and word in lang.middle_words and count % 2:
            number = (count + 1) // 2
        elif after in lang.step_nouns and word in spoken.ORDINALS:
            number = spoken.ORDINALS[word]
    return f"step:{number}" if number is not None and 1 <= number <= count else None


def _placed_step(text: str, model: classifier.LinearModel) -> str | None:
    """The step just after or before one the words name: "what comes after the leash part" (four),
    "the one before the door step" (three), "what's the step after step two" (three)."""
    said = words.tokens(text)
    lang = words.language()
    for i, word in enumerate(said):
        offset = 1 if word in lang.after_words else -1 if word in lang.before_words else 0
        anchor = _anchor_step(said[i + 1 :], model) if offset else None
        if anchor is not None and 1 <= anchor + offset <= _step_count():
            return f"step:{anchor + offset}"
    return None


def _anchor_step(said: list[str], model: classifier.LinearModel) -> int | None:
    """The number of the step the words right after "after" or "before" name, or None.

    Only a step spoken of as a thing counts: "step two", "the door step", "the putting it on bit",
    "the part where she sniffs it", "the first trip outside" (a step's reference). Anything else
    ("after she's comfy", "before the walk") is about time, not about a step."""
    if said[:1] == ["step"]:
        return slots.step_number(said[1:2])
    if said[:1] != ["the"]:
        return None
    nouns = words.language().step_nouns
    rest = said[1:]
    if rest[:1] and rest[0] in nouns:
        phrase, described = rest[1:], True
    else:
        end = next((k for k, word in enumerate(rest[:ANCHOR_WORDS]) if word in nouns), None)
        phrase, described = (rest[: end + 1], True) if end is not None else (rest[:ANCHOR_WORDS], False)
    named = _named_step(" ".join(["the", *phrase]))
    if named is not None:
        return int(named.removeprefix("step:"))
    referenced = slots.step_named(phrase, model)
    if referenced is not None:
        return int(referenced)
    if described and phrase:
        top = model.probabilities(" ".join(phrase))[0].label
        return int(top.removeprefix("step:")) if top.startswith("step:") else None
    return None


# How many words after "the" may name the step before its noun: "the moving around in the harness part".
ANCHOR_WORDS = 6


def _best_label(text: str, found: list[classifier.Guess], model: classifier.LinearModel) -> tuple[str | None, float]:
    """The classifier's probabilities, nudged towards the entry BM25 finds; None below the threshold."""
    guesses = {g.label: g.probability for g in found}
    blend = float(model.meta.get("search_weight", 0.0))
    if blend:
        from skill import search

        for match in search.index().rank(text, limit=1):
            if match.entry.id in guesses:
                guesses[match.entry.id] += blend * match.confidence
    label, score = max(guesses.items(), key=lambda item: item[1])
    confidence = score / (1.0 + blend)
    if label == NONE_LABEL or confidence < float(model.meta.get("min_confidence", 0.0)):
        return None, confidence
    lang = words.language()
    if label in lang.cautious_labels and confidence < lang.cautious_confidence:
        return None, confidence
    return label, confidence
