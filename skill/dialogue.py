"""The turn-to-turn memory of one Alexa session, and how a Reply becomes an Alexa response.

Everything the skill needs between turns of one conversation (where in the steps the user is,
what "more" or "yes" would continue, what "repeat" should replay) lives in session attributes,
so nothing here touches the database. ``respond`` is the single place that enforces the voice
rules every answer must follow: a reprompt whenever the session stays open, a card with the
full text, and a remembered copy for AMAZON.RepeatIntent.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from skill import speech

SKILL_NAME = "Cat Harness Coach"
DEFAULT_REPROMPT = "What would you like to know? You can say help to hear what I can do."


class Screen:
    """Which screen goes with a reply on a device with a display: a view and what it shows.

    Only names and ids (``Screen("step", "2")``), so it is cheap to build on every turn, fits in the
    "repeat" copy, and the APL code in ``skill.screens`` is loaded only when a device can show it.
    A plain class rather than a dataclass: generating a dataclass's methods costs every cold start
    about 3 million instructions (0.25% of the budget; bench/cold_start.py).
    """

    __slots__ = ("view", "ref")

    def __init__(self, view: str, ref: str = "") -> None:
        self.view = view
        self.ref = ref

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Screen) and (self.view, self.ref) == (other.view, other.ref)

    def __hash__(self) -> int:
        return hash((self.view, self.ref))

    def __repr__(self) -> str:
        return f"Screen({self.view!r}, {self.ref!r})"

    def to_dict(self) -> dict[str, str]:
        return {"view": self.view, "ref": self.ref}


@dataclass
class Reply:
    """What to say, what to show and whether to keep listening: the output of every handler."""

    speech: str
    reprompt: str | None = None
    card_title: str | None = None
    card_text: str | None = None
    end_session: bool = False
    directives: list[Any] = field(default_factory=list)
    # Whether "repeat" should replay this reply; a pure "say that again" prompt should not be stored.
    remember: bool = True
    screen: Screen | None = None

    @classmethod
    def from_template(
        cls,
        template: str,
        *,
        card_title: str | None = None,
        card_text: str | None = None,
        end_session: bool = False,
        remember: bool = True,
        **context: Any,
    ) -> Reply:
        spoken = speech.render(template, **context)
        return cls(
            speech=spoken.speech,
            reprompt=None if end_session else spoken.reprompt,
            card_title=card_title,
            card_text=card_text,
            end_session=end_session,
            remember=remember,
        )


class SessionState:
    """Typed access to session attributes; tolerant of missing or malformed values from old turns."""

    def __init__(self, attributes: dict[str, Any]) -> None:
        self.attributes = attributes

    @classmethod
    def of(cls, handler_input: HandlerInput) -> SessionState:
        session = handler_input.request_envelope.session
        if session is None:
            return cls({})
        return cls(handler_input.attributes_manager.session_attributes)

    @property
    def step(self) -> int | None:
        value = self.attributes.get("step")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @step.setter
    def step(self, number: int | None) -> None:
        self.attributes["step"] = number

    @property
    def more(self) -> dict[str, Any] | None:
        """The rest of a long answer: ``{"entry": id, "next": chunk index}``."""
        value = self.attributes.get("more")
        if isinstance(value, dict) and isinstance(value.get("entry"), str) and isinstance(value.get("next"), int):
            return value
        return None

    @more.setter
    def more(self, value: dict[str, Any] | None) -> None:
        self.attributes["more"] = value

    @property
    def pending(self) -> str | None:
        """What a yes or no would answer, e.g. ``more`` or ``step:1``."""
        value = self.attributes.get("pending")
        return value if isinstance(value, str) else None

    @pending.setter
    def pending(self, value: str | None) -> None:
        self.attributes["pending"] = value

    @property
    def last(self) -> Reply | None:
        value = self.attributes.get("last")
        if not isinstance(value, dict) or not isinstance(value.get("speech"), str):
            return None
        fields = {k: value.get(k) for k in ("speech", "reprompt", "card_title", "card_text")}
        screen = value.get("screen")
        shown = None
        if isinstance(screen, dict) and isinstance(screen.get("view"), str) and isinstance(screen.get("ref"), str):
            shown = Screen(screen["view"], screen["ref"])
        return Reply(**fields, screen=shown)

    def remember(self, reply: Reply) -> None:
        stored = asdict(reply)
        for key in ("directives", "remember", "end_session"):
            stored.pop(key)
        stored["screen"] = reply.screen.to_dict() if reply.screen is not None else None
        self.attributes["last"] = stored


def respond(handler_input: HandlerInput, reply: Reply) -> Response:
    """Turn a Reply into the Alexa response, applying the rules every turn must follow."""
    builder = handler_input.response_builder
    builder.speak(reply.speech)
    if reply.end_session:
        builder.set_should_end_session(True)
    else:
        reply.reprompt = reply.reprompt or DEFAULT_REPROMPT
        builder.ask(reply.reprompt)
    title = reply.card_title or SKILL_NAME
    text = reply.card_text or speech.plain_text(reply.speech)
    builder.set_card(SimpleCard(title=title, content=text))
    for directive in reply.directives:
        builder.add_directive(directive)
    if reply.screen is not None and has_screen(handler_input):
        from skill import screens  # here, not at the top: a device without a screen never loads APL code

        builder.add_directive(screens.render(handler_input, reply.screen))
    state = SessionState.of(handler_input)
    if reply.remember and not reply.end_session and handler_input.request_envelope.session is not None:
        state.remember(reply)
    return builder.response


def has_screen(handler_input: HandlerInput) -> bool:
    """Whether the device says it renders APL (Echo Show, Fire TV); only then is a screen sent."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    device = getattr(system, "device", None)
    interfaces = getattr(device, "supported_interfaces", None)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def is_one_shot(handler_input: HandlerInput) -> bool:
    """An intent that opens a session ("ask cat harness coach ...") is answered and the session closed."""
    session = handler_input.request_envelope.session
    request = handler_input.request_envelope.request
    return bool(session is not None and session.new and request.object_type == "IntentRequest")
