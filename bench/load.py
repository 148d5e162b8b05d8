"""Load test of the web service: gunicorn on loopback, DynamoDB Local, signed requests, real conversations.

    .venv/bin/python bench/load.py [--requests 3000] [--users 16] [--workers 3] [--quick]

Starts DynamoDB Local (with the production table shape), a private signing CA whose chain is served
from a local HTTP host, and ``gunicorn 'bench.load:signed_app()'`` -- the production app factory with
the production verifiers, except that the test root and local chain URL are injected (read from
BENCH_* variables here, never by the service's own code). Then ``--users`` threads, each one Alexa
user, hold conversations through the simulator's NLU (launch, steps, questions, progress updates,
repeats, goodbyes) until ``--requests`` turns were sent, and the script prints throughput,
p50/p95/p99 latency and the error count. Not a unit test: figures depend on the machine.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402 - the repository root must be importable first when run as a script
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from typing import Any  # noqa: E402

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000c0a7"
TABLE = "CatHarnessCoachLoad"

# A realistic evening with the skill: open, work through a step, ask things, record progress, leave.
CONVERSATIONS = [
    ["open cat harness coach", "yes", "next", "how long should a session be", "repeat that", "stop"],
    ["open cat harness coach", "what step are we on", "we're on step two", "is rolling normal", "next", "goodbye"],
    ["ask cat harness coach whether a collar is okay"],
    ["open cat harness coach", "what's step three", "what if my cat freezes", "go back", "help", "stop"],
    ["open cat harness coach", "we are on step four", "what step are we on", "what treats should i use", "stop"],
    ["ask cat harness coach what step are we on"],
]


def signed_app():
    """The WSGI app gunicorn serves in this benchmark: production factory, test root injected."""
    from cryptography import x509

    from skill.web import create_app
    from skill.web.verifier import SignatureVerifier, alexa_cert_chain_url

    root = x509.load_pem_x509_certificate(Path(os.environ["BENCH_TRUST_ROOT"]).read_bytes())
    local_base = os.environ["BENCH_CHAIN_BASE"] + "/echo.api/"

    def url_policy(url: str) -> str:
        return url if url.startswith(local_base) and ".." not in url else alexa_cert_chain_url(url)

    return create_app(signature_verifier=SignatureVerifier(trust_roots=[root], url_policy=url_policy))


def _create_table(endpoint: str) -> None:
    import boto3

    from tests.support import dynamodb_local

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=dynamodb_local.REGION,
                          aws_access_key_id=dynamodb_local.ACCESS_KEY, aws_secret_access_key=dynamodb_local.SECRET_KEY)
    client.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not become healthy")


class Results:
    def __init__(self, budget: int) -> None:
        self.lock = threading.Lock()
        self.remaining = budget
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    def take(self) -> bool:
        with self.lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors[error] = self.errors.get(error, 0) + 1


def _user(url: str, chain_url: str, key, results: Results, seed: int) -> None:
    import requests

    from skill.simulator.conversation import Conversation
    from tests.support.alexa_signing import sign

    http = requests.Session()
    rng = random.Random(seed)

    def post(body: dict[str, Any]) -> dict[str, Any]:
        raw = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "SignatureCertChainUrl": chain_url,
                   "Signature-256": sign(raw, key)}
        started = time.perf_counter()
        try:
            response = http.post(url + "/", data=raw, headers=headers, timeout=10)
            error = None if response.status_code == 200 else f"HTTP {response.status_code}"
            answer = response.json() if response.status_code == 200 else {}
            if not error and "outputSpeech" not in answer.get("response", {}) and body["request"]["type"] != "SessionEndedRequest":
                error = "no speech"
        except requests.RequestException as failure:
            error, answer = type(failure).__name__, {}
        results.record(time.perf_counter() - started, error)
        return answer or {"response": {"shouldEndSession": True}}

    while True:
        talk = Conversation(handler=post, user_id=f"amzn1.ask.account.load-{seed}-{rng.random()}")
        for said in rng.choice(CONVERSATIONS):
            if not results.take():
                return
            talk.say(said)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="turns to send in total")
    parser.add_argument("--users", type=int, default=16, help="concurrent simulated users (client threads)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--quick", action="store_true", help="smoke run: 300 requests")
    args = parser.parse_args(argv)
    budget = 300 if args.quick else args.requests

    from tests.support import dynamodb_local
    from tests.support.alexa_signing import SigningAuthority
    from tests.support.web_server import ChainHost

    database = dynamodb_local.start()
    gunicorn: subprocess.Popen | None = None
    try:
        _create_table(database.endpoint)
        authority = SigningAuthority.create()
        with tempfile.TemporaryDirectory() as scratch, ChainHost() as chains:
            root_file = Path(scratch) / "root.pem"
            root_file.write_bytes(authority.root_pem)
            chain_url = chains.publish("/echo.api/load-chain.pem", authority.chain_pem())
            port = dynamodb_local.free_port()
            env = {**os.environ, "SKILL_ID": SKILL_ID, "CHC_STORE": "dynamodb", "TABLE_NAME": TABLE,
                   "DYNAMODB_ENDPOINT": database.endpoint, "AWS_REGION": dynamodb_local.REGION,
                   "AWS_ACCESS_KEY_ID": dynamodb_local.ACCESS_KEY,
                   "AWS_SECRET_ACCESS_KEY": dynamodb_local.SECRET_KEY,
                   "BENCH_TRUST_ROOT": str(root_file), "BENCH_CHAIN_BASE": chains.base}
            command = [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}",
                       "--workers", str(args.workers), "--chdir", str(ROOT), "--log-level", "warning",
                       "bench.load:signed_app()"]
            gunicorn = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, gunicorn)
            results = Results(budget)
            users = [threading.Thread(target=_user, args=(url, chain_url, authority.leaf.key, results, n))
                     for n in range(args.users)]
            started = time.perf_counter()
            for user in users:
                user.start()
            for user in users:
                user.join()
            elapsed = time.perf_counter() - started
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        database.stop()

    latencies_ms = [seconds * 1000 for seconds in results.latencies]
    errors = sum(results.errors.values())
    print(f"web load: gunicorn {args.workers} sync workers, {args.users} users, {len(latencies_ms)} requests, "
          f"DynamoDB Local, signed requests ({os.cpu_count()} CPUs)")
    print(f"throughput: {len(latencies_ms) / elapsed:.1f} requests/s over {elapsed:.1f} s")
    print(f"latency ms: p50 {percentile(latencies_ms, 0.50):.1f}  p95 {percentile(latencies_ms, 0.95):.1f}  "
          f"p99 {percentile(latencies_ms, 0.99):.1f}  max {max(latencies_ms):.1f}")
    print(f"errors: {errors}" + (f" {results.errors}" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
