"""A local stand-in for the Alexa Timers API, over real HTTPS on loopback, that "rings".

The skill's Timers code runs unchanged against it: the simulator puts this server's address in
``context.System.apiEndpoint`` and the skill's API client trusts the certificate generated here
at start (a throwaway CA plus a server certificate for 127.0.0.1, made with ``cryptography``),
because ask-sdk-core refuses plain http and TLS verification must stay on.

It keeps its own clock so a two-minute session can be fast-forwarded (``advance``) and the
simulator's request timestamps follow the same clock. When a timer's time comes it "rings": the
ANNOUNCE text goes to ``on_ring`` and the timer is gone, as on a real device. It can also act out
the failures the skill must survive: permission not granted (401), a forbidden scope (403), a
server error (500) and a slow answer (a timeout for the skill).
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import re
import ssl
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from skill.practice import MAX_SECONDS, check_length, iso_duration

RingCallback = Callable[["EmulatedTimer"], None]
_TIMER_PATH = re.compile(r"^/v1/alerts/timers(?:/(?P<id>[^/]+)(?:/(?P<action>pause|resume))?)?/?$")


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# The service's limit: ten timers, the skill's and the owner's own together.
MAX_TIMERS = 10


@dataclass
class EmulatedTimer:
    """One timer as the emulated service holds it; ``request`` is the JSON the skill sent."""

    id: str
    label: str
    seconds: int
    created: datetime.datetime
    trigger: datetime.datetime
    request: dict[str, Any]
    paused_remaining: float | None = None

    @property
    def announce_text(self) -> str:
        operation = (self.request.get("triggeringBehavior") or {}).get("operation") or {}
        texts = operation.get("textToAnnounce") or [{}]
        return texts[0].get("text", "")

    def as_json(self, now: datetime.datetime) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "status": "PAUSED" if self.paused_remaining is not None else "ON",
            "duration": self.request.get("duration"),
            "timerLabel": self.label,
            "createdTime": _iso(self.created),
            "updatedTime": _iso(now),
        }
        if self.paused_remaining is None:
            body["triggerTime"] = _iso(self.trigger)
        else:
            body["remainingTimeWhenPaused"] = iso_duration(round(self.paused_remaining))
        return body


@dataclass
class Certificates:
    """A CA the simulator trusts and a server certificate for 127.0.0.1 signed by it."""

    directory: Path
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_certificates(directory: Path) -> Certificates:
    """Generate a short-lived CA and server certificate; nothing is fetched, nothing is reused."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cat Harness Coach simulator CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files = Certificates(directory, directory / "ca.pem", directory / "server.pem", directory / "server.key")
    files.ca_file.write_bytes(ca_cert.public_bytes(pem))
    files.cert_file.write_bytes(cert.public_bytes(pem))
    files.key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    return files


