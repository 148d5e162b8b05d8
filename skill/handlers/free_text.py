"""Free text becomes the request Alexa's NLU would have sent, before any handler sees it.

Alexa matches sample utterances exactly; what it cannot place reaches the skill as the words of
QuestionIntent's AMAZON.SearchQuery slot (or of a carrier that keeps a word, "how {query}" or
"{query} minutes", whose word is put back first). This interceptor reads those words with
``skill.understanding`` and rewrites the request's intent: "we practised and he was fine" becomes
LogPracticeIntent with outcome "calm", "the second one" a StepIntent for step two, "there's a dog
coming" the UrgentIntent. The handlers then answer it exactly as they answer the spoken intent, so
there is one implementation of every answer. An action opened by its verb ("wipe {details}", "time
{details}") has its other slots read from the words after the verb. Words said in the slot of any
other intent are checked for an emergency too: a frightened cat gets the urgent answer first on
every path.
"""
from __future__ import annotations

from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest

from skill.content import guide

FREE_TEXT_INTENT = "QuestionIntent"
FREE_TEXT_SLOT = "query"
# An action's own free-text slot: "wipe {details}", "time {details}". The verb names the intent,
# and its other slots are read from these words.
DETAILS_SLOT = "details"
UNDERSTOOD = "free_text:understood"
# Slots whose words are numbers or durations: nothing in them can describe an emergency.
_VALUE_SLOTS = {"step", "duration"}


