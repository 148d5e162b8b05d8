"""Alexa's request signature, timestamp and skill ID checks, over real HTTP through flask-ask-sdk.

A test CA (root, intermediate, leaf for echo-api.amazon.com) is generated here; its chain is served
from a local HTTP host that the verifier admits only because the test injects that URL policy and
the test root. Everything a forger or a replayer could vary must end in a 4xx with the skill never
invoked, so nothing can have been stored.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from cryptography.hazmat.primitives import hashes

from skill.builder import build_skill
from skill.config import Settings
from skill.logs import JsonLineFormatter
from skill.simulator import envelopes
from skill.simulator.envelopes import Device, Session
from skill.web import create_app
from skill.web.verifier import SignatureVerifier, VerificationException, alexa_cert_chain_url
from tests.support.alexa_signing import SigningAuthority, sign
from tests.support.web_server import ChainHost, serve_wsgi

SKILL_ID = envelopes.DEFAULT_SKILL_ID


class CountingSkill:
    """Wraps the real skill's ``invoke`` to count how often a request got past verification."""

    def __init__(self) -> None:
        self.skill = build_skill(Settings(skill_id=SKILL_ID, store="memory"))
        self.calls = 0
        invoke = self.skill.invoke

        def counted(*args, **kwargs):
            self.calls += 1
            return invoke(*args, **kwargs)

        self.skill.invoke = counted


@pytest.fixture(scope="module")
def authority() -> SigningAuthority:
    return SigningAuthority.create()


@pytest.fixture(scope="module")
def chains(authority):
    with ChainHost() as host:
        yield host


@pytest.fixture(scope="module")
def service(chains, authority):
    counting = CountingSkill()
    verifier = SignatureVerifier(trust_roots=[authority.root.cert], url_policy=chains.url_policy(alexa_cert_chain_url))
    app = create_app(Settings(skill_id=SKILL_ID, store="memory"), skill=counting.skill, signature_verifier=verifier)
    with serve_wsgi(app) as url:
        yield Service(url, counting, chains.publish("/echo.api/good.pem", authority.chain_pem()), authority)


