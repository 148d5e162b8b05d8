"""Generates the ASK interaction models for every English locale from one source.

Sources: the intent files in ``skill/interaction/*.toml`` (one per area of the skill) and the
guide content, which supplies the TOPIC slot values so a new topic is speakable without editing
the model. Output: ``interaction_model/interactionModels/custom/<locale>.json``, identical for
all locales. Run ``python3 dev.py model`` after changing a source; a test fails if you forget.
"""
from __future__ import annotations

import json
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


def language_model(content: Guide | None = None, sources: Path = SOURCES) -> dict[str, Any]:
    content = content or guide()
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": INVOCATION_NAME,
                "intents": load_intents(sources),
                "types": [topic_type(content), *load_types(sources)],
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
