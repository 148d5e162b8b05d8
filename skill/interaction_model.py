"""Generates the ASK interaction models for every English locale from one source.

Sources: the intent files in ``skill/interaction/*.toml`` (one per area of the skill) and the
guide content, which supplies the TOPIC slot values so a new topic is speakable without editing
the model. Output: ``interaction_model/interactionModels/custom/<locale>.json``, identical for
all locales. Run ``python3 dev.py model`` after changing a source; a test fails if you forget.
The same command writes the skill manifest ``interaction_model/skill.json`` from
``skill/interaction/manifest.toml`` (see the section at the end of this module).
"""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from skill.content import Guide, guide

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(__file__).parent / "interaction"
PACKAGE = ROOT / "interaction_model"
MODELS = PACKAGE / "interactionModels" / "custom"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
INVOCATION_NAME = "cat harness coach"


def load_intents(sources: Path = SOURCES) -> list[dict[str, Any]]:
    """All intents from every source file, in file-name order, as ASK intent objects."""
    intents: list[dict[str, Any]] = []
    for path in sorted(sources.glob("*.toml")):
        with path.open("rb") as handle:
            for raw in tomllib.load(handle).get("intents", []):
                intent: dict[str, Any] = {"name": raw["name"], "samples": list(raw.get("samples", []))}
                if raw.get("slots"):
                    intent["slots"] = [{"name": s["name"], "type": s["type"]} for s in raw["slots"]]
                intents.append(intent)
    return intents


def load_types(sources: Path = SOURCES) -> list[dict[str, Any]]:
    """Custom slot types declared in the sources (``[[types]]``), besides the generated TOPIC."""
    types: list[dict[str, Any]] = []
    for path in sorted(sources.glob("*.toml")):
        with path.open("rb") as handle:
            for raw in tomllib.load(handle).get("types", []):
                values = [
                    {"id": v["id"], "name": {"value": v["value"], "synonyms": list(v.get("synonyms", []))}}
                    for v in raw["values"]
                ]
                types.append({"name": raw["name"], "values": values})
    return types


def topic_type(content: Guide) -> dict[str, Any]:
    """TOPIC values: each guide topic's id, first alias as the value, the other aliases as synonyms."""
    values = []
    for topic in content.topics:
        if not topic.aliases:
            continue
        first, *others = topic.aliases
        values.append({"id": topic.id, "name": {"value": first, "synonyms": others}})
    return {"name": "TOPIC", "values": values}


STEP_REFERENCE = "STEP_REFERENCE"
ORDINAL_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def with_step_references(types: list[dict[str, Any]], content: Guide) -> list[dict[str, Any]]:
    """STEP_REFERENCE: the relative values its source declares ("next", "this") plus one value per
    guide step, named by its ordinal ("second"), its name and its ``references`` ("the door one");
    the last step also answers to "last" and "final", the one before it to "second to last" and the
    middle one to "middle" (``language.toml``). A sixth step is speakable with no model edit."""
    out = []
    for declared in types:
        if declared["name"] != STEP_REFERENCE:
            out.append(declared)
            continue
        values = list(declared["values"])
        for step in content.steps:
            synonyms = [step.name, *step.references]
            if step.number == len(content.steps):
                synonyms += ["last", "final", "very last"]
            synonyms += _placed_by_count(step.number, len(content.steps))
            ordinal = ORDINAL_WORDS[step.number - 1] if step.number <= len(ORDINAL_WORDS) else f"step {step.number}"
            values.append({"id": str(step.number), "name": {"value": ordinal, "synonyms": synonyms}})
        out.append({"name": STEP_REFERENCE, "values": values})
    return out


def _placed_by_count(number: int, count: int) -> list[str]:
    """The words that place step ``number`` of ``count`` from the guide's ends ("second to last")."""
    from skill.understanding import words

    positions = words.language()
    out = list(positions.second_to_last) if number == count - 1 else []
    if count % 2 and number == (count + 1) // 2:
        out += sorted(positions.middle_words)
    return out


MAX_SAMPLES = 100
MIN_LITERAL_WORDS = 3
_SLOT = re.compile(r"\{(\w+)\}")
_FILLERS = frozenset({"um", "umm", "uh", "uhm", "er", "erm", "hmm", "hm", "ah", "eh", "like"})


def _shape(sample: str) -> str:
    return _SLOT.sub("{}", sample)


