"""The skill package (interaction_model/), validated offline as SMAPI would read it.

Every file must parse into the ASK SMAPI model classes without a single unknown or misspelled
field (the SDK's deserializer silently drops those, and SMAPI then rejects or ignores them), the
store listing may only show phrases the model understands, and the manifest may only ask for
what the code uses.
"""
from __future__ import annotations

import importlib
import json
import re
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from ask_smapi_model.v1.skill.manifest.event_name_type import EventNameType
from ask_smapi_model.v1.skill.manifest.permission_name import PermissionName

from skill import interaction_model
from skill.handlers import request_handlers, session
from skill.interaction_model import INVOCATION_NAME, LOCALES, MANIFEST, MODELS, PACKAGE, ROOT
from skill.simulator import envelopes
from skill.simulator.nlu import IntentMatch

MANIFEST_CLASS = "ask_smapi_model.v1.skill.manifest.skill_manifest_envelope.SkillManifestEnvelope"
MODEL_CLASS = "ask_smapi_model.v1.skill.interaction_model.interaction_model_data.InteractionModelData"
EXAMPLE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:cat-harness-coach-CoachFunction-AbC123:live"
# Words Alexa accepts between "ask <invocation name>" and the utterance.
CONNECTING_WORDS = ("to", "about", "for", "if", "whether", "and")
# The category values of the skill manifest schema (ask-smapi-model types it as a plain string).
CATEGORIES = frozenset([
    "ALARMS_AND_CLOCKS", "ASTROLOGY", "BUSINESS_AND_FINANCE", "CALCULATORS", "CALENDARS_AND_REMINDERS",
    "COMMUNICATION", "CONNECTED_CAR", "COOKING_AND_RECIPE", "CURRENCY_GUIDES_AND_CONVERTERS", "DATING",
    "DELIVERY_AND_TAKEOUT", "DEVICE_TRACKING", "EDUCATION_AND_REFERENCE", "EVENT_FINDERS",
    "EXERCISE_AND_WORKOUT", "FASHION_AND_STYLE", "FLIGHT_FINDERS", "FRIENDS_AND_FAMILY",
    "GAME_INFO_AND_ACCESSORY", "GAMES", "HEALTH_AND_FITNESS", "HOTEL_FINDERS", "KNOWLEDGE_AND_TRIVIA",
    "MOVIE_AND_TV_KNOWLEDGE_AND_TRIVIA", "MOVIE_INFO_AND_REVIEWS", "MOVIE_SHOWTIMES",
    "MUSIC_AND_AUDIO_ACCESSORIES", "MUSIC_AND_AUDIO_KNOWLEDGE_AND_TRIVIA",
    "MUSIC_INFO_REVIEWS_AND_RECOGNITION_SERVICE", "NAVIGATION_AND_TRIP_PLANNER", "NEWS", "NOVELTY",
    "ORGANIZERS_AND_ASSISTANTS", "PETS_AND_ANIMAL", "PODCAST", "PUBLIC_TRANSPORTATION",
    "RELIGION_AND_SPIRITUALITY", "RESTAURANT_BOOKING_INFO_AND_REVIEW", "SCHOOLS", "SCORE_KEEPING",
    "SELF_IMPROVEMENT", "SHOPPING", "SMART_HOME", "SOCIAL_NETWORKING", "SPORTS_GAMES", "SPORTS_NEWS",
    "STREAMING_SERVICE", "TAXI_AND_RIDESHARING", "TO_DO_LISTS_AND_NOTES", "TRANSLATORS", "TV_GUIDES",
    "UNIT_CONVERTERS", "WEATHER", "WINE_AND_BEVERAGE", "ZIP_CODE_LOOKUP"
])
PRIMITIVES = {"str": str, "bool": bool, "int": int, "float": (int, float)}


# --- strict SMAPI parsing ---------------------------------------------------------------------

