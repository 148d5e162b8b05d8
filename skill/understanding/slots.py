"""The values an action's words name, read the way Alexa would fill the intent's slots.

Which slots an intent has and which words each custom slot value answers to come from the
interaction model (copied into ``model.json`` at training time), so a new value is a model change.
"""
from __future__ import annotations

from skill.understanding import spoken, words
from skill.understanding.classifier import LinearModel


def read(label: str, text: str, model: LinearModel) -> dict[str, str]:
    """Slot name -> value (an entity id for custom types) for every slot of ``label`` the words fill."""
    schema = model.meta.get("intents", {}).get(label, {})
    said = words.tokens(text)
    found: dict[str, str] = {}
    for name, slot_type in schema.items():
        value = _value(slot_type, said, model)
        if value is None and name in STEP_SLOTS:
            value = step_named(said, model)
        if value is not None:
            found[name] = value
    return found


def _value(slot_type: str, said: list[str], model: LinearModel) -> str | None:
    if slot_type == "AMAZON.DURATION":
        return spoken.find_duration(said)
    if slot_type == "AMAZON.NUMBER":
        number = step_number(said)
        return str(number) if number is not None else None
    if slot_type == "AMAZON.FirstName":
        return cat_name(said)
    values = model.meta.get("types", {}).get(slot_type)
    if values:
        return _custom(values, said, most_telling=words.language().most_telling.get(slot_type, ()))
    return None


# Slots whose value is a step number, however the words name the step.
STEP_SLOTS = ("step", "milestone")


def step_named(said: list[str], model: LinearModel) -> str | None:
    """The step words name by reference ("the door step") or by its practice kind ("on the leash")."""
    types = model.meta.get("types", {})
    reference = _custom(types.get("STEP_REFERENCE", {}), said, numbered_only=True)
    if reference is not None:
        return reference
    kind = _custom(types.get("SESSION_KIND", {}), said)
    if kind is None:
        return None
    from skill.content import guide

    return next((str(s.number) for s in guide().steps if s.session_kind == kind), None)


def step_number(said: list[str]) -> int | None:
    """A number the words name ("step three", "the third one", "3"), or None."""
    for word in said:
        if word.isdigit():
            return int(word)
        if word in spoken.ORDINALS:
            return spoken.ORDINALS[word]
        if word in spoken.CARDINALS and word != "zero":
            return spoken.CARDINALS[word]
    return None


def cat_name(said: list[str]) -> str | None:
    """The word after a naming cue ("her name is luna" -> "luna"), else the first possessive that is
    a name ("give me bruno's report" -> "bruno"), else None."""
    text = " ".join(said)
    lang = words.language()
    for cue in lang.name_cues:
        marker = f" {cue} "
        position = f" {text} ".rfind(marker)
        if position < 0:
            continue
        after = f" {text} "[position + len(marker):].split()
        name = _as_name(after[0]) if after else None
        if name is not None:
            return name
    return next((name for word in said if word.endswith("'s") and (name := _as_name(word))), None)


def _as_name(word: str) -> str | None:
    """``word`` as a cat's name ("luna", "luna's" -> "luna"), or None for words that never are one."""
    word = word.removesuffix("'s")
    if not word.isalpha() or word in words.language().not_names or word in spoken.NUMBER_WORDS:
        return None
    return word


def leading_name(said: list[str]) -> str | None:
    """The name a name slot starts with, when it caught more than a name ("ziggy he's a rescue" ->
    "ziggy"): the words up to the first one that is never part of a name."""
    not_names = words.language().not_names
    kept: list[str] = []
    for word in said:
        if word in not_names or not word.isalpha():
            break
        kept.append(word)
    return " ".join(kept) or None


def _custom(values: dict[str, list[str]], said: list[str], numbered_only: bool = False,
            most_telling: tuple[str, ...] = ()) -> str | None:
    """The entity id whose value or synonym appears in the words.

    A phrase inside a longer one that also matched does not count ("great" in "not great"). Of the
    rest, the id listed first in ``most_telling`` wins ("not great, he got scared" is scared), else the
    longest phrase ("outside" over "first" in "the first trip outside")."""
    found: list[tuple[int, int, str, str]] = []  # start and end (in words), the phrase, its entity id
    for entity_id, names in values.items():
        if numbered_only and not entity_id.isdigit():
            continue
        for name in names:
            phrase = words.split(name)
            size = len(phrase)
            found.extend((i, i + size, " ".join(phrase), entity_id)
                         for i in range(len(said) - size + 1) if size and said[i:i + size] == phrase)
    kept = [f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and o[1] - o[0] > f[1] - f[0] for o in found)]
    if not kept:
        return None
    rank = {entity_id: place for place, entity_id in enumerate(most_telling)}
    return min(kept, key=lambda f: (rank.get(f[3], len(rank)), -len(f[2])))[3]