class Service:
    def __init__(self, url: str, counting: CountingSkill, good_chain_url: str, authority: SigningAuthority) -> None:
        self.url = url
        self.counting = counting
        self.good_chain_url = good_chain_url
        self.authority = authority

    def post(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        return requests.post(self.url + "/", data=body, headers={"Content-Type": "application/json", **headers},
                             timeout=10)

    def signed(self, body: bytes, *, key=None, chain_url: str | None = None) -> dict[str, str]:
        return {"SignatureCertChainUrl": chain_url or self.good_chain_url,
                "Signature-256": sign(body, key or self.authority.leaf.key)}

    def post_signed(self, body: bytes, **kwargs) -> requests.Response:
        return self.post(body, self.signed(body, **kwargs))

    def assert_refused(self, response: requests.Response, status: int = 400) -> None:
        calls = self.counting.calls
        assert response.status_code == status, response.text
        assert response.json()["status"] == status
        assert self.counting.calls == calls, "a refused request reached the skill"


def launch_body(*, timestamp: dt.datetime | None = None, skill_id: str = SKILL_ID) -> bytes:
    session = Session(user_id="amzn1.ask.account.web-test", skill_id=skill_id)
    body = envelopes.envelope(envelopes.launch_request(), Device(), session=session)
    if timestamp is not None:
        body["request"]["timestamp"] = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(body).encode()


def event_body(minutes_ago: float) -> bytes:
    body = envelopes.envelope({"type": "AlexaSkillEvent.SkillEnabled"}, Device(), skill_id=SKILL_ID)
    stamp = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    body["request"]["timestamp"] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(body).encode()


def test_a_correctly_signed_launch_is_answered(service):
    calls = service.counting.calls
    response = service.post_signed(launch_body())
    assert response.status_code == 200, response.text
    assert "Welcome to Cat Harness Coach" in response.json()["response"]["outputSpeech"]["ssml"]
    assert service.counting.calls == calls + 1


def test_the_chain_is_fetched_once_and_then_served_from_the_cache(service, chains):
    before = len(chains.fetches)
    for _ in range(3):
        assert service.post_signed(launch_body()).status_code == 200
    assert len(chains.fetches) - before <= 1


def test_a_tampered_body_is_refused(service):
    body = launch_body()
    headers = service.signed(body)
    service.assert_refused(service.post(body.replace(b"LaunchRequest", b"SessionEndedRequest"), headers))


def test_a_signature_by_another_key_is_refused(service):
    stranger = SigningAuthority.create()
    service.assert_refused(service.post_signed(launch_body(), key=stranger.leaf.key))


def test_garbage_in_the_signature_header_is_refused(service):
    body = launch_body()
    service.assert_refused(service.post(body, {**service.signed(body), "Signature-256": "not base64!"}))


def test_only_a_sha1_signature_is_refused(service):
    body = launch_body()
    sha1 = sign(body, service.authority.leaf.key, hashes.SHA1())
    service.assert_refused(service.post(body, {"SignatureCertChainUrl": service.good_chain_url, "Signature": sha1}))
    service.assert_refused(service.post(body, {"SignatureCertChainUrl": service.good_chain_url, "Signature-256": sha1}))


@pytest.mark.parametrize("missing", ["SignatureCertChainUrl", "Signature-256"])
def test_a_request_without_signature_headers_is_refused(service, missing):
    body = launch_body()
    headers = service.signed(body)
    del headers[missing]
    service.assert_refused(service.post(body, headers))


@pytest.mark.parametrize("validity", ["expired", "not yet valid", "wrong SAN"])
def test_a_leaf_certificate_that_is_not_valid_now_for_alexa_is_refused(service, chains, validity):
    now = dt.datetime.now(dt.UTC)
    authority = service.authority
    leaf = {
        "expired": lambda: authority.issue_leaf(not_before=now - dt.timedelta(days=30),
                                                not_after=now - dt.timedelta(days=1)),
        "not yet valid": lambda: authority.issue_leaf(not_before=now + dt.timedelta(days=1),
                                                      not_after=now + dt.timedelta(days=30)),
        "wrong SAN": lambda: authority.issue_leaf(san="echo-api.example.com"),
    }[validity]()
    chain_url = chains.publish(f"/echo.api/{validity.replace(' ', '-')}.pem", authority.chain_pem(leaf))
    service.assert_refused(service.post_signed(launch_body(), key=leaf.key, chain_url=chain_url))


@pytest.mark.parametrize("names,accepted", [
    (["echo-api.amazon.com"], True),
    (["*.amazon.com"], False),
    (["echo-api.example.com"], False),
    (["www.example.com", "echo-api.amazon.com", "*.amazon.com"], True),
    (["www.example.com", "*.amazon.com"], False),
], ids=["exact", "wildcard", "other name", "extra names with the exact one", "extra names without it"])
def test_only_a_certificate_naming_echo_api_literally_may_sign(service, chains, names, accepted):
    leaf = service.authority.issue_leaf(san=names)
    chain_url = chains.publish(f"/echo.api/san-{'-'.join(names).replace('*', 'star')}.pem",
                               service.authority.chain_pem(leaf))
    response = service.post_signed(launch_body(), key=leaf.key, chain_url=chain_url)
    if accepted:
        assert response.status_code == 200
    else:
        service.assert_refused(response)


def test_a_chain_that_failed_is_not_fetched_again_for_a_while(chains):
    verifier = SignatureVerifier(trust_roots=[SigningAuthority.create().root.cert],
                                 url_policy=chains.url_policy(alexa_cert_chain_url))
    url = chains.base + "/echo.api/never-there.pem"
    for _ in range(5):
        body = launch_body()
        with pytest.raises(VerificationException):
            verifier.verify({"SignatureCertChainUrl": url, "Signature-256": "AAAA"}, body.decode(), None)
    assert chains.fetches.count("/echo.api/never-there.pem") == 1


def test_chain_fetches_are_capped_per_minute(chains):
    verifier = SignatureVerifier(trust_roots=[SigningAuthority.create().root.cert],
                                 url_policy=chains.url_policy(alexa_cert_chain_url), max_fetches_per_minute=3)
    before = len(chains.fetches)
    for attempt in range(8):
        with pytest.raises(VerificationException):
            verifier.verify({"SignatureCertChainUrl": chains.base + f"/echo.api/cap-{attempt}.pem",
                             "Signature-256": "AAAA"}, launch_body().decode(), None)
    assert len(chains.fetches) - before == 3


def test_a_forged_chain_url_cannot_add_a_log_line(caplog):
    """A %0a in the URL used to end the warning line and start a fake request-log line."""
    def unreachable(url: str) -> bytes:
        raise OSError("network is unreachable")

    verifier = SignatureVerifier(trust_roots=[SigningAuthority.create().root.cert], fetch=unreachable)
    forged = ('https://s3.amazonaws.com/echo.api/x.pem%0a{"level": "info", "event": "alexa_request", '
              '"status": 200}')
    with caplog.at_level("WARNING"), pytest.raises(VerificationException):
        verifier.verify({"SignatureCertChainUrl": forged, "Signature-256": "AAAA"}, launch_body().decode(), None)
    [line] = [JsonLineFormatter().format(record) for record in caplog.records]
    assert len(line.splitlines()) == 1
    assert json.loads(line)["event"] == "certificate_chain_fetch_failed"
    assert json.loads(line)["url"].startswith("https://s3.amazonaws.com/echo.api/x.pem\n{")


def test_a_chain_to_an_untrusted_root_is_refused(service, chains):
    stranger = SigningAuthority.create()
    chain_url = chains.publish("/echo.api/untrusted.pem", stranger.chain_pem())
    service.assert_refused(service.post_signed(launch_body(), key=stranger.leaf.key, chain_url=chain_url))


def test_a_chain_missing_its_intermediate_is_refused(service, chains):
    chain_url = chains.publish("/echo.api/leaf-only.pem", service.authority.leaf.pem)
    service.assert_refused(service.post_signed(launch_body(), chain_url=chain_url))


def test_a_chain_url_that_serves_nothing_is_refused(service, chains):
    service.assert_refused(service.post_signed(launch_body(), chain_url=chains.base + "/echo.api/missing.pem"))


@pytest.mark.parametrize("chain_url", [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://notamazon.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/%2e%2e/echo-api-cert.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem",
])
def test_a_chain_url_alexa_would_never_use_is_refused_before_any_fetch(service, chains, chain_url):
    before = len(chains.fetches)
    service.assert_refused(service.post_signed(launch_body(), chain_url=chain_url))
    assert len(chains.fetches) == before


@pytest.mark.parametrize("chain_url", [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "HTTPS://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
])
def test_chain_urls_alexa_may_use_are_accepted_in_canonical_form(chain_url):
    assert alexa_cert_chain_url(chain_url) == "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@pytest.mark.parametrize("seconds", [-151, 151, -3600, 7200])
def test_stale_and_future_timestamps_are_refused(service, seconds):
    stamp = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    service.assert_refused(service.post_signed(launch_body(timestamp=stamp)))


def test_a_request_a_minute_old_is_still_answered(service):
    stamp = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=60)
    assert service.post_signed(launch_body(timestamp=stamp)).status_code == 200


