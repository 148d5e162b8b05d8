"""The checks Alexa requires of a skill hosted as a web service, as SDK ``AbstractVerifier`` plug-ins.

* ``SignatureVerifier``: the ``SignatureCertChainUrl`` must be https://s3.amazonaws.com[:443]/echo.api/...
  (after normalising the path); the chain it names must validate to a trusted root at the current
  time with the literal SAN ``echo-api.amazon.com`` (a wildcard such as ``*.amazon.com`` is not enough,
  as Alexa's reference verifier requires); and ``Signature-256`` must be an RSA PKCS#1 v1.5 SHA-256
  signature of the raw body by that certificate. Path validation is ``cryptography``'s own
  (``x509.verification``), not certvalidator/oscrypto, which cannot load on current OpenSSL.
* ``TimestampVerifier``: the request timestamp within 150 s of now (skill events: one hour).

Every failure raises the SDK's ``VerificationException``, which flask-ask-sdk turns into a 400.
A chain URL that failed (fetch or validation) is remembered for ``NEGATIVE_CACHE_SECONDS`` and
fetches are capped at ``MAX_FETCHES_PER_MINUTE``, so forged headers cannot make the service a
fetching proxy.
Tests reach a local chain URL and a test root only through constructor arguments.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import posixpath
import ssl
import threading
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ask_sdk_model import RequestEnvelope
from ask_sdk_webservice_support.verifier import AbstractVerifier, VerificationException
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import DNSName, PolicyBuilder, Store, VerificationError

from skill.logs import event

log = logging.getLogger(__name__)

CERT_CHAIN_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_256_HEADER = "Signature-256"
ALEXA_CERT_HOST = "s3.amazonaws.com"
ALEXA_CERT_PATH_PREFIX = "/echo.api/"
ALEXA_SIGNING_SAN = "echo-api.amazon.com"
REQUEST_TOLERANCE = dt.timedelta(seconds=150)
SKILL_EVENT_TOLERANCE = dt.timedelta(hours=1)
SKILL_EVENT_TYPES = frozenset({
    "AlexaSkillEvent.SkillEnabled", "AlexaSkillEvent.SkillDisabled", "AlexaSkillEvent.SkillPermissionChanged",
    "AlexaSkillEvent.SkillPermissionAccepted", "AlexaSkillEvent.SkillAccountLinked",
})
MAX_CHAIN_BYTES = 64 * 1024
FETCH_TIMEOUT_SECONDS = 5.0
MAX_CACHE_AGE = dt.timedelta(hours=24)
MAX_CACHED_CHAINS = 16
NEGATIVE_CACHE_SECONDS = 60.0
MAX_FETCHES_PER_MINUTE = 10

Clock = Callable[[], dt.datetime]
Fetch = Callable[[str], bytes]
UrlPolicy = Callable[[str], str]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    """Header lookup that ignores case whatever mapping the web framework hands over."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def alexa_cert_chain_url(url: str) -> str:
    """The canonical chain URL if ``url`` is one Alexa may sign with, else VerificationException.

    Per Alexa: https only, host s3.amazonaws.com (case-insensitive), port 443 if given, and a path
    that still starts with /echo.api/ (case-sensitive) once percent-escapes and dot segments are
    resolved, so /echo.api/../x is refused. The normalised URL is what gets fetched and cached.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise VerificationException(f"unparseable certificate chain URL: {error}") from None
    if parts.scheme.lower() != "https":
        raise VerificationException("certificate chain URL must use https")
    if (parts.hostname or "").lower() != ALEXA_CERT_HOST or parts.username or parts.password:
        raise VerificationException("certificate chain URL must be on s3.amazonaws.com")
    if port not in (None, 443):
        raise VerificationException("certificate chain URL must use port 443")
    path = unquote(parts.path)
    normalised = posixpath.normpath(path) if path else ""
    if path.endswith("/") and normalised != "/":
        normalised += "/"
    if not normalised.startswith(ALEXA_CERT_PATH_PREFIX) or "\\" in path:
        raise VerificationException("certificate chain URL path must be under /echo.api/")
    return f"https://{ALEXA_CERT_HOST}{normalised}"


def _system_trust_roots() -> list[x509.Certificate]:
    """Public roots from certifi when installed, else the operating system's bundle."""
    candidates: list[str] = []
    try:
        import certifi

        candidates.append(certifi.where())
    except ImportError:
        pass
    candidates.append(ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt")
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return x509.load_pem_x509_certificates(path.read_bytes())
    raise RuntimeError("no CA bundle found to verify Alexa's signing certificate (install certifi)")


def fetch_chain(url: str) -> bytes:
    """Download a PEM chain with TLS verification, a timeout and a size cap."""
    request = urllib.request.Request(url, headers={"User-Agent": "cat-harness-coach-verifier"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
        data = response.read(MAX_CHAIN_BYTES + 1)
    if len(data) > MAX_CHAIN_BYTES:
        raise VerificationException("certificate chain is implausibly large")
    return data


@dataclass(frozen=True)
class _CachedSigner:
    """A chain that validated: the leaf's key, usable until the earliest expiry in the chain."""

    public_key: rsa.RSAPublicKey
    usable_from: dt.datetime
    usable_until: dt.datetime


class SignatureVerifier(AbstractVerifier):
    """Checks ``Signature-256`` and the certificate chain behind it (see module docstring).

    ``trust_roots``, ``url_policy`` and ``fetch`` default to production behaviour; tests inject a
    test root and a policy that also admits their local chain URL. There is no switch that skips
    a check.
    """

    def __init__(self, *, trust_roots: Iterable[x509.Certificate] | None = None, url_policy: UrlPolicy = alexa_cert_chain_url,
                 fetch: Fetch = fetch_chain, clock: Clock = utc_now,
                 max_fetches_per_minute: int = MAX_FETCHES_PER_MINUTE,
                 negative_cache_seconds: float = NEGATIVE_CACHE_SECONDS) -> None:
        roots = list(trust_roots) if trust_roots is not None else _system_trust_roots()
        if not roots:
            raise ValueError("SignatureVerifier needs at least one trust root")
        self._store = Store(roots)
        self._url_policy = url_policy
        self._fetch = fetch
        self._clock = clock
        self._max_fetches = max_fetches_per_minute
        self._negative_ttl = dt.timedelta(seconds=negative_cache_seconds)
        self._cache: dict[str, _CachedSigner] = {}
        self._failed: dict[str, dt.datetime] = {}
        self._fetched_at: list[dt.datetime] = []
        self._lock = threading.Lock()

    def verify(self, headers: Mapping[str, Any], serialized_request_env: str,
               deserialized_request_env: RequestEnvelope | None) -> None:
        chain_url = _header(headers, CERT_CHAIN_URL_HEADER)
        signature_b64 = _header(headers, SIGNATURE_256_HEADER)
        if not chain_url or not signature_b64:
            raise VerificationException("missing SignatureCertChainUrl or Signature-256 header")
        try:
            signature = base64.b64decode(signature_b64, validate=True)
        except (binascii.Error, ValueError):
            raise VerificationException("Signature-256 is not base64") from None
        signer = self._signer(self._url_policy(chain_url))
        try:
            signer.public_key.verify(signature, serialized_request_env.encode("utf-8"), padding.PKCS1v15(),
                                     hashes.SHA256())
        except InvalidSignature:
            raise VerificationException("request body does not match Signature-256") from None

    def _signer(self, url: str) -> _CachedSigner:
        now = self._clock()
        with self._lock:
            cached = self._cache.get(url)
            if cached and cached.usable_from <= now <= cached.usable_until:
                return cached
            failed_at = self._failed.get(url)
            if failed_at is not None and now - failed_at < self._negative_ttl:
                raise VerificationException("certificate chain failed recently")
            self._fetched_at = [at for at in self._fetched_at if now - at < dt.timedelta(minutes=1)]
            if len(self._fetched_at) >= self._max_fetches:
                raise VerificationException("too many certificate chain fetches this minute")
            self._fetched_at.append(now)
        try:
            signer = self._validate(self._download(url), now)
        except VerificationException:
            with self._lock:
                _remember(self._failed, url, now)
            raise
        with self._lock:
            self._failed.pop(url, None)
            _remember(self._cache, url, signer)
        return signer

    def _download(self, url: str) -> bytes:
        try:
            return self._fetch(url)
        except VerificationException:
            raise
        except Exception as error:  # noqa: BLE001 - any fetch failure means the request cannot be trusted
            event(log, logging.WARNING, "certificate_chain_fetch_failed", url=url, error=error)
            raise VerificationException("certificate chain could not be fetched") from None

    def _validate(self, chain_pem: bytes, now: dt.datetime) -> _CachedSigner:
        try:
            certificates = x509.load_pem_x509_certificates(chain_pem)
        except ValueError:
            raise VerificationException("certificate chain is not PEM") from None
        leaf, intermediates = certificates[0], certificates[1:]
        verifier = (PolicyBuilder().store(self._store).time(now)
                    .build_server_verifier(DNSName(ALEXA_SIGNING_SAN)))
        try:
            path = verifier.verify(leaf, intermediates)
        except VerificationError as error:
            raise VerificationException(f"certificate chain rejected: {error}") from None
        if not _names_alexa_literally(leaf):
            raise VerificationException(f"signing certificate does not name {ALEXA_SIGNING_SAN} literally")
        public_key = leaf.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise VerificationException("signing certificate key is not RSA")
        usable_until = min([*(cert.not_valid_after_utc for cert in path), now + MAX_CACHE_AGE])
        usable_from = max(cert.not_valid_before_utc for cert in path)
        return _CachedSigner(public_key, usable_from, usable_until)


def _names_alexa_literally(leaf: x509.Certificate) -> bool:
    """Whether the leaf's SANs include ``echo-api.amazon.com`` itself, not just a wildcard covering it."""
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return any(name.lower() == ALEXA_SIGNING_SAN for name in names.get_values_for_type(x509.DNSName))


def _remember(cache: dict[str, Any], url: str, value: Any) -> None:
    """Keep ``value`` for ``url``, dropping the oldest entry when the cache is full."""
    if url not in cache and len(cache) >= MAX_CACHED_CHAINS:
        cache.pop(next(iter(cache)))
    cache[url] = value


class TimestampVerifier(AbstractVerifier):
    """Refuses replays: the request's own timestamp must be close to now, in either direction."""

    def __init__(self, *, clock: Clock = utc_now) -> None:
        self._clock = clock

    def verify(self, headers: Mapping[str, Any], serialized_request_env: str,
               deserialized_request_env: RequestEnvelope | None) -> None:
        request = getattr(deserialized_request_env, "request", None)
        timestamp = getattr(request, "timestamp", None)
        if not isinstance(timestamp, dt.datetime):
            raise VerificationException("request has no timestamp")
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=dt.UTC)
        kind = getattr(request, "object_type", None)
        tolerance = SKILL_EVENT_TOLERANCE if kind in SKILL_EVENT_TYPES else REQUEST_TOLERANCE
        if abs(self._clock() - timestamp) > tolerance:
            raise VerificationException("request timestamp is outside the allowed window")
