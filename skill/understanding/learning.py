"""Builds ``model.json``: the free-text classifier and its urgent thresholds, trained with scikit-learn.

Run by ``python3 dev.py train`` (and checked by a test to be current). What it learns from:

- the tuning part of the owner utterance bank (never the check part, see ``bank``);
- the content: each topic's title, aliases and sample questions, each step's title and keywords;
- the interaction model's sample utterances, with slots filled by example values, labelled with
  the intent (or the topic or step) they name.

The model is a logistic regression over ``features.features``; its probability for the urgent
label is also the urgent score (``urgent``). Only the weights that change a score are written
out, rounded, so the file stays small and inference is plain Python.
Development tooling only: this module is not shipped in the Lambda artifact.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from skill.content import Guide, guide
from skill.interaction_model import language_model
from skill.understanding import bank, urgent, words
from skill.understanding.classifier import MODEL_PATH, WEIGHT_STEP, LinearModel
from skill.understanding.features import features

FREE_TEXT_INTENTS = {"QuestionIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent"}
SLOT_EXAMPLES = {
    "AMAZON.NUMBER": ["two", "three"],
    "AMAZON.DURATION": ["two minutes", "thirty seconds"],
    "AMAZON.FirstName": ["luna", "milo"],
}
# How a StepIntent sample's slots are filled to teach the classifier: "step {step}" and "the {which} step".
STEP_NUMBER_WORDS = {2: "two", 4: "four"}
STEP_ORDINALS = {2: "second", 4: "fourth"}
REGULARISATION = 30.0
MIN_WEIGHT = 0.3
URGENT_LABEL = urgent.URGENT_LABEL


def _slot_values(model: dict[str, Any], slot_type: str) -> list[str]:
    if slot_type in SLOT_EXAMPLES:
        return SLOT_EXAMPLES[slot_type]
    for custom in model["types"]:
        if custom["name"] == slot_type:
            return [v["name"]["value"] for v in custom["values"][:3]]
    return []


def _sample_label(intent: str, content: Guide) -> str | None:
    topic = content.topic_for_intent(intent)
    return topic.id if topic else intent


def sample_examples(content: Guide | None = None) -> list[tuple[str, str]]:
    """The interaction model's samples as (text, label), slots filled with example values."""
    content = content or guide()
    model = language_model(content)["interactionModel"]["languageModel"]
    out: list[tuple[str, str]] = []
    for intent in model["intents"]:
        name = intent["name"]
        if name in FREE_TEXT_INTENTS or name in words.language().carrier_intents:
            continue
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent["samples"]:
            slots_in = re.findall(r"\{(\w+)\}", sample)
            if name == "TopicIntent":
                for topic in content.topics:
                    if topic.aliases:
                        out.append((sample.replace("{topic}", topic.aliases[0]), topic.id))
                continue
            if name == "StepIntent":
                for number in (2, 4):
                    said = sample.replace("{step}", STEP_NUMBER_WORDS[number]).replace("{which}", STEP_ORDINALS[number])
                    out.append((said, f"step:{number}"))
                continue
            text = sample
            for slot in slots_in:
                values = _slot_values(model, slot_types.get(slot, ""))
                text = text.replace("{" + slot + "}", values[len(out) % len(values)] if values else "")
            label = _sample_label(name, content)
            if label:
                out.append((" ".join(text.split()), label))
    return out


def content_examples(content: Guide | None = None) -> list[tuple[str, str]]:
    content = content or guide()
    out: list[tuple[str, str]] = []
    for topic in content.topics:
        out.extend((text, topic.id) for text in (topic.title, *topic.aliases, *topic.questions))
    for step in content.steps:
        out.extend((text, step.id) for text in (step.title, *step.keywords))
    return out


def bank_examples(utterances: Iterable[bank.Utterance]) -> list[tuple[str, str]]:
    return [(bank.without_invocation(u.say), u.label) for u in utterances]


def training_set() -> list[tuple[str, str]]:
    """Everything the shipped model learns from; the check part of the bank is never in it."""
    return [*content_examples(), *sample_examples(), *bank_examples(bank.tuning())]


def digest(examples: list[tuple[str, str]]) -> str:
    """Names the training data, so a test can tell the shipped model was built from it and only it."""
    return hashlib.sha256(json.dumps(sorted(examples)).encode()).hexdigest()


def _fit(texts: list[str], targets: list[Any], c: float, balanced: bool = False) -> Any:
    """A logistic regression over ``features``. ``balanced`` weighs every label as if it had as many
    examples as the others, so a label the owners rarely phrase (or the content names many times)
    neither drowns nor swamps its neighbours: measured across writers, it answers more of one writer's
    phrasings from the other's (README, "Understanding owners")."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    weights = "balanced" if balanced else None
    pipeline = make_pipeline(DictVectorizer(), LogisticRegression(C=c, max_iter=3000, class_weight=weights))
    pipeline.fit([features(t) for t in texts], targets)
    return pipeline


def _export_classes(pipeline: Any) -> tuple[list[str], list[float], dict[str, list[int]]]:
    """Weights per feature as a flat ``[label index, weight in STEPs, ...]`` list: small to ship."""
    vectorizer, regression = pipeline.steps[0][1], pipeline.steps[1][1]
    labels = [str(c) for c in regression.classes_]
    weights: dict[str, list[int]] = {}
    for column, name in enumerate(vectorizer.feature_names_):
        kept = [part for row in range(len(labels)) if abs(regression.coef_[row][column]) >= MIN_WEIGHT
                for part in (row, round(float(regression.coef_[row][column]) / WEIGHT_STEP))]
        if kept:
            weights[name] = kept
    return labels, [round(float(v), 4) for v in regression.intercept_], weights


def _slot_schema() -> dict[str, Any]:
    """What the skill needs at run time to fill an intent's slots from free text."""
    model = language_model()["interactionModel"]["languageModel"]
    carriers = words.language().carrier_intents
    intents = {i["name"]: {s["name"]: s["type"] for s in i.get("slots", [])} for i in model["intents"]
               if i["name"] not in carriers}
    types = {
        t["name"]: {v["id"]: [v["name"]["value"], *v["name"].get("synonyms", [])] for v in t["values"]}
        for t in model["types"] if t["name"] != "TOPIC"
    }
    return {"intents": intents, "types": types}


