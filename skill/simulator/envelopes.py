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


def session_ended_request(reason: str = "USER_INITIATED") -> dict[str, Any]:
    return {"type": "SessionEndedRequest", "reason": reason}


def connections_response(name: str, status: str, token: str, permission_scope: str) -> dict[str, Any]:
    """Alexa's answer to a Connections.SendRequest AskFor: what the user said to the permission question."""
    return {"type": "Connections.Response", "name": name, "token": token,
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": permission_scope, "status": status}}
