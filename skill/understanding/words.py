"""Owners' words as the classifier sees them: lowercase, hesitations removed, stemmed.

Training (at build time) and inference (on Lambda) both go through ``tokens`` and ``stems`` here,
so the features the model was trained on are exactly the ones it is asked about.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snowballstemmer.english_stemmer import EnglishStemmer

LANGUAGE_PATH = Path(__file__).parent / "language.toml"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*")


@dataclass(frozen=True)
class Language:
    """Fillers, openings and asides to drop, words that mean the same, the cues that name a cat, the
    opening and closing words a carrier keeps, and the words that place a step (``language.toml``)."""

    fillers: frozenset[str]
    openings: tuple[tuple[str, ...], ...]
    asides: tuple[tuple[str, ...], ...]
    same_as: dict[str, str]
    urgent_signs: tuple[str, ...] = ()
    about_not_now: tuple[str, ...] = ()
    around_a_sign: frozenset[str] = frozenset()
    cautious_labels: frozenset[str] = frozenset()
    cautious_confidence: float = 1.0
    name_cues: tuple[str, ...] = ()
    not_names: frozenset[str] = frozenset()
    sentence_words: int = 4
    kept_openings: tuple[str, ...] = ()
    kept_closings: tuple[str, ...] = ()
    after_words: frozenset[str] = frozenset()
    before_words: frozenset[str] = frozenset()
    second_to_last: tuple[str, ...] = ()
    middle_words: frozenset[str] = frozenset()
    step_nouns: frozenset[str] = frozenset()
    most_telling: dict[str, tuple[str, ...]] = field(default_factory=dict)
    shared_verbs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = LANGUAGE_PATH) -> Language:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
        longest_first = sorted((tuple(p.split()) for p in raw["openings"]), key=len, reverse=True)
        return cls(
            fillers=frozenset(raw["fillers"]),
            openings=tuple(longest_first),
            asides=tuple(sorted((tuple(p.split()) for p in raw["asides"]), key=len, reverse=True)),
            same_as=dict(raw["same_as"]),
            urgent_signs=tuple(raw.get("urgent", {}).get("signs", ())),
            about_not_now=tuple(raw.get("urgent", {}).get("about_not_now", ())),
            around_a_sign=frozenset(raw.get("urgent", {}).get("around_a_sign", ())),
            cautious_labels=frozenset(raw.get("cautious", {}).get("labels", ())),
            cautious_confidence=float(raw.get("cautious", {}).get("min_confidence", 1.0)),
            name_cues=tuple(raw.get("names", {}).get("cues", ())),
            not_names=frozenset(raw.get("names", {}).get("not_names", ())),
            sentence_words=int(raw.get("slots", {}).get("sentence_words", 4)),
            most_telling={name: tuple(ids) for name, ids in raw.get("slots", {}).get("most_telling", {}).items()},
            shared_verbs={name: tuple(others) for name, others in raw.get("actions", {}).get("shared_verbs", {}).items()},
            kept_openings=tuple(raw.get("carriers", {}).get("kept_openings", ())),
            kept_closings=tuple(raw.get("carriers", {}).get("kept_closings", ())),
            after_words=frozenset(raw.get("positions", {}).get("after", ())),
            before_words=frozenset(raw.get("positions", {}).get("before", ())),
            second_to_last=tuple(raw.get("positions", {}).get("second_to_last", ())),
            middle_words=frozenset(raw.get("positions", {}).get("middle", ())),
            step_nouns=frozenset(raw.get("positions", {}).get("step_nouns", ())),
        )


    @cached_property
    def carrier_intents(self) -> dict[str, KeptWord]:
        """Carrier intent name -> the word it keeps: "OpensWithHowIntent" is "how {query}",
        "ClosesWithMinutesIntent" is "{query} minutes". Built once: every request's dispatch asks."""
        return {
            **{f"OpensWith{_intent_word(word)}Intent": KeptWord(word, closes=False) for word in self.kept_openings},
            **{f"ClosesWith{_intent_word(word)}Intent": KeptWord(word, closes=True) for word in self.kept_closings},
        }


@dataclass(frozen=True)
class KeptWord:
    """A word a carrier intent keeps in its name, because Alexa hands over only the words around it."""

    word: str
    closes: bool

    def sample(self, query: str) -> str:
        """The carrier's bare sample ("how {query}", "{query} minutes")."""
        return f"{query} {self.word}" if self.closes else f"{self.word} {query}"

    def restore(self, rest: str | None) -> str:
        """The sentence as said: the kept word put back where it was."""
        return self.sample(rest or "").strip()


def _intent_word(word: str) -> str:
    return word.replace("'", "").capitalize()


@cache
def language() -> Language:
    return Language.load()


def split(text: str) -> list[str]:
    """Lowercase words with inner apostrophes kept ("what's"); everything else is a separator."""
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("-", " "))


def tokens(text: str, lang: Language | None = None) -> list[str]:
    """The words that carry meaning: fillers, openings, asides and stutters ("the the") removed."""
    lang = lang or language()
    words = [w for w in split(text) if w not in lang.fillers]
    words = _without_asides(words, lang.asides)
    stripped = True
    while stripped and words:
        stripped = False
        for opening in lang.openings:
            if len(words) > len(opening) and tuple(words[: len(opening)]) == opening:
                words = words[len(opening):]
                stripped = True
                break
    deduplicated = [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]
    return [lang.same_as.get(w, w) for w in deduplicated]


def _without_asides(words: list[str], asides: tuple[tuple[str, ...], ...]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for aside in asides:
            if tuple(words[i : i + len(aside)]) == aside:
                i += len(aside)
                break
        else:
            out.append(words[i])
            i += 1
    return out


def says_any(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether any of the phrases stands in the text as whole words (after fillers are removed)."""
    joined = f" {' '.join(tokens(text))} "
    return any(f" {phrase} " in joined for phrase in phrases)


@cache
def _stemmer() -> EnglishStemmer:
    """Loaded on the first stem, not on import: the language data alone serves every intent request
    (``skill.handlers.free_text`` reads the carrier words on each), the stemmer only free text."""
    from snowballstemmer.english_stemmer import EnglishStemmer

    return EnglishStemmer()


@cache
def stem(word: str) -> str:
    """Snowball (Porter2) English stem; "flopped", "flops" and "flopping" all read "flop"."""
    return str(_stemmer().stemWord(word.replace("'", "")))


def stems(text: str) -> list[str]:
    return [stem(w) for w in tokens(text)]
