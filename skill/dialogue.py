"""The turn-to-turn memory of one Alexa session, and how a Reply becomes an Alexa response.

Everything the skill needs between turns of one conversation (where in the steps the user is,
which question a "yes" or "no" answers, what "repeat" should replay) lives in session attributes,
so nothing here touches the database. ``respond`` is the single place that enforces the voice
rules every answer must follow: a reprompt whenever the session stays open, a card with the
full text (or the permission consent card), a permission request Alexa asks itself, and a copy
kept for AMAZON.RepeatIntent. The Connections model is imported only by a reply that asks for a
permission: it is not on the launch path (tests/test_cold_path.py). The small value types here
are plain classes: they are created on every cold start, where a dataclass costs far more.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import AskForPermissionsConsentCard, SimpleCard

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


class PermissionRequest:
    """A permission Alexa should ask for by voice (Connections.SendRequest AskFor).

    ``token`` comes back in the Connections.Response, so the handler that asked can carry on.
    """

    __slots__ = ("scope", "token")

    def __init__(self, scope: str, token: str) -> None:
        self.scope = scope
        self.token = token


@dataclass
class Reply:
    """What to say, what to show and whether to keep listening: the output of every handler."""

    speech: str
    reprompt: str | None = None
    card_title: str | None = None
    card_text: str | None = None
    end_session: bool = False
    # Whether "repeat" should replay this reply; a pure "say that again" prompt should not be kept.
    repeatable: bool = True
    # Scopes for the Alexa app's consent card, shown instead of the text card.
    consent_card: tuple[str, ...] = ()
    # Alexa asks this permission itself: no reprompt of ours, and the microphone is Alexa's.
    permission_request: PermissionRequest | None = None
    # The guide topic this answers; while a practice runs, some topics end it first
    # (``practice.ending_topics``, checked in ``handlers.base.IntentHandler.handle``).
    topic: str | None = None
    # What a device with a display shows with this reply (see ``Screen``).
    screen: Screen | None = None

    @classmethod
    def from_template(
        cls,
        template: str,
        *,
        card_title: str | None = None,
        card_text: str | None = None,
        end_session: bool = False,
        repeatable: bool = True,
        consent_card: tuple[str, ...] = (),
        permission_request: PermissionRequest | None = None,
        **context: Any,
    ) -> Reply:
        spoken = speech.render(template, **context)
        return cls(
            speech=spoken.speech,
            reprompt=None if end_session or permission_request else spoken.reprompt,
            card_title=card_title,
            card_text=card_text,
            end_session=end_session,
            repeatable=repeatable and permission_request is None,
            consent_card=consent_card,
            permission_request=permission_request,
        )


if TYPE_CHECKING:
    AskKind = Literal["more", "step", "confirm_reset", "confirm_delete", "confirm_add_cat", "confirm_long_practice",
                      "confirm_early_practice", "practice_length", "practice_outcome"]


class Ask:
    """The questions the skill can leave open; the next turn's "yes", "no" or answer is read against one.

    Constants typed as literals rather than an Enum: this module is on every cold start, where an
    Enum of nine members costs about a million instructions.
    """

    MORE: Final = "more"  # "want to hear more?"
    STEP: Final = "step"  # "shall I read step N?" (step)
    CONFIRM_RESET: Final = "confirm_reset"
    CONFIRM_DELETE: Final = "confirm_delete"
    CONFIRM_ADD_CAT: Final = "confirm_add_cat"  # (cat_name)
    CONFIRM_LONG_PRACTICE: Final = "confirm_long_practice"  # (practice_kind, seconds)
    CONFIRM_EARLY_PRACTICE: Final = "confirm_early_practice"  # (practice_kind, seconds)
    PRACTICE_LENGTH: Final = "practice_length"  # (practice_kind)
    PRACTICE_OUTCOME: Final = "practice_outcome"  # (practice_kind, seconds)
    ALL: Final = frozenset({MORE, STEP, CONFIRM_RESET, CONFIRM_DELETE, CONFIRM_ADD_CAT, CONFIRM_LONG_PRACTICE,
                            CONFIRM_EARLY_PRACTICE, PRACTICE_LENGTH, PRACTICE_OUTCOME})

    @staticmethod
    def is_confirmation(ask: AskKind) -> bool:
        """A confirmation stands only for the very next answer: a later stray "yes" changes nothing."""
        return ask.startswith("confirm_")


class Pending:
    """The open question and what answering it needs, kept in session attributes as one small map.

    ``insisted``: the owner already confirmed a practice ahead of the cat's step.
    """

    __slots__ = ("ask", "step", "cat_name", "practice_kind", "seconds", "insisted")

    def __init__(self, ask: AskKind, *, step: int | None = None, cat_name: str | None = None,
                 practice_kind: str | None = None, seconds: int | None = None, insisted: bool = False) -> None:
        self.ask = ask
        self.step = step
        self.cat_name = cat_name
        self.practice_kind = practice_kind
        self.seconds = seconds
        self.insisted = insisted

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pending) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Pending({self.to_dict()!r})"

    def to_dict(self) -> dict[str, Any]:
        fields = {"step": self.step, "cat_name": self.cat_name, "practice_kind": self.practice_kind,
                  "seconds": self.seconds, "insisted": self.insisted or None}
        return {"ask": self.ask, **{key: value for key, value in fields.items() if value is not None}}

    @classmethod
    def from_dict(cls, value: Any) -> Pending | None:
        """Tolerant of anything an older turn (or a tampered session) stored: unusable gives None."""
        if not isinstance(value, dict) or value.get("ask") not in Ask.ALL:
            return None

        def number(key: str) -> int | None:
            found = value.get(key)
            return found if isinstance(found, int) and not isinstance(found, bool) else None

        def text(key: str) -> str | None:
            found = value.get(key)
            return found if isinstance(found, str) else None

        return cls(value["ask"], step=number("step"), cat_name=text("cat_name"),
                   practice_kind=text("practice_kind"), seconds=number("seconds"),
                   insisted=value.get("insisted") is True)


class SessionState:
    """Typed access to session attributes; tolerant of missing or malformed values from old turns."""

    def __init__(self, attributes: dict[str, Any]) -> None:
        self.attributes = attributes

    @classmethod
    def of(cls, handler_input: HandlerInput) -> SessionState:
        session = handler_input.request_envelope.session
        if session is None:
            return cls({})
        attributes = handler_input.attributes_manager.session_attributes
        return cls(attributes if attributes is not None else {})

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
    def pending(self) -> Pending | None:
        """The question a yes, no or answer would respond to."""
        return Pending.from_dict(self.attributes.get("pending"))

    @pending.setter
    def pending(self, value: Pending | None) -> None:
        self.attributes["pending"] = value.to_dict() if value is not None else None

    def asks(self, *kinds: AskKind) -> bool:
        pending = self.pending
        return pending is not None and pending.ask in kinds

    @property
    def practice(self) -> dict[str, Any] | None:
        """The practice being timed in this Alexa session (its fields belong to ``skill.practice``)."""
        value = self.attributes.get("practice")
        return value if isinstance(value, dict) else None

    @practice.setter
    def practice(self, value: dict[str, Any] | None) -> None:
        self.attributes["practice"] = value

    @property
    def last(self) -> Reply | None:
        value = self.attributes.get("last")
        if not isinstance(value, dict) or not isinstance(value.get("speech"), str):
            return None
        def text(key: str) -> str | None:
            found = value.get(key)
            return found if isinstance(found, str) else None

        screen = value.get("screen")
        shown = None
        if isinstance(screen, dict) and isinstance(screen.get("view"), str) and isinstance(screen.get("ref"), str):
            shown = Screen(screen["view"], screen["ref"])
        return Reply(speech=value["speech"], reprompt=text("reprompt"), card_title=text("card_title"),
                     card_text=text("card_text"), screen=shown)

    def keep_for_repeat(self, reply: Reply) -> None:
        self.attributes["last"] = {"speech": reply.speech, "reprompt": reply.reprompt,
                                   "card_title": reply.card_title, "card_text": reply.card_text,
                                   "screen": reply.screen.to_dict() if reply.screen is not None else None}


def respond(handler_input: HandlerInput, reply: Reply) -> Response:
    """Turn a Reply into the Alexa response, applying the rules every turn must follow."""
    builder = handler_input.response_builder
    builder.speak(reply.speech)
    if reply.permission_request is not None:
        from ask_sdk_model.interfaces.connections import SendRequestDirective

        request = reply.permission_request
        builder.add_directive(SendRequestDirective(
            name="AskFor", token=request.token,
            payload={"@type": "AskForPermissionsConsentRequest", "@version": "2",
                     "permissionScope": request.scope}))
    elif reply.end_session:
        builder.set_should_end_session(True)
    else:
        reply.reprompt = reply.reprompt or DEFAULT_REPROMPT
        builder.ask(reply.reprompt)
    if reply.consent_card:
        builder.set_card(AskForPermissionsConsentCard(permissions=list(reply.consent_card)))
    else:
        title = reply.card_title or SKILL_NAME
        text = reply.card_text or speech.plain_text(reply.speech)
        builder.set_card(SimpleCard(title=title, content=text))
    if reply.screen is not None and has_screen(handler_input):
        from skill import screens  # here, not at the top: a device without a screen never loads APL code

        builder.add_directive(screens.render(handler_input, reply.screen))
    state = SessionState.of(handler_input)
    if reply.repeatable and not reply.end_session and handler_input.request_envelope.session is not None:
        state.keep_for_repeat(reply)
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
    return bool(session is not None and session.new and getattr(request, "object_type", None) == "IntentRequest")
