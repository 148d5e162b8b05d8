"""The Flask application that serves the skill to Alexa through flask-ask-sdk's ``SkillAdapter``.

Request path: size limit (413) -> strict UTF-8 JSON object that the SDK can deserialize (400) ->
SkillAdapter runs our verifiers (signature, timestamp, skill ID; any failure is a 400 and the
skill is never invoked, so nothing is stored) -> the skill. One JSON log line per request.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import time
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from ask_sdk_webservice_support.verifier import AbstractVerifier, VerificationException
from flask import Flask, Response, jsonify, request
from flask_ask_sdk.skill_adapter import VERIFY_SIGNATURE_APP_CONFIG, VERIFY_TIMESTAMP_APP_CONFIG, SkillAdapter
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException

from skill.builder import build_skill
from skill.config import Settings
from skill.logs import request_logger, request_summary
from skill.web.verifier import Clock, SignatureVerifier, SkillIdVerifier, TimestampVerifier, utc_now

log = logging.getLogger(__name__)

# Alexa's requests are a few kilobytes; session attributes are the only part that grows.
MAX_BODY_BYTES = 128 * 1024
SKILL_ROUTE = "/"
HEALTH_ROUTE = "/health"


class ConfigurationError(ValueError):
    """The service was asked to start in a way that would leave it unsafe."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings | None = None, *, skill: CustomSkill | None = None,
               signature_verifier: AbstractVerifier | None = None, clock: Clock = utc_now,
               insecure_skip_signature_on_loopback: str | None = None,
               max_body_bytes: int = MAX_BODY_BYTES) -> Flask:
    """Build the web service; ``gunicorn 'skill.web:create_app()'`` calls this with no arguments.

    ``signature_verifier`` replaces the production ``SignatureVerifier`` (tests pass one with a test
    root). ``insecure_skip_signature_on_loopback`` is the development switch: it must name the
    loopback address the server binds to, is logged loudly, and still refuses non-loopback peers.
    """
    settings = settings or Settings.from_env()
    if not settings.skill_id:
        raise ConfigurationError("set SKILL_ID: the web service only answers requests for its own skill")
    skip_signature = insecure_skip_signature_on_loopback is not None
    if skip_signature and not is_loopback(insecure_skip_signature_on_loopback or ""):
        raise ConfigurationError("signature checks may only be skipped when bound to a loopback address")

    skill = skill or build_skill(settings)
    verifiers: list[AbstractVerifier] = []
    if skip_signature:
        log.warning("!!! REQUEST SIGNATURE CHECKS ARE OFF (development, loopback %s only) !!!",
                    insecure_skip_signature_on_loopback)
    else:
        verifiers.append(signature_verifier or SignatureVerifier(clock=clock))
    verifiers += [TimestampVerifier(clock=clock), SkillIdVerifier(settings.skill_id)]

    app = Flask("skill.web")
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    # Our verifiers replace the SDK defaults (certvalidator/oscrypto cannot load on OpenSSL 3.0.10+).
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False
    app.logger.addFilter(_DropSdkVerificationTraceback())
    adapter = SkillAdapter(skill=skill, skill_id=settings.skill_id, verifiers=verifiers, app=app)
    requests_log = request_logger()

    @app.post(SKILL_ROUTE)
    def alexa() -> Response:
        started = time.perf_counter()
        fields: dict[str, Any] = {"signature_check": "SKIPPED-DEV" if skip_signature else "on"}
        try:
            if skip_signature and not is_loopback(request.remote_addr or ""):
                raise Forbidden("development mode only serves loopback clients")
            envelope = _parse_envelope(skill, request.get_data(cache=True))
            fields.update(request_summary(envelope))
            response = adapter.dispatch_request()
            fields.update(status=200, outcome="ok")
            return response
        except HTTPException as error:
            cause = error.__context__
            reason = cause if isinstance(cause, VerificationException) else error.description
            fields.update(status=error.code, outcome="rejected" if (error.code or 500) < 500 else "error",
                          reason=str(reason)[:200])
            raise
        finally:
            fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
            requests_log.info("alexa_request", extra={"fields": fields})

    @app.get(HEALTH_ROUTE)
    def health() -> Response:
        return jsonify(status="ok")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=error.name, status=error.code), error.code or 500

    return app


def _parse_envelope(skill: CustomSkill, body: bytes) -> dict[str, Any]:
    """Reject what the SDK would turn into a 500: bad UTF-8, bad JSON, not an envelope."""
    try:
        text = body.decode("utf-8")
        envelope = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("body is not UTF-8 JSON") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
        raise BadRequest("body is not an Alexa request envelope")
    try:
        parsed = skill.serializer.deserialize(text, RequestEnvelope)
    except Exception:  # noqa: BLE001 - the SDK raises assorted errors for malformed envelopes
        raise BadRequest("body is not an Alexa request envelope") from None
    if not isinstance(parsed, RequestEnvelope) or parsed.request is None:
        raise BadRequest("body is not an Alexa request envelope")
    return envelope


class _DropSdkVerificationTraceback(logging.Filter):
    """flask-ask-sdk logs every failed verification with a traceback; our JSON line already says why."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Request verification failed"
