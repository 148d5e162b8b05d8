"""The interaction model: generated, identical for every locale, Alexa-valid, and matched by handlers.

Written over whatever intents the sources declare, so a new feature's intents are checked too.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from skill import handlers, interaction_model
from skill.content import guide
from skill.handlers.base import IntentHandler
from skill.handlers.session import FallbackHandler
from skill.simulator import envelopes
from skill.simulator.envelopes import Device, Session
from skill.simulator.nlu import IntentMatch
from skill.understanding import words

MODEL = interaction_model.language_model()["interactionModel"]["languageModel"]
INTENTS = {intent["name"]: intent for intent in MODEL["intents"]}
CUSTOM = [name for name in INTENTS if not name.startswith("AMAZON.")]
TYPES = {t["name"] for t in MODEL["types"]}
# Lowercase words and apostrophes, abbreviations like "a.m.", and {slot} references; nothing else.
TOKEN = re.compile(r"^(?:\{[A-Za-z_]+\}|[a-z']+|(?:[a-z]\.){2,})$")
SLOT = re.compile(r"\{([A-Za-z_]+)\}")


def first_handler(intent_name: str):
    """The handler the skill would pick for this intent in an open session with nothing pending."""
    body = envelopes.envelope(
        envelopes.intent_request(IntentMatch(intent_name)), Device(), session=Session(user_id="u", new=False)
    )
    request = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
    handler_input = HandlerInput(request_envelope=request, attributes_manager=AttributesManager(request))
    return next(h for h in handlers.request_handlers() if h.can_handle(handler_input))


def test_generated_models_are_up_to_date_and_identical_for_all_locales():
    assert interaction_model.stale_models() == [], "run: python3 dev.py model"
    texts = {(interaction_model.MODELS / f"{locale}.json").read_text() for locale in interaction_model.LOCALES}
    assert len(texts) == 1
    assert set(interaction_model.LOCALES) == {"en-US", "en-GB", "en-CA", "en-AU", "en-IN"}


def test_invocation_name():
    assert MODEL["invocationName"] == "cat harness coach"


def test_required_built_in_intents_are_declared():
    for name in ("AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent",
                 "AMAZON.FallbackIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent",
                 "AMAZON.StartOverIntent", "AMAZON.MoreIntent", "AMAZON.YesIntent", "AMAZON.NoIntent"):
        assert name in INTENTS


@pytest.mark.parametrize("name", sorted(INTENTS))
def test_every_intent_in_the_model_has_a_handler(name):
    handler = first_handler(name)
    if name == "AMAZON.FallbackIntent":
        assert isinstance(handler, FallbackHandler)
    else:
        assert not isinstance(handler, FallbackHandler), f"{name} is only caught by the fallback"


def test_every_intent_a_handler_names_is_in_the_model():
    named = set(guide().topic_intents)
    for handler in handlers.request_handlers():
        if isinstance(handler, IntentHandler):
            named |= set(handler.intents)
    missing = named - set(INTENTS)
    assert not missing, f"handled but not in the model: {sorted(missing)}"


def test_no_sample_is_in_two_intents_even_with_different_slot_names():
    owners: dict[str, set[str]] = defaultdict(set)
    for name, intent in INTENTS.items():
        for sample in intent["samples"]:
            owners[SLOT.sub("SLOT", sample)].add(name)
    shared = {shape: sorted(names) for shape, names in owners.items() if len(names) > 1}
    assert not shared


def test_no_sample_is_repeated_within_an_intent():
    for name, intent in INTENTS.items():
        assert len(intent["samples"]) == len(set(intent["samples"])), name


@pytest.mark.parametrize("name", sorted(INTENTS))
def test_samples_are_alexa_valid(name):
    for sample in INTENTS[name]["samples"]:
        assert sample == sample.strip() and "  " not in sample, repr(sample)
        assert not re.search(r"\d", sample), f"{name}: digits in {sample!r}"
        for token in sample.split():
            assert TOKEN.match(token), f"{name}: {token!r} in {sample!r}"


@pytest.mark.parametrize("name", sorted(INTENTS))
def test_slots_are_declared_typed_and_used(name):
    intent = INTENTS[name]
    declared = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
    used = {ref for sample in intent["samples"] for ref in SLOT.findall(sample)}
    assert used <= set(declared), f"{name}: undeclared slots {used - set(declared)}"
    assert set(declared) <= used, f"{name}: slots never used in a sample {set(declared) - used}"
    for slot_type in declared.values():
        assert slot_type.startswith("AMAZON.") or slot_type in TYPES, f"{name}: type {slot_type} not declared"


def test_every_declared_slot_type_has_values_with_ids():
    for slot_type in MODEL["types"]:
        assert slot_type["values"], slot_type["name"]
        ids = [value.get("id") for value in slot_type["values"]]
        assert all(ids) and len(ids) == len(set(ids)), slot_type["name"]


@pytest.mark.parametrize("name", [name for name in CUSTOM if name not in words.language().carrier_intents])
def test_custom_intents_have_at_least_twenty_samples(name):
    """Carriers that keep a word are exempt: their samples are one shape ("{query} minutes"), and
    varying words around it would only hide the word they keep."""
    assert len(INTENTS[name]["samples"]) >= 20


def test_topic_slot_values_come_from_the_guide():
    topic = next(t for t in MODEL["types"] if t["name"] == "TOPIC")
    assert {value["id"] for value in topic["values"]} == {t.id for t in guide().topics}


def test_question_intent_takes_free_text():
    assert INTENTS["QuestionIntent"]["slots"] == [{"name": "query", "type": "AMAZON.SearchQuery"}]
    assert len(INTENTS["QuestionIntent"]["samples"]) >= 20


def test_each_kept_word_has_its_own_carrier_so_the_skill_hears_it():
    """"how long {query}" would hand over "should the first walk be", and "{query} two" would drop the
    step of "nova finished step two"; "how {query}" and "{query} two" keep the word in the intent's
    name instead, and no QuestionIntent carrier opens or closes with a kept word any more."""
    kept = words.language().carrier_intents
    openers = {k.word for k in kept.values() if not k.closes}
    closers = {k.word for k in kept.values() if k.closes}
    assert openers and closers
    question = INTENTS["QuestionIntent"]["samples"]
    assert not [s for s in question if s.split()[0] in openers or s.split()[-1] in closers]
    for name, word in kept.items():
        assert INTENTS[name]["slots"] == INTENTS["QuestionIntent"]["slots"]
        assert word.sample("{query}") in INTENTS[name]["samples"]
        assert all(word.sample("{query}") in sample for sample in INTENTS[name]["samples"])


def test_no_sample_is_a_bare_custom_slot():
    """A sample that is only a custom slot claims any sentence at all, so fallback and questions never run."""
    bare = [
        f"{name}: {sample}"
        for name, intent in INTENTS.items()
        for sample in intent["samples"]
        if SLOT.fullmatch(sample) and not _slot_type(intent, SLOT.fullmatch(sample).group(1)).startswith("AMAZON.")
    ]
    assert not bare


def _slot_type(intent: dict, slot: str) -> str:
    return next(s["type"] for s in intent.get("slots", []) if s["name"] == slot)