def _load_class(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def schema_problems(data: Any, type_name: str, path: str = "$") -> list[str]:
    """Every place where ``data`` does not fit the SMAPI model class ``type_name``."""
    if type_name == "object":
        return []
    if type_name in PRIMITIVES:
        ok = isinstance(data, PRIMITIVES[type_name]) and not (type_name != "bool" and isinstance(data, bool))
        return [] if ok else [f"{path}: expected {type_name}, got {data!r}"]
    if type_name.startswith("list["):
        if not isinstance(data, list):
            return [f"{path}: expected a list"]
        inner = type_name[5:-1]
        return [p for i, item in enumerate(data) for p in schema_problems(item, inner, f"{path}[{i}]")]
    if type_name.startswith("dict("):
        if not isinstance(data, dict):
            return [f"{path}: expected an object"]
        inner = type_name[5:-1].split(",", 1)[1].strip()
        return [p for key, item in data.items() for p in schema_problems(item, inner, f"{path}.{key}")]
    cls = _load_class(type_name)
    if issubclass(cls, Enum):
        allowed = {member.value for member in cls}
        return [] if data in allowed else [f"{path}: {data!r} is not one of {cls.__name__}"]
    if not isinstance(data, dict):
        return [f"{path}: expected an object for {cls.__name__}"]
    if getattr(cls, "discriminator_value_class_map", None):
        child = cls.get_real_child_model(data)
        if child is None:
            return [f"{path}: unknown {cls.json_discriminator_key} {data.get(cls.json_discriminator_key)!r}"]
        cls = _load_class(child)
    by_json_name = {json_name: attr for attr, json_name in cls.attribute_map.items()}
    problems = []
    for key, value in data.items():
        if key not in by_json_name:
            problems.append(f"{path}.{key}: unknown field of {cls.__name__}")
        else:
            problems.extend(schema_problems(value, cls.deserialized_types[by_json_name[key]], f"{path}.{key}"))
    return problems


def parse(data: dict[str, Any], type_name: str) -> Any:
    assert schema_problems(data, type_name) == []
    return DefaultSerializer().deserialize(json.dumps(data), type_name)


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    return read_json(MANIFEST)


@pytest.fixture(scope="module")
def deployed() -> dict[str, Any]:
    """The manifest as it is after `python3 dev.py model --endpoint <SkillEndpointArn>`."""
    return interaction_model.skill_manifest(EXAMPLE_ARN)


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    return interaction_model.load_locale_model()


def test_the_strict_parser_reports_misspelled_and_unknown_fields(deployed):
    broken = json.loads(json.dumps(deployed))
    broken["manifest"]["publishingInformation"]["locales"]["en-US"]["examplePhrase"] = ["Alexa, open it"]
    broken["manifest"]["permissions"].append({"name": "alexa::alerts:timer:skill:readwrite"})
    broken["manifest"]["events"]["subscriptions"][0]["eventname"] = "SKILL_DISABLED"
    problems = schema_problems(broken, MANIFEST_CLASS)
    assert any(p.endswith("en-US.examplePhrase: unknown field of SkillManifestLocalizedPublishingInformation")
               for p in problems)
    assert any("permissions[1].name" in p and "PermissionName" in p for p in problems)
    assert any("subscriptions[0].eventname: unknown field" in p for p in problems)


@pytest.mark.parametrize("which", ["committed", "deployed"])
def test_manifest_parses_into_smapi_classes_without_unknown_fields(which, request):
    envelope = parse(request.getfixturevalue(which), MANIFEST_CLASS)
    manifest = envelope.manifest
    assert manifest.manifest_version.value == "1.0"
    assert set(manifest.publishing_information.locales) == set(LOCALES)
    assert set(manifest.privacy_and_compliance.locales) == set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_model_parses_into_smapi_classes_without_unknown_fields(locale):
    data = read_json(MODELS / f"{locale}.json")
    parsed = parse(data, MODEL_CLASS)
    assert parsed.interaction_model.language_model.invocation_name == INVOCATION_NAME


def test_committed_manifest_is_generated_from_its_source():
    assert not interaction_model.stale_manifest(), "run python3 dev.py model"


def test_skill_json_is_written_as_ask_cli_writes_it_back_after_a_deploy():
    text = MANIFEST.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False)  # JSON.stringify(content, null, 2)


def test_ask_cli_finds_the_skill_package():
    resources = read_json(ROOT / "ask-resources.json")
    assert resources["askcliResourcesVersion"] == "2020-03-31"
    source = (ROOT / resources["profiles"]["default"]["skillMetadata"]["src"]).resolve()
    assert source == PACKAGE.resolve()
    assert (source / "skill.json").is_file()
    for locale in LOCALES:
        assert (source / "interactionModels" / "custom" / f"{locale}.json").is_file()


