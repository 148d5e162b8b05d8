"""What every benchmark shares: paths, statistics, DynamoDB Local, the environment of a run, reports.

Each bench script runs on its own (``python -m bench.cold_start``) or under ``python -m bench``,
which starts one DynamoDB Local and passes its endpoint down with ``--endpoint``. Every script
prints its figures and the exact command lines it ran, and can write its results as JSON for the
combined report.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import json
import os
import shlex
import statistics
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BASELINE_DIR = BENCH / "baseline"
LAMBDA_DIR = ROOT / "lambda"
PYTHON = sys.executable
BASELINE_TABLE = "BenchBaseline"
OUR_TABLE = "BenchCatHarnessCoach"
REGION = "us-east-1"


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: ``share`` 0.5 is the median, 0.99 the p99."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank]


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median and spread of a sample, in the sample's unit."""
    return {
        "n": len(values),
        "p10": percentile(values, 0.10),
        "p50": statistics.median(values) if values else float("nan"),
        "p90": percentile(values, 0.90),
        "p99": percentile(values, 0.99),
        "min": min(values) if values else float("nan"),
        "max": max(values) if values else float("nan"),
    }


def command_line(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """A shell line that reproduces a run: the variables that matter, the working directory, argv."""
    prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted((env or {}).items()))
    where = f"cd {shlex.quote(str(cwd))} && " if cwd else ""
    return where + (prefix + " " if prefix else "") + " ".join(shlex.quote(str(a)) for a in argv)