def test_skill_events_may_be_up_to_an_hour_old_but_not_more(service):
    assert service.post_signed(event_body(minutes_ago=30)).status_code == 200
    service.assert_refused(service.post_signed(event_body(minutes_ago=61)))


def test_a_request_for_another_skill_is_refused_with_a_4xx(service):
    service.assert_refused(service.post_signed(launch_body(skill_id="amzn1.ask.skill.someone-else")))


def test_a_session_naming_another_skill_than_its_context_is_refused(service):
    body = json.loads(launch_body())
    body["session"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    service.assert_refused(service.post_signed(json.dumps(body).encode()))


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"a string"', b"{}", b'{"request": 5}', b"\xff\xfe{}",
                                  b'{"version": "1.0", "request": {"type": "LaunchRequest", "timestamp": 7}}'])
def test_bodies_that_are_not_alexa_envelopes_are_refused(service, body):
    service.assert_refused(service.post_signed(body))


def test_an_oversized_body_is_refused(service):
    body = json.loads(launch_body())
    body["session"]["attributes"] = {"padding": "x" * (256 * 1024)}
    service.assert_refused(service.post_signed(json.dumps(body).encode()), status=413)


def test_only_post_reaches_the_skill_and_health_answers_get(service):
    assert requests.get(service.url + "/", timeout=5).status_code == 405
    health = requests.get(service.url + "/health", timeout=5)
    assert health.status_code == 200 and health.json() == {"status": "ok"}


@pytest.mark.parametrize("status,kept", [("NOT_PERSISTED", False), ("PERSISTED", True)])
def test_skill_disabled_over_http_deletes_data_unless_alexa_keeps_it(chains, authority, status, kept):
    """The event body (persistence status) must survive the web adapter's own deserialization."""
    from skill.persistence.memory import MemoryStore

    store = MemoryStore()
    user = "amzn1.ask.account.web-disable"
    store.save(user, {"cats": {}}, schema=2, expected_version=None)
    skill = build_skill(Settings(skill_id=SKILL_ID, store="memory"), store=store)
    verifier = SignatureVerifier(trust_roots=[authority.root.cert], url_policy=chains.url_policy(alexa_cert_chain_url))
    app = create_app(Settings(skill_id=SKILL_ID, store="memory"), skill=skill, signature_verifier=verifier)
    event = envelopes.envelope({"type": "AlexaSkillEvent.SkillDisabled",
                                "body": {"userInformationPersistenceStatus": status}},
                               Device(), user_id=user, skill_id=SKILL_ID)
    with serve_wsgi(app) as url:
        service = Service(url, CountingSkill(), chains.publish("/echo.api/disable.pem", authority.chain_pem()),
                          authority)
        assert service.post_signed(json.dumps(event).encode()).status_code == 200
    assert (store.load(user) is not None) is kept
