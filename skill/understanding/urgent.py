"""Is this cat frightened or in danger right now? Checked before anything else is understood.

A binary logistic model trained on the same features as the classifier decides, with two
thresholds chosen at training time (``learning.calibrate``): a score above ``threshold`` is urgent
on its own; a weaker score above ``sign_threshold`` is urgent when the words name a sign of fear or
danger (``language.toml``: body language, threats, escape, injury) and do not read as a question
*about* fear ("what do flat ears mean", "she once panicked at the vet, is she a good candidate").
Missing an emergency costs far more than a calm owner hearing the urgent advice once.
"""
from __future__ import annotations

import math
from typing import Any

from skill.understanding import words
from skill.understanding.classifier import WEIGHT_STEP, LinearModel
from skill.understanding.features import features

URGENT_LABEL = "urgent_stress"


def probability(text: str, detector: dict[str, Any]) -> float:
    weights = detector["weights"]
    score = float(detector["intercept"]) + WEIGHT_STEP * sum(weights.get(n, 0) * v for n, v in features(text).items())
    return 1.0 / (1.0 + math.exp(-score))


def names_a_sign(text: str) -> bool:
    """A sign of fear or danger is named, and the words are not a question about fear in general."""
    lang = words.language()
    return words.says_any(text, lang.urgent_signs) and not words.says_any(text, lang.about_not_now)


def is_urgent(text: str, model: LinearModel) -> bool:
    detector = model.meta["urgent"]
    score = probability(text, detector)
    if score >= float(detector.get("threshold", 0.5)):
        return True
    return score >= float(detector.get("sign_threshold", 1.0)) and names_a_sign(text)
