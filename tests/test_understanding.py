"""Owners' own words: the owner utterance bank, its held-out split, and the figures it must reach.

The check part of the bank is never used to write samples, synonyms or training data (see
``skill.understanding.bank``); here it is said to the skill through the simulator's exact-template
NLU. The targets are 92% of it right and every emergency in it answered urgently; until they are
reached, the floors below sit just under what is measured, so understanding never silently drops.
"""
from __future__ import annotations

from collections import Counter
from functools import cache

from skill.content import guide
from skill.interaction_model import language_model, load_intents
from skill.simulator.scoring import Report, evaluate
from skill.understanding import bank, learning, words
from skill.understanding.classifier import model


@cache
def check_report() -> Report:
    return evaluate(bank.check(), "exact")


def _key(text: str) -> str:
    return " ".join(words.split(text))


def test_the_bank_covers_every_step_topic_and_custom_intent_with_twenty_utterances():
    utterances = (*bank.tuning(), *bank.check())
    counts = Counter(u.label for u in utterances)
    assert len(utterances) >= 1500
    assert counts["none"] >= 100
    needed = [entry.id for entry in guide().entries]
    needed += [i["name"] for i in language_model()["interactionModel"]["languageModel"]["intents"]
               if not i["name"].startswith("AMAZON.") and guide().topic_for_intent(i["name"]) is None
               and i["name"] not in {"QuestionIntent", "TopicIntent", "StepIntent", *words.language().carrier_intents}]
    short = {label: counts[label] for label in needed if counts[label] < 20}
    assert not short


def test_every_label_in_the_bank_is_one_the_skill_knows():
    known = {entry.id for entry in guide().entries} | set(model().labels) | {"none"}
    unknown = {u.label for u in (*bank.tuning(), *bank.check())} - known
    assert not unknown


def test_the_split_is_fixed_by_the_words_alone_and_holds_out_at_least_thirty_percent():
    tuning, check = bank.tuning(), bank.check()
    assert len(check) / (len(tuning) + len(check)) >= 0.30
    assert all(bank.part_of(u.say) == "check" for u in check)
    assert bank.part_of("Um, okay so what's the SECOND step?") == bank.part_of("um okay so what's the second step")


def test_no_check_utterance_becomes_a_sample_or_a_training_example():
    """The bank adds samples and training examples only from its tuning part. (A few check utterances
    are word for word the same as samples the team wrote before the bank existed, like "delete all
    my data"; those were not taken from the bank and stay in the check part.)"""
    held_out = {_key(bank.without_invocation(u.say)) for u in bank.check()}
    source = {_key(s) for i in load_intents() for s in i["samples"]}
    generated = {_key(s) for i in language_model()["interactionModel"]["languageModel"]["intents"]
                 for s in i["samples"]}
    assert not held_out & (generated - source)
    assert not held_out & {_key(text) for text, _ in learning.bank_examples(bank.tuning())}


def test_owners_opening_and_closing_words_carry_free_text_but_only_from_the_tuning_part():
    """Alexa hands the skill free text only inside a carrier phrase; the bank adds one for each word
    an owner of the tuning part opened or closed a sentence with ("yo {query}"), and none from the
    check part."""
    edges: set[str] = set()
    for utterance in bank.tuning():
        said = _key(bank.without_invocation(utterance.say)).split()
        if len(said) > 1:
            edges |= {f"{said[0]} {{query}}", f"{{query}} {said[-1]}"}
    written = next(i for i in load_intents() if i["name"] == "QuestionIntent")["samples"]
    generated = next(i for i in language_model()["interactionModel"]["languageModel"]["intents"]
                     if i["name"] == "QuestionIntent")["samples"]
    added = set(generated) - set(written)
    assert added and added <= edges
    assert "yo {query}" in added


def test_the_shipped_model_was_trained_on_exactly_the_current_tuning_data():
    """Fails when someone edits the bank, the content or the samples and forgets ``python3 dev.py train``,
    and when a model trained on anything else (the check part included) is shipped."""
    assert model().meta["digest"] == learning.digest(learning.training_set())


# Issue 10's targets are 92% of the check part, every emergency in it, and at most 2% false alarms.
# The first two are NOT met yet (see bench/report.md, "Understanding"); until they are, these floors
# sit just under what the skill measures now, so any change that makes it understand less fails here.
CHECK_ACCURACY_FLOOR = 0.855
URGENT_RECALL_FLOOR = 0.97
FALSE_URGENT_CEILING = 0.02


def test_the_check_part_is_answered_right_at_least_as_often_as_measured():
    report = check_report()
    assert report.accuracy >= CHECK_ACCURACY_FLOOR, f"{report.accuracy:.1%}"


def test_emergencies_in_the_check_part_get_the_urgent_answer_at_least_as_often_as_measured():
    assert check_report().urgent_recall >= URGENT_RECALL_FLOOR


def test_questions_about_fear_that_are_not_emergencies_rarely_get_the_urgent_answer():
    assert check_report().false_urgent <= FALSE_URGENT_CEILING


def test_intents_the_scoring_counts_as_one_answer_are_taken_by_the_same_handlers():
    # The bench counts "it went great" as understood whether Alexa picks SessionOutcomeIntent or
    # LogPracticeIntent; that is honest only while every handler of one takes the other too.
    from skill.handlers.practice import OutcomeHandler
    from skill.handlers.progress import LogPracticeHandler
    from skill.simulator.scoring import SAME_ANSWER

    for one, other in SAME_ANSWER.items():
        for handler in (OutcomeHandler, LogPracticeHandler):
            assert {one, other} <= handler.intents