def _model(examples: list[tuple[str, str]], meta: dict[str, Any]) -> LinearModel:
    texts = [t for t, _ in examples]
    labels, intercepts, weights = _export_classes(_fit(texts, [label for _, label in examples], REGULARISATION,
                                                                 balanced=True))
    return LinearModel(labels, intercepts, weights, meta)


# At most this share of calm owners, measured across writers, may hear the urgent answer; within it,
# the thresholds that miss the fewest emergencies win (recall first).
URGENT_FALSE_ALARMS = 0.015
URGENT_THRESHOLDS = tuple(round(0.1 + 0.05 * i, 2) for i in range(9))
URGENT_SIGN_THRESHOLDS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1)


def _same(text: str) -> str:
    return " ".join(text.lower().split())


def calibrate(fixed: list[tuple[str, str]], tuned: list[bank.Utterance]) -> dict[str, Any]:
    """Thresholds chosen by cross-validation on the tuning part, one writer of the bank per fold: each
    writer is predicted by a model that never saw their words (nor a sample taken from them), as
    the skill will meet owners nobody wrote for."""
    from skill import search
    from skill.understanding.meaning import NONE_LABEL

    rows: list[tuple[bank.Utterance, str, dict[str, float], bool, tuple[str, float] | None]] = []
    for writer in sorted({u.source for u in tuned}):
        held = [u for u in tuned if u.source == writer]
        said = {_same(bank.without_invocation(u.say)) for u in held}
        kept = [example for example in fixed if _same(example[0]) not in said]
        fold_model = _model([*kept, *bank_examples([u for u in tuned if u.source != writer])], {})
        for u in held:
            text = bank.without_invocation(u.say)
            probabilities = {g.label: g.probability for g in fold_model.probabilities(text)}
            ranked = search.index().rank(text, limit=1)
            best = (ranked[0].entry.id, ranked[0].confidence) if ranked else None
            rows.append((u, text, probabilities, urgent.names_a_sign(text), best))
    calm = sum(not u.urgent for u, *_ in rows)

    def alarms(thresholds: dict[str, float]) -> tuple[int, int]:
        """(emergencies missed, calm owners alarmed) over the folds."""
        raised = [(u.urgent, urgent.decide(probabilities.get(URGENT_LABEL, 0.0), signed, thresholds))
                  for u, _, probabilities, signed, _ in rows]
        return sum(want and not got for want, got in raised), sum(got and not want for want, got in raised)

    candidates = [{"threshold": t, "sign_threshold": st} for t in URGENT_THRESHOLDS for st in URGENT_SIGN_THRESHOLDS
                  if st < t]
    allowed = [c for c in candidates if alarms(c)[1] <= URGENT_FALSE_ALARMS * calm] or candidates
    thresholds = min(allowed, key=lambda c: (alarms(c), -c["threshold"]))
    best_setting = (-1.0, 0.0, 0.0)
    for blend in (0.0, 0.1, 0.2, 0.3, 0.5):
        for floor in (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
            right = 0
            for u, _, probabilities, signed, found in rows:
                if urgent.decide(probabilities.get(URGENT_LABEL, 0.0), signed, thresholds):
                    right += URGENT_LABEL in u.labels
                    continue
                scores = dict(probabilities)
                if found and found[0] in scores:
                    scores[found[0]] += blend * found[1]
                label, score = max(scores.items(), key=lambda item: item[1])
                if label == NONE_LABEL or score / (1 + blend) < floor:
                    label = NONE_LABEL
                right += label in u.labels
            if right > best_setting[0]:
                best_setting = (right, blend, floor)
    missed, alarmed = alarms(thresholds)
    return {
        "urgent": thresholds,
        "cv_urgent_missed": missed,
        "search_weight": best_setting[1],
        "min_confidence": best_setting[2],
        "cv_accuracy": round(best_setting[0] / max(len(rows), 1), 4),
        "cv_false_urgent": round(alarmed / max(calm, 1), 4),
    }


def build() -> dict[str, Any]:
    tuned = list(bank.tuning())
    fixed = [*content_examples(), *sample_examples()]
    examples = [*fixed, *bank_examples(tuned)]
    settings = calibrate(fixed, tuned)
    shipped = _model(examples, {})
    return {
        "labels": shipped.labels,
        "intercepts": shipped.intercepts,
        "weights": shipped.weights,
        "meta": {"digest": digest(examples), "examples": len(examples), **settings, **_slot_schema()},
    }


def write(path: Path = MODEL_PATH) -> Path:
    model = build()
    path.write_text(json.dumps(model, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