def _templated(text: str, slot_types: dict[str, str], types: dict[str, dict[str, Any]],
               expected: dict[str, str]) -> str | None:
    """A bank utterance as a sample: each slot value it says replaced by ``{slot}``; None if it can't be.

    A custom value is replaced only when it is the one the utterance is labelled with (``expected``,
    by entity id): "what comes after the leash part" names step three but asks for step four."""
    from skill.understanding import spoken

    said = text.split()
    for name, slot_type in slot_types.items():
        if slot_type == "AMAZON.DURATION":
            span = next(((i, j) for i in range(len(said)) for j in range(len(said), i, -1)
                         if said[j - 1] in (*spoken.UNIT_SECONDS, "half")
                         and spoken.parse_duration(" ".join(said[i:j]))), None)
            if span:
                said[span[0]:span[1]] = ["{" + name + "}"]
        elif slot_type == "AMAZON.NUMBER":
            for i, w in enumerate(said):
                if i and said[i - 1] == "step" and w in spoken.CARDINALS:
                    if str(spoken.CARDINALS[w]) != expected.get(name):
                        return None
                    said[i] = "{" + name + "}"
        elif slot_type == "AMAZON.FirstName" and expected.get(name) in said:
            said[said.index(expected[name])] = "{" + name + "}"
        elif slot_type in types:
            phrases = sorted(((" ".join(n.split()), v["id"]) for v in types[slot_type]["values"]
                              for n in (v["name"]["value"], *v["name"].get("synonyms", ()))),
                             key=lambda pair: len(pair[0]), reverse=True)
            joined = f" {' '.join(said)} "
            for phrase, entity_id in phrases:
                if f" {phrase} " in joined:
                    if expected.get(name) != entity_id:
                        return None
                    said = joined.replace(f" {phrase} ", " {" + name + "} ", 1).split()
                    break
    sample = " ".join(said)
    if _SLOT.fullmatch(sample) or re.search(r"\d|\}\s*\{", sample):
        return None
    return sample


NAMING_WORDS = frozenset({"name", "name's", "called", "named", "call"})


def _ends_in_open_name(sample: str, slot_types: dict[str, str]) -> bool:
    last = _SLOT.fullmatch(sample.split()[-1])
    return bool(last and slot_types.get(last.group(1)) == "AMAZON.FirstName"
                and not NAMING_WORDS & set(sample.split()))


def with_tuning_samples(intents: list[dict[str, Any]], types: list[dict[str, Any]], content: Guide) -> list[dict[str, Any]]:
    """Each intent's samples plus owners' phrasings from the tuning part of the utterance bank.

    Only the tuning part: the check part is held out (skill/understanding/bank.py). A phrasing is
    left out when it starts with a filler, has digits, is a bare slot, or has the shape of a sample
    another intent already owns; each intent keeps at most MAX_SAMPLES."""
    from skill.understanding import bank

    by_name = {i["name"]: i for i in intents}
    owners = {_shape(s): i["name"] for i in intents for s in i["samples"]}
    custom = {t["name"]: t for t in types}
    for utterance in bank.tuning():
        entry = content.entry(utterance.label)
        is_step = entry is not None and entry.id.startswith("step:")
        name = "StepIntent" if is_step else entry.intent if entry is not None else utterance.label
        intent = by_name.get(name or "")
        if intent is None or len(intent["samples"]) >= MAX_SAMPLES:
            continue
        text = " ".join(bank.without_invocation(utterance.say).replace("’", "'").split())
        if not text or text.split()[0] in _FILLERS or not re.fullmatch(r"[a-z' ]+", text):
            continue
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        expected = {k: str(v).lower() for k, v in utterance.slots.items()}
        if is_step:
            expected = {"step": utterance.label.removeprefix("step:"), "which": utterance.label.removeprefix("step:")}
        sample = _templated(text, slot_types, custom, expected)
        if is_step and sample is not None and "{" not in sample:
            continue  # a step asked for by description, not by number or name: the classifier's job
        if sample is not None and any("{" + slot + "}" not in sample for slot in expected if slot in slot_types):
            continue  # a value it names could not be placed: as a sample it would lose that value
        if sample is not None and len(_SLOT.sub("", sample).split()) < MIN_LITERAL_WORDS:
            continue  # too few words of its own: it would claim sentences that merely start that way
        if sample is not None and _ends_in_open_name(sample, slot_types):
            continue  # "my cat is {name}" would take "my cat is comfortable in the harness" as a name
        if sample is None or owners.setdefault(_shape(sample), name) != name or sample in intent["samples"]:
            continue
        intent["samples"].append(sample)
    return intents


FREE_TEXT_INTENT = "QuestionIntent"