# --- publishing information -------------------------------------------------------------------

def test_every_english_locale_gets_the_same_complete_listing(committed):
    publishing = committed["manifest"]["publishingInformation"]
    listings = [publishing["locales"][locale] for locale in LOCALES]
    assert all(listing == listings[0] for listing in listings)
    listing = listings[0]
    assert listing["name"] == "Cat Harness Coach" and len(listing["name"]) <= 50
    assert 0 < len(listing["summary"]) <= 160
    assert 0 < len(listing["description"]) <= 4000
    assert 1 <= len(listing["examplePhrases"]) <= 3
    assert 0 < len(listing["keywords"]) <= 30 and len(set(listing["keywords"])) == len(listing["keywords"])
    assert publishing["category"] in CATEGORIES
    assert sorted(publishing["distributionCountries"]) == sorted(locale.split("-")[1] for locale in LOCALES)


def test_privacy_and_terms_links_are_marked_as_placeholders(committed):
    for links in committed["manifest"]["privacyAndCompliance"]["locales"].values():
        for url in links.values():
            assert url.startswith("https://example.com/") and "REPLACE-ME" in url


def _slot_pattern(slot_type: str, types: dict[str, Any]) -> str:
    if slot_type in types:
        words = [v["name"]["value"] for v in types[slot_type]["values"]]
        words += [s for v in types[slot_type]["values"] for s in v["name"].get("synonyms", [])]
        return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    return "[a-z' ]+"  # built-in types such as AMAZON.NUMBER ("two") or AMAZON.SearchQuery


def sample_intents(utterance: str, model: dict[str, Any]) -> set[str]:
    """Intents with a sample that, slots filled with recognisable values, is exactly ``utterance``."""
    types = {t["name"]: t for t in model["types"]}
    found = set()
    for intent in model["intents"]:
        slots = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent["samples"]:
            parts = re.split(r"\{(\w+)\}", sample)
            regex = "".join(re.escape(p) if i % 2 == 0 else _slot_pattern(slots[p], types) for i, p in enumerate(parts))
            if re.fullmatch(regex, utterance):
                found.add(intent["name"])
    return found


def test_example_phrases_launch_or_ask_with_a_real_sample_utterance(committed, model):
    phrases = committed["manifest"]["publishingInformation"]["locales"]["en-US"]["examplePhrases"]
    assert phrases[0] == f"Alexa, open {INVOCATION_NAME}"
    prefix = f"Alexa, ask {INVOCATION_NAME} "
    for phrase in phrases[1:]:
        assert phrase.startswith(prefix), phrase
        request = phrase[len(prefix):]
        candidates = [request] + [request[len(w) + 1:] for w in CONNECTING_WORDS if request.startswith(w + " ")]
        assert any(sample_intents(c, model) for c in candidates), f"{phrase!r} is not a sample utterance"


def test_example_phrases_get_a_real_answer_in_the_simulator(committed, talk):
    for phrase in committed["manifest"]["publishingInformation"]["locales"]["en-US"]["examplePhrases"]:
        turn = talk.say(phrase.replace("Alexa, ", "").lower())
        assert turn.response is not None, phrase
        assert turn.intent != "AMAZON.FallbackIntent", phrase
        assert turn.speech, phrase


# --- intents referenced by code ---------------------------------------------------------------

def handled_intents() -> set[str]:
    return {name for handler in request_handlers() for name in getattr(handler, "intents", ())}


def test_every_intent_a_handler_names_exists_in_the_model(model):
    missing = handled_intents() - {intent["name"] for intent in model["intents"]}
    assert not missing, f"handlers name intents the model lacks: {sorted(missing)}"


def first_handler_for(intent: str) -> Any:
    """The handler the SDK would dispatch an in-session IntentRequest for ``intent`` to."""
    body = envelopes.envelope(envelopes.intent_request(IntentMatch(intent)), envelopes.Device(),
                              session=envelopes.Session(user_id="amzn1.ask.account.package-test", new=False))
    request = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
    handler_input = HandlerInput(request_envelope=request, attributes_manager=AttributesManager(request))
    return next(h for h in request_handlers() if h.can_handle(handler_input))


