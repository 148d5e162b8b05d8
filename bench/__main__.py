"""``python -m bench`` (or ``python3 dev.py bench``): every benchmark, one DynamoDB Local, one report.

Runs size (with the build), cold start, warm turns, storage cost and the web load script, each
as its own process so that no benchmark warms another's caches, then writes bench/report.md and
bench/report.json. ``--quick`` cuts the run counts for a smoke check (about a minute).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common, report

PARTS = ("understanding", "size", "cold_start", "warm_turns", "storage_cost")
LOAD_SCRIPT = common.BENCH / "load.py"


def run_part(name: str, endpoint: str | None, quick: bool, extra: list[str], out_dir: Path) -> dict[str, Any]:
    out = out_dir / f"{name}.json"
    argv = [common.PYTHON, "-m", f"bench.{name}", "--json", str(out), *extra]
    if endpoint:
        argv += ["--endpoint", endpoint]
    if quick:
        argv.append("--quick")
    print(f"\n== {name}: {common.command_line(argv, cwd=common.ROOT)}", flush=True)
    started = time.monotonic()
    done = subprocess.run(argv, cwd=common.ROOT, timeout=900)
    seconds = time.monotonic() - started
    if done.returncode or not out.exists():
        return {"error": f"exit {done.returncode}", "seconds": seconds}
    return {**json.loads(out.read_text()), "seconds": seconds}


def run_load(quick: bool) -> dict[str, Any]:
    """The web service's load script (another issue's), run as it is; its printed figures go in the report."""
    if not LOAD_SCRIPT.exists():
        return {"available": False, "why": "bench/load.py is not in this tree yet"}
    argv = [common.PYTHON, str(LOAD_SCRIPT.relative_to(common.ROOT))]
    if quick and "--quick" in LOAD_SCRIPT.read_text():
        argv.append("--quick")
    print(f"\n== web load: {common.command_line(argv, cwd=common.ROOT)}", flush=True)
    started = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=common.ROOT, capture_output=True, text=True, timeout=420)
    except subprocess.TimeoutExpired:
        return {"available": True, "error": "timed out after 420 s", "command": common.command_line(argv)}
    print(done.stdout + done.stderr[-2000:], flush=True)
    return {"available": True, "command": common.command_line(argv, cwd=common.ROOT), "returncode": done.returncode,
            "output": done.stdout.strip()[-4000:], "stderr": done.stderr.strip()[-1500:] if done.returncode else "",
            "seconds": time.monotonic() - started}


def tree_state() -> dict[str, Any]:
    """What was measured: which commit, whether the tree had local changes, which features were present."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=common.ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain")),
        "features": {
            "persistence (skill/persistence)": common.module_present("skill.persistence"),
            "timer (skill/practice.py)": common.module_present("skill.practice"),
            "Timers API emulation (skill/simulator/timers_api.py)": common.module_present("skill.simulator.timers_api"),
            "web service (skill/web)": common.module_present("skill.web"),
            "web load script (bench/load.py)": LOAD_SCRIPT.exists(),
            "Lambda build (deploy/lambda_artifact.py)": (common.ROOT / "deploy" / "lambda_artifact.py").exists(),
        },
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs: a smoke check, not figures to quote")
    parser.add_argument("--no-build", action="store_true", help="measure the artifact already built, if any")
    parser.add_argument("--runs", type=int, default=30, help="cold starts per skill (default 30)")
    parser.add_argument("--turns", type=int, default=2000, help="warm turns per turn type (default 2000)")
    parser.add_argument("--only", nargs="+", choices=[*PARTS, "load"], help="run only these parts")
    args = parser.parse_args(argv)
    chosen = args.only or [*PARTS, "load"]
    extra = {"size": [] if args.no_build else ["--build"], "cold_start": ["--runs", str(args.runs)],
             "warm_turns": ["--turns", str(args.turns)], "storage_cost": [], "understanding": []}
    started = time.monotonic()
    results: dict[str, Any] = {"tree": tree_state(), "quick": args.quick,
                               "command": "python3 dev.py bench " + " ".join(sys.argv[1:] if argv is None else argv)}
    with common.dynamodb(None) as endpoint, tempfile.TemporaryDirectory() as tmp:
        results["dynamodb_local"] = bool(endpoint)
        for name in PARTS:
            if name in chosen:
                results[name] = run_part(name, endpoint, args.quick, extra[name], Path(tmp))
    if "load" in chosen:
        results["load"] = run_load(args.quick)
    results["seconds"] = time.monotonic() - started
    (common.BENCH / "report.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (common.BENCH / "report.md").write_text(report.markdown(results))
    print(f"\nwrote bench/report.md and bench/report.json in {results['seconds']:.0f} s")
    return 0 if not any(isinstance(v, dict) and v.get("error") for v in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
