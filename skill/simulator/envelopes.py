"""Alexa request envelopes, shaped like the ones a real Echo sends (version 1.0).

Shared by the simulator and the tests so both exercise the same wire format the SDK parses.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from skill.simulator.nlu import IntentMatch

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000c0a7"


def _id(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4()}"


def now_timestamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Device:
    """The Echo the user talks to: its id, what it supports and the Alexa API it may call."""

    device_id: str = field(default_factory=lambda: _id("amzn1.ask.device"))
    supported_interfaces: dict[str, Any] = field(default_factory=dict)
    api_endpoint: str = "https://api.amazonalexa.com"
    api_access_token: str = "simulated-access-token"
    timezone: str = "UTC"
    # What a device with a screen reports in context.Viewport (shape, size, mode); None without one.
    viewport: dict[str, Any] | None = None


APL_MAX_VERSION = "2023.3"


def echo_show() -> Device:
    """An Echo Show 8 (landscape hub, 1280x800 dp): renders APL and says so in supportedInterfaces."""
    return Device(supported_interfaces={"Alexa.Presentation.APL": {"runtime": {"maxVersion": APL_MAX_VERSION}}},
                  viewport=_viewport("RECTANGLE", "HUB", 1280, 800, 160))


def echo_spot() -> Device:
    """The small round hub (Echo Spot): the smallest screen the skill supports."""
    return Device(supported_interfaces={"Alexa.Presentation.APL": {"runtime": {"maxVersion": APL_MAX_VERSION}}},
                  viewport=_viewport("ROUND", "HUB", 480, 480, 160))


def fire_tv() -> Device:
    """A Fire TV: a 960x540 dp TV viewport, no touch (the remote selects buttons)."""
    return Device(supported_interfaces={"Alexa.Presentation.APL": {"runtime": {"maxVersion": APL_MAX_VERSION}}},
                  viewport=_viewport("RECTANGLE", "TV", 1920, 1080, 320, touch=False))


def echo_dot() -> Device:
    """A speaker without a screen: no APL interface, no viewport."""
    return Device()


DEVICES = {"show": echo_show, "spot": echo_spot, "tv": fire_tv, "dot": echo_dot}


def _viewport(shape: str, mode: str, width: int, height: int, dpi: int, *, touch: bool = True) -> dict[str, Any]:
    return {"experiences": [{"arcMinuteWidth": 246, "arcMinuteHeight": 144, "canRotate": False, "canResize": False}],
            "mode": mode, "shape": shape, "pixelWidth": width, "pixelHeight": height, "dpi": dpi,
            "currentPixelWidth": width, "currentPixelHeight": height,
            "touch": ["SINGLE"] if touch else [], "keyboard": [] if touch else ["DIRECTION"],
            "video": {"codecs": ["H_264_42", "H_264_41"]}}


@dataclass
class Session:
    """One Alexa session: its id, whether the next request is its first, and its attributes."""

    user_id: str
    skill_id: str = DEFAULT_SKILL_ID
    session_id: str = field(default_factory=lambda: _id("amzn1.echo-api.session"))
    new: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)
    permissions_consent_token: str | None = None
    # Per-scope grants as Alexa reports them, e.g. {"alexa::alerts:timers:skill:readwrite": "GRANTED"}.
    permission_scopes: dict[str, str] = field(default_factory=dict)


def _permissions(consent_token: str | None, scopes: dict[str, str]) -> dict[str, Any] | None:
    if not consent_token and not scopes:
        return None
    permissions: dict[str, Any] = {}
    if consent_token:
        permissions["consentToken"] = consent_token
    if scopes:
        permissions["scopes"] = {scope: {"status": status} for scope, status in scopes.items()}
    return permissions


def _system(session: Session | None, device: Device, user_id: str, skill_id: str,
            consent_token: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"userId": user_id}
    permissions = _permissions(consent_token, session.permission_scopes if session else {})
    if permissions:
        user["permissions"] = permissions
    return {
        "application": {"applicationId": skill_id},
        "user": user,
        "device": {"deviceId": device.device_id, "supportedInterfaces": device.supported_interfaces},
        "apiEndpoint": device.api_endpoint,
        "apiAccessToken": device.api_access_token,
    }


def envelope(request: dict[str, Any], device: Device, *, session: Session | None = None,
             user_id: str | None = None, skill_id: str = DEFAULT_SKILL_ID, locale: str = "en-US",
             now: datetime | None = None) -> dict[str, Any]:
    """Wrap a request body; without ``session`` it is a sessionless event (e.g. SkillDisabled)."""
    user = session.user_id if session else (user_id or _id("amzn1.ask.account"))
    skill = session.skill_id if session else skill_id
    consent = session.permissions_consent_token if session else None
    request = {"requestId": _id("amzn1.echo-api.request"), "timestamp": now_timestamp(now), "locale": locale,
               **request}
    body: dict[str, Any] = {
        "version": "1.0",
        "context": {"System": _system(session, device, user, skill, consent)},
        "request": request,
    }
    if device.viewport is not None:
        body["context"]["Viewport"] = device.viewport
    if session is not None:
        body["session"] = {
            "new": session.new,
            "sessionId": session.session_id,
            "application": {"applicationId": skill},
            "attributes": dict(session.attributes),
            "user": {"userId": user, **({"permissions": {"consentToken": consent}} if consent else {})},
        }
    return body


def launch_request() -> dict[str, Any]:
    return {"type": "LaunchRequest"}


def intent_request(match: IntentMatch) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for name, fill in match.slots.items():
        slot: dict[str, Any] = {"name": name, "value": fill.value, "confirmationStatus": "NONE"}
        if fill.custom:
            authority = f"amzn1.er-authority.echo-sdk.{DEFAULT_SKILL_ID}.{fill.type}"
            if fill.resolved_id:
                resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_MATCH"},
                              "values": [{"value": {"name": fill.resolved_name, "id": fill.resolved_id}}]}
            else:
                resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}
            slot["resolutions"] = {"resolutionsPerAuthority": [resolution]}
        slots[name] = slot
    return {"type": "IntentRequest", "dialogState": "STARTED",
            "intent": {"name": match.intent, "confirmationStatus": "NONE", "slots": slots}}


def user_event(arguments: list[Any], token: str = "") -> dict[str, Any]:
    """A touch on an APL screen: what a SendEvent command sends, with the document's token."""
    return {"type": "Alexa.Presentation.APL.UserEvent", "token": token, "arguments": arguments,
            "source": {"type": "TouchWrapper", "handler": "Press", "id": ""}, "components": {}}


def session_ended_request(reason: str = "USER_INITIATED") -> dict[str, Any]:
    return {"type": "SessionEndedRequest", "reason": reason}


def connections_response(name: str, status: str, token: str, permission_scope: str) -> dict[str, Any]:
    """Alexa's answer to a Connections.SendRequest AskFor: what the user said to the permission question."""
    return {"type": "Connections.Response", "name": name, "token": token,
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": permission_scope, "status": status}}
