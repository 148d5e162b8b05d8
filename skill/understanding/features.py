"""The features one utterance is classified on: stemmed words, word pairs and letter groups.

Word stems carry meaning ("flop" in "flopped over"); pairs carry short phrases ("step two",
"how long"); letter groups inside words let an unseen form of a word ("bottlebrush", "puffy") land
near the ones the model has seen. Each feature counts once, and the vector has unit length, so a
long ramble and a short question weigh the same.
"""
from __future__ import annotations

import math

from skill.understanding import words

LETTER_GROUPS = (3, 4, 5)


def features(text: str) -> dict[str, float]:
    """Sparse, L2-normalised feature vector of a text."""
    stems = words.stems(text)
    names: set[str] = set()
    for i, stem in enumerate(stems):
        names.add("w:" + stem)
        if i:
            names.add(f"p:{stems[i - 1]} {stem}")
    if stems:
        names.add("s:" + stems[0])
    for token in words.tokens(text):
        padded = f"<{token}>"
        for size in LETTER_GROUPS:
            names.update("c:" + padded[j : j + size] for j in range(len(padded) - size + 1))
    if not names:
        return {}
    weight = 1.0 / math.sqrt(len(names))
    return {name: weight for name in names}