class FreeTextInterceptor(AbstractRequestInterceptor):
    """Rewrites QuestionIntent to the intent its words mean; routes any emergency to UrgentIntent."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        if not isinstance(request, IntentRequest) or request.intent is None:
            return
        intent = _with_kept_word(request.intent)
        request.intent = intent
        slots = intent.slots or {}
        if intent.name == FREE_TEXT_INTENT:
            text = _said(slots.get(FREE_TEXT_SLOT))
            from skill.understanding.meaning import understand

            understood = understand(text)
            handler_input.attributes_manager.request_attributes[UNDERSTOOD] = understood
            if _scared_while_practising(handler_input, understood.slots):
                request.intent = _intent_for("urgent_stress", {}) or intent
            elif understood.label is not None:
                request.intent = _intent_for(understood.label, understood.slots) or intent
            return
        details = _said(slots.get(DETAILS_SLOT))
        if details is not None and intent.name is not None:
            from skill.understanding import slots as spoken_slots
            from skill.understanding.classifier import model
            from skill.understanding.meaning import is_urgent

            if is_urgent(details):
                request.intent = _intent_for("urgent_stress", {}) or intent
                return
            # The verb that opened the sentence named the intent; its values are in the words after it.
            name = _told_apart(intent.name, details)
            values = spoken_slots.read(name, details, model())
            request.intent = _intent_for(name, values) or intent
            return
        spoken = " ".join(filter(None, (_said(s) for n, s in slots.items() if n not in _VALUE_SLOTS)))
        if spoken and _is_free_text(slots):
            from skill.understanding.meaning import is_urgent

            if is_urgent(spoken):
                request.intent = _intent_for("urgent_stress", {}) or intent
                return
            meant = _sentence_meaning(intent)
            if meant is not None and meant.label != intent.name:
                handler_input.attributes_manager.request_attributes[UNDERSTOOD] = meant
                request.intent = _intent_for(meant.label, meant.slots) or intent
                return
            _read_unresolved(intent)


# How sure the words after a shared verb must be of the other action before it is taken instead.
OTHER_ACTION_FLOOR = 0.1


def _told_apart(name: str, details: str) -> str:
    """The action the words after a verb mean, when owners use that verb for another action too ("wipe
    her progress" resets the training, "wipe my data" deletes it; ``language.toml`` ``[actions]``).
    The verb's own intent stands unless the classifier finds the other one likelier."""
    from skill.understanding import words
    from skill.understanding.classifier import model

    group = words.language().shared_verbs.get(name)
    if not group:
        return name
    probabilities = {g.label: g.probability for g in model().probabilities(details)}
    other = max(group, key=lambda label: probabilities.get(label, 0.0))
    likelier = probabilities.get(other, 0.0) > max(probabilities.get(name, 0.0), OTHER_ACTION_FLOOR)
    return other if likelier else name


def _with_kept_word(intent: Any) -> Any:
    """A carrier that keeps a word ("how {query}", "{query} minutes") as the QuestionIntent it stands
    for, its word put back where it was said ("how" + "long should the first walk be",
    "time us for two" + "minutes")."""
    from skill.understanding import words

    kept = words.language().carrier_intents.get(intent.name or "")
    if kept is None:
        return intent
    rest = _said((intent.slots or {}).get(FREE_TEXT_SLOT))
    from ask_sdk_model import Intent, IntentConfirmationStatus

    return Intent(name=FREE_TEXT_INTENT, slots={FREE_TEXT_SLOT: _slot(FREE_TEXT_SLOT, kept.restore(rest))},
                  confirmation_status=IntentConfirmationStatus.NONE)


def _scared_while_practising(handler_input: HandlerInput, values: dict[str, str]) -> bool:
    """"She's scared" while a practice runs is a scare happening now, not a report to log."""
    from skill.dialogue import SessionState

    return values.get("outcome") == "scared" and SessionState.of(handler_input).practice is not None


def _said(slot: Any) -> str | None:
    value = getattr(slot, "value", None)
    return value if isinstance(value, str) and value.strip() and value != "?" else None


def _is_free_text(slots: dict[str, Any]) -> bool:
    """Whether any slot holds words Alexa did not resolve to a known value (where an emergency can hide)."""
    for name, slot in slots.items():
        if name in _VALUE_SLOTS or _said(slot) is None:
            continue
        authorities = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
        codes = {getattr(getattr(a.status, "code", None), "value", getattr(a.status, "code", None))
                 for a in authorities if a.status is not None}
        if "ER_SUCCESS_MATCH" not in codes:
            return True
    return False


def _slot_types(intent: Any) -> tuple[Any, dict[str, str], dict[str, Any]]:
    """The learned model, this intent's slot name -> type, and every custom type's values, as training
    copied them from the interaction model."""
    from skill.understanding.classifier import model

    learned = model()
    return learned, learned.meta.get("intents", {}).get(intent.name or "", {}), learned.meta.get("types", {})


def _sentence_meaning(intent: Any) -> Any:
    """What a whole sentence caught in a custom slot means, when the classifier is sure of it; else None.

    A sample with few literal words ("i think {outcome}") also matches a sentence that only starts or
    ends like it ("i think ziggy finished step one"). Then the words the slot holds are better evidence
    than the sample that caught them, so they are read like free text. (A name slot that caught more
    than a name keeps the name it starts with: ``_read_unresolved``.)"""
    from skill.understanding import words
    from skill.understanding.meaning import understand

    _, schema, custom = _slot_types(intent)
    sentence = words.language().sentence_words
    for name, slot in (intent.slots or {}).items():
        said = _said(slot)
        if schema.get(name) not in custom or said is None or not _is_free_text({name: slot}):
            continue
        if len(words.tokens(said)) >= sentence:
            understood = understand(said)
            return understood if understood.label is not None else None
    return None


def _read_unresolved(intent: Any) -> None:
    """A custom slot whose words Alexa could not resolve ("super calm", "kind of chill") is read the way
    free text is: the value whose words it contains fills it, so a near-synonym is not lost. A name
    slot keeps only the name it starts with ("ziggy he's a rescue")."""
    from skill.understanding import slots as spoken_slots
    from skill.understanding import words

    learned, schema, custom = _slot_types(intent)
    for name, slot in (intent.slots or {}).items():
        if schema.get(name) == "AMAZON.FirstName" and _said(slot) is not None:
            trimmed = spoken_slots.leading_name(words.tokens(slot.value))
            if trimmed is not None:
                intent.slots[name] = _slot(name, trimmed)
            continue
        if schema.get(name) not in custom or not _is_free_text({name: slot}):
            continue
        value = spoken_slots.read(intent.name, slot.value, learned).get(name)
        if value is not None:
            intent.slots[name] = _slot(name, custom[schema[name]][value][0], entity_id=value)


def _intent_for(label: str, values: dict[str, str]) -> Any:
    """The intent an understood label stands for, with its slots filled as Alexa would fill them."""
    from ask_sdk_model import Intent, IntentConfirmationStatus

    content = guide()
    entry = content.entry(label)
    if entry is not None and entry.id.startswith("step:"):
        return Intent(name="StepIntent", slots={"step": _slot("step", str(getattr(entry, "number", "")))},
                      confirmation_status=IntentConfirmationStatus.NONE)
    if entry is not None:
        if entry.intent:
            return Intent(name=entry.intent, slots={}, confirmation_status=IntentConfirmationStatus.NONE)
        return Intent(name="TopicIntent", slots={"topic": _slot("topic", entry.aliases[0] if entry.aliases else entry.id,
                                                                  entity_id=entry.id)},
                      confirmation_status=IntentConfirmationStatus.NONE)
    from skill.understanding.classifier import model

    schema: dict[str, str] = model().meta.get("intents", {}).get(label, {})
    custom = model().meta.get("types", {})
    filled = {}
    for name, slot_type in schema.items():
        value = values.get(name)
        if value is None or slot_type == "AMAZON.SearchQuery":
            continue
        if slot_type in custom:
            filled[name] = _slot(name, custom[slot_type][value][0], entity_id=value)
        else:
            filled[name] = _slot(name, value)
    return Intent(name=label, slots=filled, confirmation_status=IntentConfirmationStatus.NONE)


def _slot(name: str, value: str, entity_id: str | None = None) -> Any:
    from ask_sdk_model import Slot

    if entity_id is None:
        return Slot(name=name, value=value)
    from ask_sdk_model.slu.entityresolution import (
        Resolution,
        Resolutions,
        Status,
        StatusCode,
        Value,
        ValueWrapper,
    )

    resolution = Resolution(authority="free-text", status=Status(code=StatusCode.ER_SUCCESS_MATCH),
                            values=[ValueWrapper(value=Value(name=value, id=entity_id))])
    return Slot(name=name, value=value, resolutions=Resolutions(resolutions_per_authority=[resolution]))
