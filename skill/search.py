"""Ranked search that routes a free-form question to the guide entry that answers it.

BM25 (Okapi) over each entry's title, aliases, sample questions, keywords and spoken text, with a
small vocabulary (``content/search.toml``: synonyms, multi-word phrases, stop words) so "kitty"
finds "cat", "lead" finds "leash" and "steer clear of" finds "avoid". It is written out here rather
than taken from rank-bm25 or bm25s because both pull in NumPy, which would multiply the Lambda
artifact and the cold start for a corpus of a few dozen short documents.

``rank`` gives each match a confidence: the share of the question's words the entry accounts for,
so a question that is mostly about something else ("how do I train my dog to sit") scores low.
``skill.understanding`` blends this ranking with its classifier and decides what the words mean.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from skill.content import Entry, Guide, guide

VOCABULARY_PATH = Path(__file__).parent / "content" / "search.toml"
_WORD = re.compile(r"[a-z']+")
# Fields a question is most likely to echo count more than the spoken prose.
FIELD_WEIGHTS = {"title": 3, "aliases": 3, "questions": 2, "keywords": 2, "speech": 1}
# How much a query word counts towards confidence, by the field of the entry it was found in: an
# entry that names the word in its title, aliases or keywords is about it; one whose sample
# questions or spoken prose merely use it may only mention it in passing.
EVIDENCE = {"title": 1.0, "aliases": 1.0, "keywords": 1.0, "questions": 0.5, "speech": 0.5}
K1 = 1.4
B = 0.6


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    confidence: float


class Vocabulary:
    """Normalises words: lowercase, phrases, synonyms, stop words and a light suffix stemmer."""

    def __init__(
        self,
        synonyms: dict[str, str],
        stopwords: frozenset[str],
        phrases: dict[str, str] | None = None,
    ) -> None:
        self.synonyms = synonyms
        self.stopwords = stopwords
        self.phrases = phrases or {}
        # Longest phrases first, so "make a run for it" wins over a shorter phrase inside it.
        alternatives = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
        self._phrase_pattern = re.compile(rf"\b(?:{alternatives})\b") if self.phrases else None

    @classmethod
    def load(cls, path: Path = VOCABULARY_PATH) -> Vocabulary:
        import tomllib  # here, not at the top: only questions search, and the index is built on first use

        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        return cls(
            dict(raw["synonyms"]),
            frozenset(raw["stopwords"]),
            dict(raw.get("phrases", {})),
        )

    @staticmethod
    def _words(text: str) -> str:
        return " ".join(_WORD.findall(text.lower().replace("\u2019", "'")))

    def terms(self, text: str) -> list[str]:
        """The search terms of a text: what a question and an entry are compared on."""
        lowered = self._words(text)
        if self._phrase_pattern is not None:
            lowered = self._phrase_pattern.sub(lambda m: self.phrases[m.group(0)], lowered)
        out = []
        for word in lowered.split():
            word = word.strip("'")
            if word.endswith("'s"):
                word = word[:-2]
            if not word or word in self.stopwords:
                continue
            term = self.normalise(word)
            if term not in self.stopwords:
                out.append(term)
        return out

    def normalise(self, word: str) -> str:
        """One word as a term: synonyms before and after stemming, so "hooked" finds "clip"."""
        stem = _stem(self.synonyms.get(word, word))
        mapped = self.synonyms.get(stem)
        return _stem(mapped) if mapped else stem


def _stem(word: str) -> str:
    """A deliberately light stemmer: plural and verb endings, then a silent e ("stages" = "stage")."""
    if len(word) >= 5 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")) and len(word) >= 6:
        word = word[:-2]
    else:
        for suffix, keep in (("ing", 4), ("ed", 4), ("s", 3)):
            if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
                word = word[: -len(suffix)]
                break
    if word.endswith("e") and len(word) >= 5:
        word = word[:-1]
    return word


class SearchIndex:
    """BM25 over the guide's entries; built once per process, on the first question."""

    def __init__(self, entries: tuple[Entry, ...], vocabulary: Vocabulary) -> None:
        self.entries = entries
        self.vocabulary = vocabulary
        self.docs: list[Counter[str]] = []
        # Per entry, how strongly it names each term (see EVIDENCE).
        self.evidence: list[dict[str, float]] = []
        for entry in entries:
            doc, evidence = self._document(entry)
            self.docs.append(doc)
            self.evidence.append(evidence)
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.avg_length = sum(self.lengths) / max(len(self.lengths), 1)
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(self.docs)
        self.idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}
        self.unknown_weight = max(self.idf.values(), default=1.0)

    def _document(self, entry: Entry) -> tuple[Counter[str], dict[str, float]]:
        doc: Counter[str] = Counter()
        evidence: dict[str, float] = {}
        fields = {
            "title": [entry.title],
            "aliases": list(entry.aliases),
            "questions": list(entry.questions),
            "keywords": list(entry.keywords),
            "speech": list(entry.speech),
        }
        for name, texts in fields.items():
            strength = EVIDENCE[name]
            for text in texts:
                for term in self.vocabulary.terms(text):
                    doc[term] += FIELD_WEIGHTS[name]
                    evidence[term] = max(evidence.get(term, 0.0), strength)
        return doc, evidence

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
        """Entries ordered by score; confidence is the share of the query's weight the entry covers."""
        terms = list(dict.fromkeys(self.vocabulary.terms(query)))
        known = [t for t in terms if t in self.idf]
        if not known:
            return []
        # Words the guide never uses lower confidence: a question mostly about something else is not ours.
        total_weight = sum(self.idf[t] for t in known) + self.unknown_weight * (len(terms) - len(known))
        scored = [(self._score(known, i), i) for i in range(len(self.entries))]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        matches = []
        for score, i in scored[:limit]:
            if score <= 0:
                break
            covered = sum(self.idf[t] * self.evidence[i].get(t, 0.0) for t in known)
            matches.append(Match(self.entries[i], score, covered / total_weight))
        return matches


def build_index(content: Guide | None = None) -> SearchIndex:
    return SearchIndex((content or guide()).entries, Vocabulary.load())


@cache
def index() -> SearchIndex:
    return build_index()
