"""Numbers, ordinals and durations as people say them, read the way Alexa's built-in slots read them.

"three", "third" and "3" are 3; "a minute and a half" is ``PT1M30S``. The simulator resolves
AMAZON.NUMBER and AMAZON.DURATION slots with these functions, and the skill uses them to read the
values in free text that reached it through AMAZON.SearchQuery.
"""
from __future__ import annotations

CARDINALS = {
    w: i
    for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    )
} | {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6,
}
NUMBER_WORDS = CARDINALS | {"a": 1, "an": 1} | {w: n for w, n in ORDINALS.items() if w.isalpha()}
UNIT_SECONDS = {
    "second": 1, "seconds": 1, "sec": 1, "secs": 1,
    "minute": 60, "minutes": 60, "min": 60, "mins": 60,
    "hour": 3600, "hours": 3600,
}


def parse_number(text: str) -> int | None:
    """"three", "twenty five", "third", "3" -> int; anything else None."""
    words = text.split()
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    if len(words) > 1 and {"a", "an"} & set(words):
        return None  # "a" is one only on its own: "a one minute" is not two minutes
    total = 0
    for word in words:
        if word == "and":
            continue
        if word not in NUMBER_WORDS:
            return None
        total += NUMBER_WORDS[word]
    return total if words else None


def parse_duration(text: str) -> str | None:
    """Spoken durations to ISO-8601 as AMAZON.DURATION sends them: "two minute" -> "PT2M".

    Handles sequences like "one hour and ten minutes", "ninety seconds", "a minute and a half" and
    "half a minute".
    """
    seconds = duration_seconds(text)
    if seconds is None:
        return None
    return iso_duration(seconds)


def duration_seconds(text: str) -> int | None:
    """The length a spoken duration names, in whole seconds, or None when it names none."""
    words = [w for w in text.split() if w != "and"]
    if words[:1] == ["for"]:
        words = words[1:]
    if words[:1] == ["half"] and len(words) == 3 and words[2] in UNIT_SECONDS:
        words = ["zero", words[2], "a", "half"]
    seconds = 0.0
    number: list[str] = []
    last_unit: int | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if word in UNIT_SECONDS:
            amount = parse_number(" ".join(number)) if number else None
            if amount is None:
                return None
            last_unit = UNIT_SECONDS[word]
            seconds += amount * last_unit
            number = []
        elif words[i : i + 2] == ["a", "half"] and last_unit and not number:
            seconds += last_unit / 2
            i += 1
        else:
            number.append(word)
        i += 1
    if number or last_unit is None:
        return None
    return int(round(seconds))


def iso_duration(seconds: int) -> str:
    """Whole seconds as the ISO-8601 duration Alexa's DURATION slot would send: 90 -> "PT1M30S"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    iso = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return iso if iso != "PT" else "PT0S"


def find_duration(words: list[str]) -> str | None:
    """The first duration inside a sentence: "time us for a minute and a half please" -> "PT1M30S"."""
    for end in range(len(words), 0, -1):
        if words[end - 1] not in UNIT_SECONDS and words[end - 1] != "half":
            continue
        for start in range(end):
            found = parse_duration(" ".join(words[start:end]))
            if found is not None:
                return found
    return None
