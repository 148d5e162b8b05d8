"""Inference for the linear model trained at build time: which label a text most likely means.

The weights live in ``model.json`` (written by ``python3 dev.py train`` from the tuning part of the
utterance bank and the content); this module only multiplies and adds, so the Lambda needs neither
scikit-learn nor NumPy.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from skill.understanding.features import features

MODEL_PATH = Path(__file__).parent / "model.json"
# Weights are shipped as whole multiples of this step, which keeps model.json small.
WEIGHT_STEP = 0.05


@dataclass(frozen=True)
class Guess:
    label: str
    probability: float


class LinearModel:
    """Multinomial logistic regression: softmax over ``intercept + weights · features``."""

    def __init__(self, labels: list[str], intercepts: list[float], weights: dict[str, list[int]],
                 meta: dict[str, Any]) -> None:
        self.labels = labels
        self.intercepts = intercepts
        # feature -> [label index, weight in WEIGHT_STEPs, label index, ...]: only weights that matter.
        self.weights = weights
        self.meta = meta

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> LinearModel:
        with path.open(encoding="utf-8") as handle:
            raw = json.load(handle)
        return cls(raw["labels"], raw["intercepts"], raw["weights"], raw.get("meta", {}))

    def probabilities(self, text: str) -> list[Guess]:
        """Every label with its probability, most likely first."""
        scores = list(self.intercepts)
        for name, value in features(text).items():
            pairs = self.weights.get(name, ())
            for k in range(0, len(pairs), 2):
                scores[pairs[k]] += pairs[k + 1] * WEIGHT_STEP * value
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        guesses = [Guess(label, e / total) for label, e in zip(self.labels, exps, strict=True)]
        guesses.sort(key=lambda g: g.probability, reverse=True)
        return guesses


@cache
def model() -> LinearModel:
    return LinearModel.load()