class TimersApiEmulator:
    """The Timers API for one simulated household: start it, point requests at ``endpoint``.

    ``granted``: whether the user's grant of the timers permission is in effect (else 401).
    ``fault``: None, an HTTP status to answer every call with (403, 500, 504...), or "timeout".
    ``ring_in_real_time``: a background thread rings timers as real time passes. Tests instead
    use ``manual_clock``: time stands still (on a whole second) until ``advance`` moves it, so
    every duration and every ring is exact.
    """

    def __init__(self, *, granted: bool = True, on_ring: RingCallback | None = None,
                 ring_in_real_time: bool = True, slow_seconds: float = 5.0, manual_clock: bool = False) -> None:
        self.granted = granted
        self.fault: int | str | None = None
        self.slow_seconds = slow_seconds
        self.on_ring = on_ring
        self.ring_in_real_time = ring_in_real_time and not manual_clock
        self.timers: dict[str, EmulatedTimer] = {}
        # Timers the owner set outside the skill ("Alexa, set a pasta timer"): they count towards
        # the device's limit but are never listed to the skill.
        self.personal_timers = 0
        self.max_timers = MAX_TIMERS
        self.rung: list[EmulatedTimer] = []
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []
        self._offset = datetime.timedelta()
        self._frozen_at = (datetime.datetime.now(datetime.UTC).replace(microsecond=0) if manual_clock else None)
        self._lock = threading.RLock()
        # Calls still being answered; a slow one (``fault="timeout"``) completes after its client gave up.
        self._answering = 0
        self._answered = threading.Condition()
        self._stopped = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.certificates: Certificates | None = None

    # -- clock ---------------------------------------------------------------------------------
    def now(self) -> datetime.datetime:
        with self._lock:
            return (self._frozen_at or datetime.datetime.now(datetime.UTC)) + self._offset

    def advance(self, seconds: float) -> list[EmulatedTimer]:
        """Fast-forward the clock (for the simulator and tests) and ring whatever came due."""
        with self._lock:
            self._offset += datetime.timedelta(seconds=seconds)
        return self.ring_due()

    def ring_due(self) -> list[EmulatedTimer]:
        now = self.now()
        with self._lock:
            due = [t for t in self.timers.values() if t.paused_remaining is None and t.trigger <= now]
            for timer in due:
                del self.timers[timer.id]
                self.rung.append(timer)
        for timer in sorted(due, key=lambda t: t.trigger):
            if self.on_ring:
                self.on_ring(timer)
        return due

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def ca_file(self) -> Path:
        if self.certificates is None:
            raise RuntimeError("emulator not started")
        return self.certificates.ca_file

    def start(self) -> TimersApiEmulator:
        self._tmp = tempfile.TemporaryDirectory(prefix="chc-timers-")
        self.certificates = make_certificates(Path(self._tmp.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificates.cert_file, self.certificates.key_file)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._threads = [threading.Thread(target=server.serve_forever, name="timers-api", daemon=True)]
        if self.ring_in_real_time:
            self._threads.append(threading.Thread(target=self._tick, name="timers-ring", daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> TimersApiEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _tick(self) -> None:
        while not self._stopped.wait(0.2):
            self.ring_due()

    def api_client(self, timeout: float = 2.5):
        """The skill's API client, trusting only this emulator's CA (for the simulator and tests)."""
        from skill.api_client import AlexaApiClient

        return AlexaApiClient(timeout=timeout, verify=self.ca_file)

    def reset(self, *, granted: bool) -> None:
        """A new household: no timers, calls, rings or fault. Waits for calls still being answered
        first, so a timed-out create from before cannot add a timer afterwards."""
        with self._answered:
            self._answered.wait_for(lambda: self._answering == 0, timeout=self.slow_seconds * 2)
        with self._lock:
            self.timers.clear()
            self.rung.clear()
            self.calls.clear()
            self.fault = None
            self.personal_timers = 0
            self.granted = granted

    # -- the API -------------------------------------------------------------------------------
    def handle(self, method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None,
               ) -> tuple[int, dict[str, Any] | None]:
        """One API call: (status, JSON body). Runs on the server thread."""
        with self._answered:
            self._answering += 1
        try:
            return self._answer(method, path, headers, body)
        finally:
            with self._answered:
                self._answering -= 1
                self._answered.notify_all()

    def _answer(self, method: str, path: str, headers: dict[str, str], body: dict[str, Any] | None,
                ) -> tuple[int, dict[str, Any] | None]:
        self.calls.append((method, path, body))
        if self.fault == "timeout":
            time.sleep(self.slow_seconds)
        elif isinstance(self.fault, int):
            return self.fault, {"code": "SIMULATED_FAULT", "message": f"simulated HTTP {self.fault}"}
        if not headers.get("authorization", "").startswith("Bearer ") or not self.granted:
            return 401, {"code": "UNAUTHORIZED", "message": "timers permission not granted"}
        found = _TIMER_PATH.match(path)
        if not found:
            return 404, {"code": "NOT_FOUND", "message": "no such resource"}
        timer_id, action = found["id"], found["action"]
        now = self.now()
        with self._lock:
            if timer_id is None:
                if method == "POST":
                    return self._create(body or {}, now)
                if method == "GET":
                    timers = [t.as_json(now) for t in self.timers.values()]
                    return 200, {"totalCount": len(timers), "timers": timers}
                if method == "DELETE":
                    self.timers.clear()
                    return 200, None
                return 405, {"code": "METHOD_NOT_ALLOWED", "message": method}
            timer = self.timers.get(timer_id)
            if timer is None:
                return 404, {"code": "TIMER_NOT_FOUND", "message": "Timer not found"}
            if action == "pause" and method == "POST":
                if timer.paused_remaining is None:
                    timer.paused_remaining = max(0.0, (timer.trigger - now).total_seconds())
                return 200, None
            if action == "resume" and method == "POST":
                if timer.paused_remaining is not None:
                    timer.trigger = now + datetime.timedelta(seconds=timer.paused_remaining)
                    timer.paused_remaining = None
                return 200, None
            if action is None and method == "GET":
                return 200, timer.as_json(now)
            if action is None and method == "DELETE":
                del self.timers[timer_id]
                return 200, None
        return 405, {"code": "METHOD_NOT_ALLOWED", "message": method}

    def _create(self, body: dict[str, Any], now: datetime.datetime) -> tuple[int, dict[str, Any]]:
        """Validate as the real service does: ISO-8601 duration up to two hours, a unique label, an
        operation, and at most ten timers on the account (skill and personal timers together)."""
        check = check_length(body.get("duration"))
        label = body.get("timerLabel") or ""
        operation = ((body.get("triggeringBehavior") or {}).get("operation") or {})
        problems = []
        if not check.ok or (check.seconds or 0) > MAX_SECONDS:
            problems.append(f"invalid duration {body.get('duration')!r}")
        if len(label) > 256:
            problems.append("timerLabel longer than 256 characters")
        if operation.get("type") not in {"ANNOUNCE", "NOTIFY_ONLY", "LAUNCH_TASK"}:
            problems.append("unknown operation type")
        if operation.get("type") == "ANNOUNCE":
            texts = operation.get("textToAnnounce") or []
            if not texts or not all(t.get("locale") and t.get("text") for t in texts):
                problems.append("ANNOUNCE needs textToAnnounce with locale and text")
        if problems:
            return 400, {"code": "INVALID_REQUEST", "message": "; ".join(problems)}
        if label and any(t.label == label for t in self.timers.values()):
            return 400, {"code": "DUPLICATE_TIMER_LABEL", "message": f"a timer labelled {label!r} exists"}
        if len(self.timers) + self.personal_timers >= self.max_timers:
            return 400, {"code": "MAX_TIMERS_EXCEEDED", "message": f"at most {self.max_timers} timers"}
        seconds = check.seconds or 0
        timer = EmulatedTimer(
            id=str(uuid.uuid4()), label=label, seconds=seconds, created=now,
            trigger=now + datetime.timedelta(seconds=seconds), request=body,
        )
        self.timers[timer.id] = timer
        return 200, timer.as_json(now)


def _handler_for(emulator: TimersApiEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = emulator.handle(self.command, self.path.split("?")[0], headers, body)
            payload = json.dumps(answer).encode() if answer is not None else b""
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # the client gave up waiting (the timeout case): nobody left to answer

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler
