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
    if label not in model.meta.get("intents", {}):
        # A step the words name outright beats the model's guess, unless an action was meant
        # ("we're on step three" is SetStepIntent, not a request to hear step three).
        label = _named_step(text) or label
    return Understood(label, confidence, slots=slots.read(label, text, model))


# Words after an ordinal that make it name a step: "the third one", "fourth step", "the last stage".
STEP_NOUNS = frozenset({"step", "one", "stage", "part", "bit", "lesson"})


def _named_step(text: str) -> str | None:
    """A step the words name outright ("step two", "the fourth one", "the last step"), else None.

    An ordinal alone is not enough: "the first time outside" is about step five."""
    from skill.content import guide

    said = words.tokens(text)
    steps = guide().steps
    number = None
    for i, word in enumerate(said):
        after = said[i + 1] if i + 1 < len(said) else ""
        if word == "step" and after:
            number = slots.step_number([after])
        elif after in STEP_NOUNS and word in {"last", "final"}:
            number = len(steps)
        elif after in STEP_NOUNS and word in spoken.ORDINALS:
            number = spoken.ORDINALS[word]
        if number is not None:
            break
    return f"step:{number}" if number is not None and 1 <= number <= len(steps) else None


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