def with_tuning_carriers(intents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """QuestionIntent's carriers plus every word owners opened or closed a sentence with in the
    tuning part ("yo {query}", "{query} lol").

    Alexa hands free text to the skill only inside a carrier phrase, so a sentence whose first and
    last words are both outside every carrier never reaches the classifier; owners open and close
    with far more words than anyone lists by hand. A carrier is left out when another intent owns
    its shape (the intent with the word as a sample stays first)."""
    from skill.understanding import bank

    carrier = next(i for i in intents if i["name"] == FREE_TEXT_INTENT)
    owners = {_shape(s): i["name"] for i in intents for s in i["samples"]}
    for utterance in bank.tuning():
        said = bank.without_invocation(utterance.say).replace("’", "'").split()
        if len(said) < 2:
            continue
        for sample in (f"{said[0]} {{query}}", f"{{query}} {said[-1]}"):
            if re.fullmatch(r"[a-z' ]+\{query\}[a-z' ]*|\{query\}[a-z' ]+", sample) and \
                    owners.setdefault(_shape(sample), FREE_TEXT_INTENT) == FREE_TEXT_INTENT and \
                    sample not in carrier["samples"]:
                carrier["samples"].append(sample)
    return intents


def with_kept_carriers(intents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One carrier intent per kept word ("OpensWithHowIntent": "how {query}", "ClosesWithMinutesIntent":
    "{query} minutes"), in place of every QuestionIntent carrier that opens or closes with that word.

    Alexa hands the skill only the SearchQuery words, so "how long {query}" would lose exactly the
    words that say what is asked, and "{query} two" the number an action needs ("nova finished step
    two"). The intent's name tells the skill which word it left out, and the free-text reader puts it
    back (``skill.handlers.free_text``)."""
    from skill.understanding import words

    lang = words.language()
    carrier = next(i for i in intents if i["name"] == FREE_TEXT_INTENT)
    kept = lang.carrier_intents
    openers = {k.word for k in kept.values() if not k.closes}
    closers = {k.word for k in kept.values() if k.closes}
    carrier["samples"] = [s for s in carrier["samples"] if s.split()[0] not in openers and s.split()[-1] not in closers]
    slots = [slot for slot in carrier["slots"] if slot["type"] == "AMAZON.SearchQuery"]
    query = "{" + slots[0]["name"] + "}"
    # Words that only take the floor may come first ("um how {query}"), and a closing word may be
    # followed by a courtesy ("{query} minutes please"): they say nothing the skill needs.
    before = ["", *sorted(lang.fillers), *(" ".join(o) for o in lang.openings)]
    after = ["", *CLOSING_COURTESIES]

    def samples(word: words.KeptWord) -> list[str]:
        bare = word.sample(query)
        return [f"{bare} {a}".strip() for a in after] if word.closes else [f"{b} {bare}".strip() for b in before]

    # A shape another intent already has ("oh no {query}") stays that intent's.
    taken = {_shape(s) for i in intents for s in i["samples"]}
    # Listed before QuestionIntent, so a sentence that also ends like one of its carriers
    # ("how ... okay") keeps the word that says what it asks.
    at = intents.index(carrier)
    intents[at:at] = [{"name": name, "slots": slots, "samples": [s for s in samples(word) if _shape(s) not in taken]}
                      for name, word in kept.items()]
    return intents


# What an owner may add after the word a closing carrier keeps.
CLOSING_COURTESIES = ("please", "thanks")


def language_model(content: Guide | None = None, sources: Path = SOURCES) -> dict[str, Any]:
    content = content or guide()
    types = [topic_type(content), *with_step_references(load_types(sources), content)]
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": INVOCATION_NAME,
                "intents": with_kept_carriers(
                    with_tuning_carriers(with_tuning_samples(load_intents(sources), types, content))),
                "types": types,
            }
        }
    }


def render(model: dict[str, Any]) -> str:
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def write_models(target: Path = MODELS) -> list[Path]:
    text = render(language_model())
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for locale in LOCALES:
        path = target / f"{locale}.json"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_models(target: Path = MODELS) -> list[str]:
    """Locales whose committed model differs from what the sources generate."""
    text = render(language_model())
    return [
        locale
        for locale in LOCALES
        if not (target / f"{locale}.json").exists()
        or (target / f"{locale}.json").read_text(encoding="utf-8") != text
    ]


def load_locale_model(locale: str = "en-US", target: Path = MODELS) -> dict[str, Any]:
    """The generated model as Alexa would receive it; the simulator resolves speech against this."""
    with (target / f"{locale}.json").open(encoding="utf-8") as handle:
        return json.load(handle)["interactionModel"]["languageModel"]


# --- Skill manifest (interaction_model/skill.json) -------------------------------------------
# Source: skill/interaction/manifest.toml. The endpoint is not in the source: it is the alias
# ARN from the deployed stack (or the HTTPS URL of the web service), given once with
# `python3 dev.py model --endpoint ...` and kept on every later regeneration.

MANIFEST_SOURCE = SOURCES / "manifest.toml"
MANIFEST = PACKAGE / "skill.json"
LAMBDA_ARN = re.compile(r"arn:aws:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?")


def load_manifest_source(source: Path = MANIFEST_SOURCE) -> dict[str, Any]:
    with source.open("rb") as handle:
        return tomllib.load(handle)


def example_phrases(requests: list[str]) -> list[str]:
    """The launch phrase, then one-shot requests; the store shows at most three."""
    return [f"Alexa, open {INVOCATION_NAME}", *(f"Alexa, ask {INVOCATION_NAME} {request}" for request in requests)]


def check_endpoint(uri: str) -> str:
    """Accept a Lambda function/alias ARN or an HTTPS URL, so a failed stack lookup cannot slip in."""
    if LAMBDA_ARN.fullmatch(uri) or re.fullmatch(r"https://[^\s/]+(/\S*)?", uri):
        return uri
    raise ValueError(f"not a Lambda ARN or HTTPS URL: {uri!r}")


def _endpoint(uri: str) -> dict[str, str]:
    endpoint = {"uri": check_endpoint(uri)}
    if uri.startswith("https://"):
        endpoint["sslCertificateType"] = "Trusted"
    return endpoint


def apl_interface(screens: dict[str, Any]) -> dict[str, Any]:
    """The ALEXA_PRESENTATION_APL interface with the viewports the screens are designed for."""
    def camel(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(part.title() for part in rest)

    return {"type": "ALEXA_PRESENTATION_APL",
            "supportedViewports": [{camel(k): v for k, v in viewport.items()} for viewport in screens["supported_viewports"]]}


def skill_manifest(endpoint: str | None = None, source: Path = MANIFEST_SOURCE) -> dict[str, Any]:
    """skill.json for every locale in LOCALES.

    Without an endpoint the manifest has neither ``apis.custom.endpoint`` nor event subscriptions:
    the skill can then be created before the function exists (Alexa rejects an endpoint that does
    not grant this skill permission), which is how the skill ID for the stack is obtained.
    """
    data = load_manifest_source(source)
    publishing, privacy, access = data["publishing"], data["privacy"], data["access"]
    localized = {
        "name": publishing["name"],
        "summary": publishing["summary"].strip(),
        "description": publishing["description"].strip(),
        "examplePhrases": example_phrases(publishing["example_requests"]),
        "keywords": list(publishing["keywords"]),
    }
    manifest: dict[str, Any] = {
        "manifestVersion": "1.0",
        "publishingInformation": {
            "locales": {locale: dict(localized) for locale in LOCALES},
            "isAvailableWorldwide": False,
            "distributionCountries": list(publishing["distribution_countries"]),
            "distributionMode": "PUBLIC",
            "testingInstructions": publishing["testing_instructions"].strip(),
            "category": publishing["category"],
        },
        "privacyAndCompliance": {
            "allowsPurchases": privacy["allows_purchases"],
            "usesPersonalInfo": privacy["uses_personal_info"],
            "isChildDirected": privacy["is_child_directed"],
            "isExportCompliant": privacy["is_export_compliant"],
            "containsAds": privacy["contains_ads"],
            "locales": {
                locale: {"privacyPolicyUrl": privacy["privacy_policy_url"], "termsOfUseUrl": privacy["terms_of_use_url"]}
                for locale in LOCALES
            },
        },
        "permissions": [{"name": name} for name in access["permissions"]],
        "apis": {"custom": {"interfaces": [apl_interface(data["screens"])]}},
    }
    if endpoint:
        manifest["apis"]["custom"]["endpoint"] = _endpoint(endpoint)
        manifest["events"] = {
            "subscriptions": [{"eventName": name} for name in access["event_subscriptions"]],
            "endpoint": _endpoint(endpoint),
        }
    return {"manifest": manifest}


def current_endpoint(target: Path = MANIFEST) -> str | None:
    """The endpoint already in skill.json, so regenerating never loses the operator's ARN."""
    if not target.exists():
        return None
    with target.open(encoding="utf-8") as handle:
        custom = json.load(handle)["manifest"].get("apis", {}).get("custom", {})
    return custom.get("endpoint", {}).get("uri")


def render_manifest(manifest: dict[str, Any]) -> str:
    """Formatted exactly as ASK CLI writes skill.json back after `ask deploy`, so a deploy leaves no diff."""
    return json.dumps(manifest, indent=2, ensure_ascii=False)


def write_manifest(endpoint: str | None = None, target: Path = MANIFEST) -> Path:
    text = render_manifest(skill_manifest(endpoint or current_endpoint(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def stale_manifest(target: Path = MANIFEST) -> bool:
    """True when skill.json differs from what its source generates (keeping its endpoint)."""
    expected = render_manifest(skill_manifest(current_endpoint(target)))
    return not target.exists() or target.read_text(encoding="utf-8") != expected
