"""The guide content: every section of the source guide is answerable, chunks are short, wording is ours."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from skill.content import guide

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GUIDE_TEXT = SHARED / "guide" / "harness-leash-training-guide.txt"
COPY_CHECK = SHARED / "tools" / "copied_from_guide.py"
MAX_CHUNK_WORDS = 60

# Each section heading of the source guide, the entries that retell it, and a question that reaches each.
SECTIONS = {
    "WHY HARNESS & LEASH TRAINING": {"benefits": "why should i harness train my cat"},
    "WHICH CATS ARE GOOD CANDIDATES": {
        "good_candidates": "is my cat a good candidate",
        "poor_candidates": "which cats shouldn't be harness trained",
    },
    "CHOOSING THE RIGHT HARNESS": {
        "harness_choice": "which harness should i get",
        "leash_choice": "is a retractable leash okay",
        "collars": "can i use a collar instead",
        "dog_gear": "can i use a dog harness",
    },
    "STEP 1: HARNESS INTRODUCTION": {
        "step:1": "tell me step one",
        "getting_started": "where do i begin",
        "treats": "which treats should i use",
    },
    "STEP 2: LETTING YOUR CAT MOVE IN THE HARNESS": {"step:2": "tell me step two", "odd_behaviours": "is rolling normal"},
    "STEP 3: INTRODUCING THE LEASH INDOORS": {"step:3": "tell me step three", "leash_handling": "how do i hold the leash"},
    "STEP 4: DOORWAY DESENSITIZATION": {"step:4": "tell me step four", "doorway_bolting": "what if my cat bolts out the door"},
    "STEP 5: FIRST OUTDOOR EXPERIENCES": {
        "step:5": "tell me step five",
        "first_outdoor_places": "where should we go the first time outside",
        "outdoor_session_length": "how long should an outdoor session last",
    },
    "COMMON MISTAKES TO AVOID": {"common_mistakes": "what are the common mistakes"},
    "SAFETY RULES FOR LEASHED OUTDOOR TIME": {
        "safety_rules": "what are the safety rules",
        "never_unattended": "can i tie the leash to a chair",
        "id_microchip": "does my cat need a microchip",
        "dog_walking_hours": "what time of day should we go out",
        "carrier_retreat": "should i bring a carrier",
        "warning_signs": "what are the warning signs",
        "urgent_stress": "my cat is panicking",
    },
    "FITS INTO A COMPLETE INDOOR LIFE": {
        "indoor_enrichment": "does harness training replace playtime",
        "outdoor_frequency": "does my cat need a walk every day",
    },
    "SUMMARY: HARNESS TRAINING FOR CATS": {"overview": "what are the steps"},
    "Is harness training safe for cats?": {"is_it_safe": "is harness training safe"},
    "Can kittens be leash trained?": {"kittens": "can kittens be leash trained"},
    "How long does harness training take?": {"training_time": "how long does harness training take"},
    "What if my cat refuses the harness?": {"refusal": "what if my cat refuses the harness"},
    "Can harness training reduce behavior problems?": {"behaviour_problems": "can harness training fix behaviour problems"},
    "CLICKER TRAINING AS A SUPPORT TOOL": {
        "clicker_training": "what is clicker training",
        "clicker_by_stage": "when should i click",
    },
}
REACHES = [(heading, entry_id, said) for heading, entries in SECTIONS.items() for entry_id, said in entries.items()]


def test_every_entry_belongs_to_a_section_of_the_guide():
    mapped = {entry_id for entries in SECTIONS.values() for entry_id in entries}
    assert mapped == {entry.id for entry in guide().entries}


@pytest.mark.skipif(not GUIDE_TEXT.exists(), reason="the shared guide (../shared/guide) is not on this machine")
def test_every_mapped_heading_is_a_section_of_the_guide():
    text = GUIDE_TEXT.read_text(encoding="utf-8").replace("\n", " ")
    for heading in SECTIONS:
        assert heading in text, heading


@pytest.mark.parametrize(("heading", "entry_id", "said"), REACHES, ids=[f"{e}" for _, e, _ in REACHES])
def test_every_section_is_reachable_by_a_question(talk, heading, entry_id, said):
    talk.say("open cat harness coach")
    entry = guide().entry(entry_id)
    assert entry.speech[0] in talk.say(said).speech, f"{heading}: {said!r} did not reach {entry_id}"


def test_chunks_are_short():
    for entry in guide().entries:
        assert entry.speech, entry.id
        for chunk in entry.speech:
            assert len(chunk.split()) <= MAX_CHUNK_WORDS, f"{entry.id}: {len(chunk.split())} words"


def test_cards_carry_at_least_what_is_spoken():
    for entry in guide().entries:
        assert entry.card.strip() and entry.title.strip(), entry.id
        assert len(entry.card.split()) >= len(entry.speech[0].split()) // 2, entry.id


def test_steps_are_numbered_one_to_five_with_timing_data():
    steps = guide().steps
    assert [s.number for s in steps] == [1, 2, 3, 4, 5]
    for step in steps:
        assert step.session_kind and step.goal and step.ready_when and step.clicker
        assert 0 < step.suggested_seconds <= step.max_advised_seconds


def test_topic_ids_and_intents_are_unique():
    topics = guide().topics
    assert len({t.id for t in topics}) == len(topics)
    intents = [t.intent for t in topics if t.intent]
    assert len(intents) == len(set(intents))
    assert sum(t.urgent for t in topics) == 1


@pytest.mark.skipif(not COPY_CHECK.exists(), reason="../shared/tools/copied_from_guide.py is not on this machine")
def test_no_ten_word_run_is_copied_from_the_guide():
    result = subprocess.run(
        [sys.executable, str(COPY_CHECK), "skill", "interaction_model"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip().endswith(": 0"), result.stdout
