"""Is this cat frightened or in danger right now? Checked before anything else is understood.

The score is the classifier's own probability for the urgent label. The classifier weighs every
label alike and sees the urgent utterances next to their near neighbours ("what do flat ears
mean", "a dog harness"), so measured across writers it separates emergencies from questions about
fear better than a yes/no model of its own did (README, "Understanding owners"). Two thresholds
are chosen at training time (``learning.calibrate``): a score above ``threshold`` is urgent on its
own; a weaker score above ``sign_threshold`` is urgent when the words name a sign of fear or danger
(``language.toml``: body language, threats, escape, injury) and do not read as a question *about*
fear ("she once panicked at the vet, is she a good candidate"). Missing an emergency costs far more
than a calm owner hearing the urgent advice once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from skill.understanding import words
from skill.understanding.classifier import Guess, LinearModel

URGENT_LABEL = "urgent_stress"


def score(guesses: Iterable[Guess]) -> float:
    """The classifier's probability that the words describe an emergency."""
    return next((g.probability for g in guesses if g.label == URGENT_LABEL), 0.0)


def names_a_sign(text: str) -> bool:
    """A sign of fear or danger is named, and the words are not a question about fear in general."""
    lang = words.language()
    return words.says_any(text, lang.urgent_signs) and not words.says_any(text, lang.about_not_now)


def only_a_sign(text: str) -> bool:
    """The owner said nothing but a sign of danger: "dog!", "fireworks", "a fox". Shouted mid-session,
    a threat named alone is an emergency, whatever the classifier makes of one word."""
    lang = words.language()
    said = [word for word in words.tokens(text) if word not in lang.around_a_sign]
    return bool(said) and " ".join(said) in lang.urgent_signs


def decide(urgent_score: float, sign_named: bool, thresholds: Mapping[str, float]) -> bool:
    """Urgent when the score is high, or lower but the words name a sign of danger (``names_a_sign``)."""
    if urgent_score >= float(thresholds.get("threshold", 0.5)):
        return True
    return sign_named and urgent_score >= float(thresholds.get("sign_threshold", 1.0))


def is_urgent(text: str, model: LinearModel, guesses: Iterable[Guess] | None = None, *,
              sign_required: bool = False) -> bool:
    """``guesses`` are the model's probabilities for ``text`` when the caller already has them;
    ``sign_required`` when the words are too few for the score alone (a slot's value)."""
    if not sign_required and only_a_sign(text):
        return True
    thresholds = model.meta["urgent"]
    urgent_score = score(model.probabilities(text) if guesses is None else guesses)
    lowest = min(float(thresholds.get("threshold", 0.5)), float(thresholds.get("sign_threshold", 1.0)))
    if urgent_score < lowest:
        return False
    named = names_a_sign(text)
    return (named or not sign_required) and decide(urgent_score, named, thresholds)
