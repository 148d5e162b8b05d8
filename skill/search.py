"""Ranked search that routes a free-form question to the guide entry that answers it.

BM25 (Okapi) over each entry's title, aliases, sample questions, keywords and spoken text, with a
small synonym table so "kitty" finds "cat" and "lead" finds "leash". It is written out here rather
than taken from rank-bm25 or bm25s because both pull in NumPy, which would multiply the Lambda
artifact and the cold start for a corpus of a few dozen short documents.

Below a confidence threshold ``best()`` returns None, so the skill says what it can help with
instead of guessing.
"""
from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from skill.content import Entry, Guide, guide

VOCABULARY_PATH = Path(__file__).parent / "content" / "search.toml"
_WORD = re.compile(r"[a-z']+")
# Fields a question is most likely to echo count more than the spoken prose.
FIELD_WEIGHTS = {"title": 3, "aliases": 3, "questions": 2, "keywords": 2, "speech": 1}
CONFIDENCE_THRESHOLD = 0.42
K1 = 1.4
B = 0.6


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    confidence: float


class Vocabulary:
    """Normalises words: lowercase, synonyms, stop words and a light plural/suffix stemmer."""

    def __init__(
        self,
        synonyms: dict[str, str],
        stopwords: frozenset[str],
        urgent_terms: frozenset[str] = frozenset(),
        urgent_phrases: tuple[str, ...] = (),
    ) -> None:
        self.synonyms = synonyms
        self.stopwords = stopwords
        self.urgent_terms = frozenset(self.synonyms.get(t, t) for t in urgent_terms)
        self.urgent_phrases = urgent_phrases

    @classmethod
    def load(cls, path: Path = VOCABULARY_PATH) -> Vocabulary:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        urgent = raw.get("urgent", {})
        return cls(
            dict(raw["synonyms"]),
            frozenset(raw["stopwords"]),
            frozenset(urgent.get("terms", ())),
            tuple(urgent.get("phrases", ())),
        )

    def is_urgent(self, text: str) -> bool:
        """True when the words describe a cat in distress right now."""
        lowered = " ".join(_WORD.findall(text.lower().replace("\u2019", "'")))
        return bool(set(self.terms(lowered)) & self.urgent_terms) or any(
            phrase in lowered for phrase in self.urgent_phrases
        )

    def terms(self, text: str) -> list[str]:
        out = []
        for word in _WORD.findall(text.lower().replace("\u2019", "'")):
            word = word.strip("'")
            if not word or word in self.stopwords:
                continue
            word = self.synonyms.get(word, word)
            out.append(self.synonyms.get(_stem(word), _stem(word)))
        return out


def _stem(word: str) -> str:
    for suffix, keep in (("ing", 4), ("ed", 4), ("es", 4), ("s", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


class SearchIndex:
    """BM25 over the guide's entries; built once per process."""

    def __init__(self, entries: tuple[Entry, ...], vocabulary: Vocabulary) -> None:
        self.entries = entries
        self.vocabulary = vocabulary
        self.docs: list[Counter[str]] = [self._document(entry) for entry in entries]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.avg_length = sum(self.lengths) / max(len(self.lengths), 1)
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(self.docs)
        self.idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}

    def _document(self, entry: Entry) -> Counter[str]:
        doc: Counter[str] = Counter()
        fields = {
            "title": [entry.title],
            "aliases": list(entry.aliases),
            "questions": list(entry.questions),
            "keywords": list(entry.keywords),
            "speech": list(entry.speech),
        }
        for name, texts in fields.items():
            for text in texts:
                for term in self.vocabulary.terms(text):
                    doc[term] += FIELD_WEIGHTS[name]
        return doc

    def _score(self, terms: list[str], index: int) -> float:
        doc, length = self.docs[index], self.lengths[index]
        score = 0.0
        for term in terms:
            tf = doc.get(term, 0)
            if tf:
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.avg_length))
                score += self.idf[term] * norm
        return score

    def rank(self, query: str, limit: int = 3) -> list[Match]:
        """Entries ordered by score; confidence is the share of the query's weight the best entry covers."""
        terms = list(dict.fromkeys(self.vocabulary.terms(query)))
        known = [t for t in terms if t in self.idf]
        if not known:
            return []
        # Unknown words lower confidence: a question mostly about something else is not ours.
        unknown_weight = max(self.idf.values()) * (len(terms) - len(known))
        total_weight = sum(self.idf[t] for t in known) + unknown_weight
        scored = [(self._score(known, i), i) for i in range(len(self.entries))]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        matches = []
        for score, i in scored[:limit]:
            if score <= 0:
                break
            covered = sum(self.idf[t] for t in known if self.docs[i].get(t))
            matches.append(Match(self.entries[i], score, covered / total_weight))
        return matches

    def _urgent_entry(self, query: str) -> Entry | None:
        if not self.vocabulary.is_urgent(query):
            return None
        return next((entry for entry in self.entries if entry.urgent), None)

    def best(self, query: str) -> Match | None:
        """The answer to give, or None when no entry is a confident match.

        A question that describes a crisis gets the urgent answer first, whatever else it shares.
        """
        urgent = self._urgent_entry(query)
        if urgent is not None:
            return Match(urgent, float("inf"), 1.0)
        ranked = self.rank(query, limit=1)
        if ranked and ranked[0].confidence >= CONFIDENCE_THRESHOLD:
            return ranked[0]
        return None


def build_index(content: Guide | None = None) -> SearchIndex:
    return SearchIndex((content or guide()).entries, Vocabulary.load())


@cache
def index() -> SearchIndex:
    return build_index()