def module_present(name: str) -> bool:
    """Whether a piece another issue delivers (persistence, timers, web) exists in this tree yet."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def aws_env(endpoint: str | None) -> dict[str, str]:
    """Credentials and endpoint for DynamoDB Local, for both skills alike.

    ``AWS_ENDPOINT_URL_DYNAMODB`` (botocore's own variable) points both at DynamoDB Local without
    either skill being configured differently from a deployment, so both keep the adapter's default
    resource exactly as they would on Lambda.
    """
    env = {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if endpoint:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    return env


def our_env(endpoint: str | None) -> dict[str, str]:
    """Cat Harness Coach as deployed: DynamoDB store (on DynamoDB Local), no skill ID check."""
    env = aws_env(endpoint)
    env.update({"CHC_STORE": "dynamodb" if endpoint else "memory", "TABLE_NAME": OUR_TABLE, "SKILL_ID": ""})
    return env


def baseline_env(endpoint: str | None, read: bool = True) -> dict[str, str]:
    env = aws_env(endpoint)
    env.update({"BASELINE_TABLE": BASELINE_TABLE, "BASELINE_READ": "1" if read else "0"})
    return env


@contextlib.contextmanager
def dynamodb(endpoint: str | None) -> Iterator[str | None]:
    """The given endpoint, or a DynamoDB Local started (and stopped, by PID) for this script alone.

    Without the jar (no ``python3 dev.py bench``) it yields None and the scripts say so.
    """
    if endpoint:
        yield endpoint
        return
    sys.path.insert(0, str(ROOT))
    from tests.support import dynamodb_local

    jar = dynamodb_local.find_jar()
    if jar is None:
        print("DynamoDB Local jar not found (run via `python3 dev.py bench`): storage figures skipped")
        yield None
        return
    server = dynamodb_local.start(jar.resolve())
    try:
        yield server.endpoint
    finally:
        server.stop()


def create_tables(endpoint: str) -> None:
    """Both skills' tables, created up front so that no cold start pays for CreateTable.

    The baseline's is the stock adapter's shape (partition key ``id``); ours comes from the
    persistence package when it offers a way to create its table, else the same shape.
    """
    import boto3

    with _env(aws_env(endpoint)):
        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION)
        existing = set(client.list_tables()["TableNames"])
        if BASELINE_TABLE not in existing:
            _create(client, BASELINE_TABLE, "id")
        if OUR_TABLE not in existing and not _create_ours_with_persistence(endpoint):
            _create(client, OUR_TABLE, "id")


def _create(client: Any, table: str, key: str) -> None:
    client.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _create_ours_with_persistence(endpoint: str) -> bool:
    """Let skill.persistence create its own table if it has a function for that (its schema, not ours)."""
    if not module_present("skill.persistence"):
        return False
    import skill.persistence as persistence
    from skill.config import Settings

    with _env(our_env(endpoint)):
        settings = Settings.from_env()
        for name in ("create_table", "ensure_table"):
            create = getattr(persistence, name, None)
            if callable(create):
                try:
                    create(settings)
                except TypeError:
                    create(settings.table_name, endpoint)
                return True
    return False


@contextlib.contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


use_env = _env


def launch_event() -> dict[str, Any]:
    """A LaunchRequest as an Echo sends it, for a user the skill has never seen."""
    sys.path.insert(0, str(ROOT))
    from skill.simulator import envelopes

    session = envelopes.Session(user_id="amzn1.ask.account.bench-cold-start")
    return envelopes.envelope(envelopes.launch_request(), envelopes.Device(), session=session)


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--endpoint", help="a running DynamoDB Local; default: start one")
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke check")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser


def run_counted(doc: str, option: str, default: int, quick_limit: int,
                measure: Callable[[str | None, int], dict[str, Any]],
                show: Callable[[dict[str, Any]], None], argv: list[str] | None) -> dict[str, Any]:
    """A bench script's main: parse ``--<option> N`` (capped by --quick), set up DynamoDB, measure, report."""
    parser = arguments(doc.splitlines()[0])
    parser.add_argument(f"--{option}", type=int, default=default)
    args = parser.parse_args(argv)
    count = getattr(args, option)
    if args.quick:
        count = min(count, quick_limit)
    with dynamodb(args.endpoint) as endpoint:
        if endpoint:
            create_tables(endpoint)
        results = measure(endpoint, count)
    show(results)
    write_json(args.json, results)
    return results


def write_json(path: Path | None, results: dict[str, Any]) -> None:
    if path:
        path.write_text(json.dumps(results, indent=2, default=str) + "\n")


def ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


ARTIFACT_CANDIDATES = (".aws-sam-artifact/function", ".aws-sam-artifact", ".aws-sam/build/CoachFunction")


def artifact_dir() -> Path | None:
    """The Lambda artifact that ``python3 dev.py build`` leaves, if it has been built."""
    for name in ARTIFACT_CANDIDATES:
        path = ROOT / name
        if (path / "lambda_function.py").exists():
            return path
    return None


def base_env() -> dict[str, str]:
    """The parts of this environment a child interpreter needs, and nothing that changes what it imports."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    return {k: os.environ[k] for k in keep if k in os.environ}


@functools.cache
def lambda_python() -> Path | None:
    """An interpreter of the version template.yaml deploys to (python3.13), if this machine has one."""
    sys.path.insert(0, str(ROOT))
    from deploy.lambda_artifact import Target, find_interpreter

    return find_interpreter(Target.from_template().python_version)


@functools.cache
def python_version(python: str) -> str:
    done = subprocess.run([python, "-I", "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def lambda_runtime(python: Path) -> Path:
    """A directory standing in for what the Lambda runtime adds after /var/task: boto3 and its dependencies.

    They are pure Python, so this venv's copies serve any interpreter; they are linked, not copied,
    and compiled once for ``python`` beforehand (as the runtime's own copies are), so that a cold
    start pays for compiling only what the function itself ships without bytecode (the venv's
    __pycache__ directories get that interpreter's .pyc beside their own). It lives in .cache/ so
    that the command lines the bench prints still work after the bench has finished.
    """
    sys.path.insert(0, str(ROOT))
    from deploy.lambda_artifact import LAMBDA_RUNTIME_PACKAGES

    site_packages = Path(sysconfig.get_paths()["purelib"])
    sources = [site_packages / name for name in LAMBDA_RUNTIME_PACKAGES]
    subprocess.run([str(python), "-I", "-W", "ignore", "-m", "compileall", "-q", "-j", "0", *map(str, sources)],
                   check=True, capture_output=True, timeout=600)
    runtime = ROOT / ".cache" / "bench-lambda-runtime"
    runtime.mkdir(parents=True, exist_ok=True)
    for source in sources:
        link = runtime / source.name
        link.unlink(missing_ok=True)
        link.symlink_to(source)
    return runtime
