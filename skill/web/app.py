"""The Flask application that serves the skill to Alexa through flask-ask-sdk's ``SkillAdapter``.

The adapter hosts the route; its dispatch is the skill's own request path (``builder.dispatch``),
so the web service has the same bounds, parse and skill-ID guard as Lambda, plus the verifiers
(signature, timestamp). Here only the transport differs: a body over the size bound is a 413
(read at most one byte past it, chunked or not), every other refusal a 400, and the skill is never
invoked for them, so nothing is stored. One JSON log line per request.
"""
from __future__ import annotations

import ipaddress
import logging
import time
from typing import Any

from ask_sdk_core.skill import CustomSkill
from ask_sdk_webservice_support.verifier import AbstractVerifier
from flask import Flask, Response, jsonify, request
from flask_ask_sdk.skill_adapter import VERIFY_SIGNATURE_APP_CONFIG, VERIFY_TIMESTAMP_APP_CONFIG, SkillAdapter
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, RequestEntityTooLarge

from skill.builder import MAX_REQUEST_BYTES, Refused, build_skill, dispatch
from skill.config import Settings
from skill.logs import request_logger, request_summary
from skill.web.verifier import Clock, SignatureVerifier, TimestampVerifier, utc_now

log = logging.getLogger(__name__)

MAX_BODY_BYTES = MAX_REQUEST_BYTES
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
    verifiers.append(TimestampVerifier(clock=clock))

    app = Flask("skill.web")
    # Our verifiers replace the SDK defaults (certvalidator/oscrypto cannot load on OpenSSL 3.0.10+).
    app.config[VERIFY_SIGNATURE_APP_CONFIG] = False
    app.config[VERIFY_TIMESTAMP_APP_CONFIG] = False
    adapter = RequestPathAdapter(skill=skill, skill_id=settings.skill_id, verifiers=verifiers, app=app,
                                 max_body_bytes=max_body_bytes)
    requests_log = request_logger()

    @app.post(SKILL_ROUTE)
    def alexa() -> Response:
        started = time.perf_counter()
        fields: dict[str, Any] = {"signature_check": "SKIPPED-DEV" if skip_signature else "on"}
        try:
            if skip_signature and not is_loopback(request.remote_addr or ""):
                raise Forbidden("development mode only serves loopback clients")
            response = adapter.dispatch_request(fields)
            fields.update(status=200, outcome="ok")
            return response
        except HTTPException as error:
            fields.update(status=error.code, outcome="rejected" if (error.code or 500) < 500 else "error",
                          reason=str(error.description)[:200])
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


class RequestPathAdapter(SkillAdapter):
    """flask-ask-sdk's adapter, dispatching through the skill's one request path (``builder.dispatch``)."""

    def __init__(self, *, skill: CustomSkill, skill_id: str, verifiers: list[AbstractVerifier], app: Flask,
                 max_body_bytes: int) -> None:
        super().__init__(skill=skill, skill_id=skill_id, verifiers=verifiers, app=app)
        self.path_skill = skill
        self.path_verifiers = list(verifiers)
        self.max_body_bytes = max_body_bytes

    def dispatch_request(self, fields: dict[str, Any] | None = None) -> Response:
        """Run the request through the skill; ``fields`` (the request log line) gets its ids."""
        fields = {} if fields is None else fields
        body = request.stream.read(self.max_body_bytes + 1)
        if len(body) > self.max_body_bytes:
            raise RequestEntityTooLarge(f"request body over {self.max_body_bytes} bytes")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("body is not UTF-8") from None
        try:
            envelope, answer = dispatch(self.path_skill, text, headers=dict(request.headers),
                                        verifiers=self.path_verifiers)
        except Refused as refusal:
            if refusal.kind == "too_large":
                raise RequestEntityTooLarge(refusal.reason) from None
            raise BadRequest(refusal.reason) from None
        fields.update(request_summary(envelope))
        return jsonify(answer)