def test_every_custom_intent_in_the_model_reaches_its_own_handler(model):
    """Not the fallback and not the catch-all: some handler takes the intent by name or by content data."""
    catch_alls = tuple(type(h) for h in session.LAST)
    for intent in model["intents"]:
        if not intent["name"].startswith("AMAZON."):
            assert not isinstance(first_handler_for(intent["name"]), catch_alls), intent["name"]


def test_every_slot_type_used_exists(model):
    declared = {t["name"] for t in model["types"]}
    for intent in model["intents"]:
        for slot in intent.get("slots", []):
            assert slot["type"].startswith("AMAZON.") or slot["type"] in declared, (intent["name"], slot)


# --- permissions, events and endpoint match the code ------------------------------------------

def code_files() -> list[Path]:
    skipped = {"simulator", "web", "interaction"}
    return [p for p in (ROOT / "skill").rglob("*") if p.suffix in {".py", ".j2"} and not skipped & set(p.parts)]


def permissions_in_code() -> set[str]:
    scopes = {member.value for member in PermissionName}
    found = set()
    for path in code_files():
        found.update(s for s in re.findall(r"alexa::[a-z_:.]+", path.read_text(encoding="utf-8")) if s in scopes)
    return found


def events_handled_in_code() -> set[str]:
    """SMAPI event names for the AlexaSkillEvent.* requests the handlers accept."""
    names = set()
    for path in (ROOT / "skill" / "handlers").glob("*.py"):
        for event in re.findall(r"AlexaSkillEvent\.(\w+)", path.read_text(encoding="utf-8")):
            names.add(re.sub(r"(?<!^)(?=[A-Z])", "_", event).upper())
    return names


def test_manifest_asks_for_exactly_the_permissions_the_code_uses(committed):
    requested = {p["name"] for p in committed["manifest"]["permissions"]}
    assert requested == permissions_in_code() == {PermissionName.alexa_alerts_timers_skill_readwrite.value}


def test_deployed_manifest_subscribes_to_exactly_the_events_the_code_handles(deployed):
    subscribed = {s["eventName"] for s in deployed["manifest"]["events"]["subscriptions"]}
    assert subscribed == events_handled_in_code() == {EventNameType.SKILL_DISABLED.value}


def test_endpoint_from_the_stack_output_reaches_the_skill_and_its_events(deployed):
    manifest = deployed["manifest"]
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": EXAMPLE_ARN}
    assert manifest["events"]["endpoint"] == {"uri": EXAMPLE_ARN}


def test_web_service_endpoint_declares_a_trusted_certificate():
    manifest = interaction_model.skill_manifest("https://coach.example.com/alexa")["manifest"]
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": "https://coach.example.com/alexa",
                                                      "sslCertificateType": "Trusted"}
    assert schema_problems({"manifest": manifest}, MANIFEST_CLASS) == []


@pytest.mark.parametrize("garbage", ["", "None", "http://coach.example.com/alexa", "arn:aws:lambda:us-east-1:1:function:x",
                                     "arn:aws:lambda:us-east-1:123456789012:function:coach live"])
def test_endpoint_that_is_not_an_arn_or_https_url_is_refused(garbage, tmp_path):
    with pytest.raises(ValueError):
        interaction_model.write_manifest(endpoint=garbage or "not an endpoint", target=tmp_path / "skill.json")
    assert not (tmp_path / "skill.json").exists()


def test_without_an_endpoint_the_manifest_can_create_the_skill_before_the_stack_exists(tmp_path):
    manifest = interaction_model.skill_manifest(None)["manifest"]
    assert "endpoint" not in manifest["apis"]["custom"]
    assert "events" not in manifest


def test_regenerating_keeps_the_endpoint_the_operator_set(tmp_path):
    target = tmp_path / "skill.json"
    interaction_model.write_manifest(endpoint=EXAMPLE_ARN, target=target)
    interaction_model.write_manifest(target=target)
    assert read_json(target)["manifest"]["apis"]["custom"]["endpoint"]["uri"] == EXAMPLE_ARN
    assert not interaction_model.stale_manifest(target)


def test_committed_manifest_has_events_exactly_when_it_has_an_endpoint(committed):
    manifest = committed["manifest"]
    assert ("endpoint" in manifest["apis"]["custom"]) == ("events" in manifest)
