"""Free-form questions find the entry that answers them, and questions we can't answer are not guessed at.

BM25 search (``skill.search``) ranks the guide's entries; ``skill.understanding`` blends that
ranking with its classifier and decides, so both are checked here."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from skill import search
from skill.content import guide
from skill.understanding.meaning import understand

PARAPHRASES = tomllib.loads((Path(__file__).parent / "data" / "paraphrases.toml").read_text(encoding="utf-8"))
# 84 team-written paraphrases, so one case is 1.2 points: a floor under the measured 89.3%, not a
# target. The owner bank's check part (tests/test_understanding.py) is the larger, held-out measure.
REQUIRED_ACCURACY = 0.88


@pytest.fixture(scope="module")
def index() -> search.SearchIndex:
    return search.build_index()


def test_paraphrased_questions_route_to_the_right_entry():
    """The skill's understanding (classifier blended with this search) on the team's paraphrases."""
    cases = PARAPHRASES["case"]
    misses = []
    for case in cases:
        label = understand(case["query"]).label
        if label != case["expect"]:
            misses.append(f"{case['query']!r}: wanted {case['expect']}, got {label}")
    accuracy = 1 - len(misses) / len(cases)
    print(f"paraphrase accuracy {accuracy:.1%} ({len(cases) - len(misses)}/{len(cases)})")
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)


def test_every_expected_entry_exists_and_every_topic_is_covered():
    ids = {entry.id for entry in guide().entries}
    expected = {case["expect"] for case in PARAPHRASES["case"]}
    assert expected <= ids
    assert {t.id for t in guide().topics} <= expected


@pytest.mark.parametrize("query", [case["query"] for case in PARAPHRASES["off_topic"]])
def test_off_topic_questions_are_not_taken_for_anything_the_coach_answers(query):
    assert understand(query).label is None


def test_off_topic_question_makes_the_skill_say_what_it_can_help_with(talk):
    talk.say("open cat harness coach")
    turn = talk.say("what if the weather is nice tomorrow for a picnic")
    assert turn.speech.startswith("Sorry, I can't help with that one.")
    assert "picnic" not in turn.speech
    assert not turn.ends_session


@pytest.mark.parametrize(
    "query",
    ["my cat is panicking", "she is hissing at everything", "he's trying to escape the harness",
     "my kitty is freaking out", "she is thrashing on the lead", "he slipped out of the harness"],
)
def test_crisis_questions_get_the_urgent_answer_whatever_else_they_share(query):
    assert understand(query).urgent


@pytest.mark.parametrize(
    "query",
    ["my cat attacks my ankles will walks help", "how do i stop door darting", "what are the warning signs"],
)
def test_questions_about_problems_are_not_mistaken_for_a_crisis(query):
    understood = understand(query)
    assert understood.label is not None and not understood.urgent


def test_owner_words_mean_the_guide_words(index):
    terms = index.vocabulary.terms
    assert terms("my kitty") == []  # "kitty" means cat, and cat is in every question
    assert terms("lead") == terms("leash")
    assert terms("stages") == terms("stage")
    assert terms("harnesses") == terms("harness")
    assert terms("steer clear of dogs") == terms("avoid dogs")
    assert terms("why does she keep backing up") == terms("backward")


def test_numbers_do_not_decide_the_topic(index):
    assert index.vocabulary.terms("ten minutes") == index.vocabulary.terms("minutes")


def test_each_entry_is_found_by_its_own_title(index):
    for entry in guide().entries:
        ranked = index.rank(entry.title, limit=3)
        assert entry in [match.entry for match in ranked], entry.id


def test_the_index_is_built_once_and_lazily():
    search.index.cache_clear()
    assert search.index.cache_info().currsize == 0
    first = search.index()
    assert search.index() is first


def test_empty_and_stopword_only_questions_match_nothing(index):
    assert index.rank("") == []
    assert index.rank("what is it") == []
    assert understand("").heard is False
