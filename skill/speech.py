"""SSML from jinja2 templates: one template per kind of reply, with ``speech`` and ``reprompt`` blocks.

Every interpolated value is XML-escaped on the way out (``finalize``), so content and anything a
user said can never break the SSML. The environment is built on first use, not at import, to keep
it off the cold start of requests that never speak.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"
_SPACES = re.compile(r"\s+")
_TAGS = re.compile(r"<[^>]+>")
# Characters XML 1.0 forbids even when escaped (control codes, lone surrogates, U+FFFE/U+FFFF).
# Listed positively: the complement of XML's allowed ranges takes ten times longer to compile,
# and this module is on every cold start.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
WORDS_PER_SECOND = 2.6  # Alexa's default speaking rate, roughly 155 words a minute.


@dataclass(frozen=True)
class Spoken:
    speech: str
    reprompt: str | None


def _escape(value: Any) -> str:
    if value is None or isinstance(value, jinja2.runtime.Undefined):
        return ""
    text = _NOT_XML.sub("", str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(number: int) -> str:
    """Small numbers as words ("step three"), so SSML never depends on how digits are read out."""
    if not 0 <= number < 1000:
        return str(number)
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(number, 100)
    return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        finalize=_escape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["words"] = number_words
    return env


def _block(template: jinja2.Template, name: str, context: dict[str, Any]) -> str | None:
    if name not in template.blocks:
        return None
    text = "".join(template.blocks[name](template.new_context(context)))
    text = _SPACES.sub(" ", text).strip()
    return text or None


def render(name: str, **context: Any) -> Spoken:
    """Render ``templates/<name>.ssml.j2``; the speech block is required, the reprompt optional."""
    template = environment().get_template(f"{name}.ssml.j2")
    speech = _block(template, "speech", context)
    if speech is None:
        raise ValueError(f"template {name} rendered no speech")
    return Spoken(speech=speech, reprompt=_block(template, "reprompt", context))


def plain_text(ssml: str) -> str:
    """What a listener hears, without markup: used for cards, the simulator and length checks."""
    text = _TAGS.sub(" ", ssml)
    return _SPACES.sub(" ", html.unescape(text)).strip()


def seconds_to_say(ssml: str) -> float:
    """Rough speaking time, counting explicit breaks."""
    words = len(plain_text(ssml).split())
    pauses = sum(_break_seconds(m) for m in re.findall(r'<break time="([0-9.]+m?s)"\s*/>', ssml))
    return words / WORDS_PER_SECOND + pauses


def _break_seconds(value: str) -> float:
    return float(value[:-2]) / 1000 if value.endswith("ms") else float(value[:-1])
