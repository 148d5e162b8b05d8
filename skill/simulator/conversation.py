"""A conversation with the skill as Alexa would run it: invocations, sessions, attributes, endings.

``Conversation.say("open cat harness coach")`` builds the envelope Alexa would send, calls the
same ``handle_event`` as Lambda, carries session attributes to the next turn, and starts a new
session after the skill ends one. Tests read as the conversation they check.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from skill import permissions
from skill.builder import handle_event
from skill.interaction_model import INVOCATION_NAME
from skill.simulator import envelopes
from skill.simulator.envelopes import Device, Session
from skill.simulator.nlu import IntentMatch, Understanding, normalise
from skill.speech import plain_text

if TYPE_CHECKING:
    from skill.simulator.timers_api import TimersApiEmulator

TIMERS_SCOPE = permissions.TIMERS
# What a user may answer when Alexa asks "Do you give Cat Harness Coach permission to set timers?"
_APPROVE = re.compile(r"^(?:yes|yeah|yep|sure|okay|ok|i approve|approve|i do|go ahead|allow|allow it)(?: please)?$")
_REFUSE = re.compile(r"^(?:no|nope|no thanks|don't|do not|i don't approve|deny|refuse)$")
Handler = Callable[[dict[str, Any]], dict[str, Any]]
RENDER_DOCUMENT = "Alexa.Presentation.APL.RenderDocument"
_OPEN = re.compile(rf"^(?:alexa )?(?:open|launch|start|begin|load|run|talk to|play) {INVOCATION_NAME}$")
_ASK = re.compile(rf"^(?:alexa )?(?:ask|tell|use) {INVOCATION_NAME}(?: (?:to|for|whether|if|that))?(?: (.+))?$")


@dataclass
class Turn:
    """What the user said, what was sent, and what Alexa would say and show."""

    said: str
    request: dict[str, Any] | None
    response: dict[str, Any] | None
    intent: str | None = None
    slots: dict[str, str] = field(default_factory=dict)

    @property
    def _body(self) -> dict[str, Any]:
        return (self.response or {}).get("response") or {}

    @property
    def ssml(self) -> str:
        return (self._body.get("outputSpeech") or {}).get("ssml", "")

    @property
    def speech(self) -> str:
        return plain_text(self.ssml)

    @property
    def reprompt_ssml(self) -> str | None:
        reprompt = self._body.get("reprompt") or {}
        return (reprompt.get("outputSpeech") or {}).get("ssml")

    @property
    def reprompt(self) -> str | None:
        ssml = self.reprompt_ssml
        return plain_text(ssml) if ssml else None

    @property
    def card(self) -> dict[str, Any] | None:
        return self._body.get("card")

    @property
    def directives(self) -> list[dict[str, Any]]:
        return self._body.get("directives") or []

    @property
    def screen(self) -> dict[str, Any] | None:
        """The APL RenderDocument directive sent with this turn: what an Echo Show would show."""
        return next((d for d in self.directives if d.get("type") == RENDER_DOCUMENT), None)

    @property
    def ends_session(self) -> bool:
        return bool(self._body.get("shouldEndSession"))

    @property
    def attributes(self) -> dict[str, Any]:
        return (self.response or {}).get("sessionAttributes") or {}


class Conversation:
    """One user on one device talking to the skill, session after session."""

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        user_id: str | None = None,
        device: Device | None = None,
        locale: str = "en-US",
        understanding: Understanding | None = None,
        timers: TimersApiEmulator | None = None,
    ) -> None:
        """``timers``: a started Timers API emulator; requests then point ``apiEndpoint`` at it,
        carry its clock as their timestamp, and the skill (unless ``handler`` is given) trusts its CA."""
        self.timers = timers
        if handler is None and timers is not None:
            from skill.builder import build_skill

            skill = build_skill(api_client=timers.api_client())
            handler = lambda event: handle_event(event, skill=skill)  # noqa: E731 - a one-line adapter
        self.handler = handler or handle_event
        self.user_id = user_id or f"amzn1.ask.account.{uuid.uuid4()}"
        self.device = device or Device()
        if timers is not None:
            self.device.api_endpoint = timers.endpoint
        self.locale = locale
        self.understanding = understanding or _default_understanding()
        self.session: Session | None = None
        self.history: list[Turn] = []
        self.permissions_consent_token: str | None = None
        self.permission_scopes: dict[str, str] = {}
        # The AskFor directive Alexa is asking the user about, until the user answers it.
        self.permission_question: dict[str, Any] | None = None
        # The RenderDocument on the device's screen: stays until the skill sends another one.
        self.screen_shown: dict[str, Any] | None = None

    def now(self) -> datetime | None:
        return self.timers.now() if self.timers is not None else None

    def grant_timers(self) -> None:
        """The user allowed timers (by voice or in the Alexa app): requests say so, the API agrees."""
        self.permissions_consent_token = self.permissions_consent_token or f"consent.{uuid.uuid4().hex}"
        self.permission_scopes[TIMERS_SCOPE] = "GRANTED"
        if self.session is not None:
            self.session.permissions_consent_token = self.permissions_consent_token
            self.session.permission_scopes = dict(self.permission_scopes)
        if self.timers is not None:
            self.timers.granted = True

    def revoke_timers(self) -> None:
        """The user turned timers off in the Alexa app: the API refuses, even if a request still looks granted."""
        if self.timers is not None:
            self.timers.granted = False

    def answer_permission(self, status: str) -> Turn:
        """The user's answer to Alexa's permission question: ACCEPTED, DENIED or NOT_ANSWERED."""
        question = self.permission_question or {}
        self.permission_question = None
        if status == "ACCEPTED":
            self.grant_timers()
        payload = question.get("payload") or {}
        request = envelopes.connections_response(
            question.get("name", "AskFor"), status, question.get("token", ""),
            payload.get("permissionScope", TIMERS_SCOPE))
        return self.send(request, f"({status.lower().replace('_', ' ')})")

    @property
    def in_session(self) -> bool:
        return self.session is not None

    def _new_session(self) -> Session:
        return Session(user_id=self.user_id, permissions_consent_token=self.permissions_consent_token,
                       permission_scopes=dict(self.permission_scopes))

    def send(self, request: dict[str, Any], said: str = "", match: IntentMatch | None = None) -> Turn:
        """Send a request body in the current session (or a new one) and track what comes back."""
        session = self.session or self._new_session()
        self.session = session
        body = envelopes.envelope(request, self.device, session=session, locale=self.locale, now=self.now())
        response = self.handler(body)
        turn = Turn(said, body, response, match.intent if match else None,
                    {k: v.value for k, v in (match.slots if match else {}).items()})
        self.history.append(turn)
        self.screen_shown = turn.screen or (None if turn.ends_session else self.screen_shown)
        self.permission_question = next(
            (d for d in turn.directives if d.get("type") == "Connections.SendRequest" and d.get("name") == "AskFor"),
            None)
        if request["type"] == "SessionEndedRequest" or turn.ends_session:
            self.session = None
        else:
            session.new = False
            session.attributes = dict(response.get("sessionAttributes") or {})
        return turn

    def send_event(self, request: dict[str, Any]) -> dict[str, Any]:
        """A sessionless event such as AlexaSkillEvent.SkillDisabled."""
        body = envelopes.envelope(request, self.device, user_id=self.user_id, locale=self.locale, now=self.now())
        return self.handler(body)

    def say(self, text: str) -> Turn:
        """What Alexa would do with this sentence: launch, one-shot, or an intent in the open session."""
        said = normalise(text)
        if self.permission_question is not None:
            if _APPROVE.match(said):
                return self.answer_permission("ACCEPTED")
            if _REFUSE.match(said):
                return self.answer_permission("DENIED")
            self.answer_permission("NOT_ANSWERED")
        if _OPEN.match(said):
            self.session = None
            return self.send(envelopes.launch_request(), text)
        asked = _ASK.match(said)
        if asked:
            self.session = None
            if not asked.group(1):
                return self.send(envelopes.launch_request(), text)
            said = asked.group(1)
        elif self.session is None:
            return Turn(text, None, None)
        match = self.understanding.resolve(said)
        return self.send(envelopes.intent_request(match), text, match)

    def tap(self, action: str, value: Any = None) -> Turn:
        """The user touches the screen last shown: ``tap("next")`` a button, ``tap("goto", 3)`` a step marker.

        Only what that screen offers can be touched; anything else gets no response, as on a device.
        """
        said = f"(tap {action}{'' if value is None else f' {value}'})"
        data = ((self.screen_shown or {}).get("datasources") or {}).get("screen") or {}
        if action == "goto":
            offered = any(step.get("number") == value for step in data.get("steps") or [])
            arguments: list[Any] = ["goto", value]
        else:
            offered = any(button.get("action") == action for button in data.get("buttons") or [])
            arguments = ["tap", action]
        if self.session is None or not offered:
            return Turn(said, None, None)
        return self.send(envelopes.user_event(arguments, (self.screen_shown or {}).get("token", "")), said)

    def silence(self) -> Turn:
        """The user said nothing after the reprompt: Alexa closes the session."""
        if self.permission_question is not None:
            return self.answer_permission("NOT_ANSWERED")
        return self.send(envelopes.session_ended_request("EXCEEDED_MAX_REPROMPTS"), "(silence)")


_UNDERSTANDING: Understanding | None = None


def _default_understanding() -> Understanding:
    global _UNDERSTANDING
    if _UNDERSTANDING is None:
        _UNDERSTANDING = Understanding()
    return _UNDERSTANDING
