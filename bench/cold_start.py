"""Cold start: a fresh interpreter imports the Lambda entry and answers a LaunchRequest, many times.

Cat Harness Coach and the baseline (bench/baseline: ask-sdk-core, stock DynamoDbAdapter, one
launch handler) run alternately against the same DynamoDB Local, each in a new process, so both
see the same machine load. The figure that matters is import + first invoke, timed inside the
child from before ``import lambda_function`` to the returned response; the whole process (with
interpreter start-up, the same for both) is reported beside it. One extra run of each with
``-X importtime`` says where the import time goes.

Wall-clock and CPU time on a small shared machine swing by a fifth from run to run, more than the
margin of the target, so the verdict comes from a deterministic figure: the instructions the
same cold start executes, counted by valgrind's callgrind (its total ``Ir``), for ours and the
baseline with the same command lines and environment (plus ``PYTHONHASHSEED=0``, so that string
hashing cannot move the count). Interpreter start-up, the harness and its JSON are the same for
both, so they are measured once with an entry that does nothing and subtracted: the ratio is
over import + first invoke, the span the wall-clock figure times. Repeated runs agree to a few
hundredths of a percent. Without valgrind this part is skipped and the output says why.

Those two run from the source tree on this venv's Python. The built artifact (``python3 dev.py
build``) is measured as Lambda runs it: by an interpreter of the template's version (python3.13,
from PATH or pyenv) when there is one, with no site-packages, no bytecode writing (/var/task is
read-only) and the venv's boto3 and its pure-Python dependencies after it on the path. Its
yardstick is the baseline on that same interpreter, loading its SDK packages from the artifact
(the same files and .pyc) and boto3 from the same place. Without such an interpreter the artifact
runs on this venv's Python against the source-tree baseline, and the output says so.

    python -m bench.cold_start [--runs 30] [--instruction-runs 2] [--endpoint URL] [--quick] [--json out.json]
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common

TARGET_RATIO = 1.15
ERROR_WORDS = "something went wrong"


@dataclass
class Subject:
    """One skill as Lambda would load it: where its entry module is and what environment it gets."""

    name: str
    entry: Path
    extra_path: list[Path]
    cwd: Path
    env: dict[str, str]
    python: str = common.PYTHON
    flags: tuple[str, ...] = ()
    reference: str | None = "baseline"
    runs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    boto3_loaded: bool = False

    def argv(self, event_file: Path, importtime: bool = False) -> list[str]:
        flags = [*self.flags, *(["-X", "importtime"] if importtime else [])]
        return [self.python, *flags, str(common.BENCH / "cold_invoke.py"), str(self.entry), str(event_file),
                *map(str, self.extra_path)]

    def run(self, event_file: Path, importtime: bool = False, prefix: tuple[str, ...] = (),
            timeout: float = 120) -> tuple[dict[str, Any], str]:
        started = time.perf_counter()
        done = subprocess.run([*prefix, *self.argv(event_file, importtime)], cwd=self.cwd,
                              env={**common.base_env(), **self.env, **(INSTRUCTION_ENV if prefix else {})},
                              capture_output=True, text=True, timeout=timeout)
        wall = (time.perf_counter() - started) * 1000
        if done.returncode:
            raise RuntimeError(f"{self.name} cold invoke failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["process_ms"] = wall
        return result, done.stderr


# As on Lambda: no site-packages, and no bytecode written (/var/task is read-only), so whatever
# ships without .pyc is compiled at every cold start.
LAMBDA_FLAGS = ("-S", "-s", "-B")


def lambda_subjects(endpoint: str | None) -> list[Subject]:
    """Ours and the baseline from the source tree; the built artifact, if any, beside the baseline on its runtime."""
    ours_env = common.our_env(endpoint)
    found = [Subject("ours", common.LAMBDA_DIR, [common.ROOT], common.ROOT, ours_env),
             Subject("baseline", common.BASELINE_DIR, [], common.BASELINE_DIR, common.baseline_env(endpoint),
                     reference=None)]
    artifact = common.artifact_dir()
    if artifact is None:
        return found
    python = common.lambda_python()
    if python is None:
        found.append(Subject("ours (artifact)", artifact, [], artifact, {**ours_env, "PYTHONDONTWRITEBYTECODE": "1"}))
        found[-1].notes.append("no interpreter of the template's Python version on this machine: "
                               f"ran on {common.PYTHON}, which cannot use the artifact's .pyc")
        return found
    runtime = common.lambda_runtime(python)
    label = "python" + ".".join(common.python_version(str(python)).split(".")[:2])
    baseline = Subject(f"baseline ({label})", common.BASELINE_DIR, [artifact, runtime], common.BASELINE_DIR,
                       common.baseline_env(endpoint), python=str(python), flags=LAMBDA_FLAGS, reference=None)
    ours = Subject("ours (artifact)", artifact, [runtime], artifact, ours_env, python=str(python), flags=LAMBDA_FLAGS,
                   reference=baseline.name)
    return [*found, ours, baseline]


INSTRUCTION_ENV = {"PYTHONHASHSEED": "0"}
# Under valgrind Python runs 30-60 times slower: a cold start takes about half a minute.
INSTRUCTION_TIMEOUT_SECONDS = 600
NULL_ENTRY = """def lambda_handler(event, context):
    return {"response": {}}
"""


def callgrind_prefix(out_file: Path) -> tuple[str, ...]:
    return ("valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}")


def callgrind_total(out_file: Path) -> int:
    """Total instructions executed (``Ir``) from a callgrind out file's ``totals:`` (or ``summary:``) line."""
    for line in out_file.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {out_file}")


def count_instructions(subjects: list[Subject], event_file: Path, runs: int, tmp: Path) -> dict[str, Any]:
    """Instructions executed by each subject's cold start under callgrind, and by the bare harness.

    Instruction counts do not depend on machine load, so the runs go two at a time.
    """
    if shutil.which("valgrind") is None:
        return {"available": False, "why": "valgrind is not installed (apt-get install valgrind)"}
    null_dir = tmp / "null-entry"
    null_dir.mkdir()
    (null_dir / "lambda_function.py").write_text(NULL_ENTRY)
    harness = Subject("harness alone", null_dir, [], null_dir, {}, reference=None)
    jobs = [(subject, index) for index in range(runs) for subject in subjects] + [(harness, 0)]

    def one(job: tuple[Subject, int]) -> int:
        subject, index = job
        out = tmp / f"callgrind.{subject.name.replace(' ', '_')}.{index}"
        answer, _ = subject.run(event_file, prefix=callgrind_prefix(out), timeout=INSTRUCTION_TIMEOUT_SECONDS)
        if subject is not harness and (ERROR_WORDS in answer["speech"] or not answer["speech"]):
            raise RuntimeError(f"{subject.name} under callgrind did not answer the launch: {answer['speech']!r}")
        return callgrind_total(out)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        totals = list(pool.map(one, jobs))
    counts: dict[str, list[int]] = defaultdict(list)
    for (subject, _), total in zip(jobs, totals, strict=True):
        counts[subject.name].append(total)
    harness_count = counts.pop(harness.name)[0]
    measured: dict[str, Any] = {}
    for subject in subjects:
        values = counts[subject.name]
        median = statistics.median(values)
        measured[subject.name] = {"process": values, "process_median": median,
                                  "spread": (max(values) - min(values)) / median,
                                  "cold_start": median - harness_count, "reference": subject.reference}
    return {
        "available": True,
        "runs": runs,
        "seconds": time.monotonic() - started,
        "harness": harness_count,
        "subjects": measured,
        "ratio": {name: m["cold_start"] / measured[m["reference"]]["cold_start"]
                  for name, m in measured.items() if m["reference"] in measured},
        "process_ratio": {name: m["process_median"] / measured[m["reference"]]["process_median"]
                          for name, m in measured.items() if m["reference"] in measured},
        "commands": {s.name: common.command_line([*callgrind_prefix(Path("callgrind.out")), *s.argv(Path("launch.json"))],
                                                 {**s.env, **INSTRUCTION_ENV}, s.cwd) for s in [*subjects, harness]},
    }


def import_breakdown(stderr: str, top: int = 12) -> list[tuple[str, float]]:
    """Self import time summed per top-level package, largest first, from ``-X importtime`` output."""
    per_package: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, self_us, _cumulative, name = (part.strip() for part in line.replace("import time:", "|").split("|"))
        per_package[name.split(".")[0]] += int(self_us) / 1000
    return sorted(per_package.items(), key=lambda item: item[1], reverse=True)[:top]


def measure(endpoint: str | None, runs: int, instruction_runs: int = 2) -> dict[str, Any]:
    event = common.launch_event()
    chosen = lambda_subjects(endpoint)
    with tempfile.TemporaryDirectory() as tmp:
        event_file = Path(tmp) / "launch.json"
        event_file.write_text(json.dumps(event))
        stderr_lines: dict[str, list[str]] = {}
        for subject in chosen:  # warm the page cache and __pycache__ so run 1 is not an outlier
            first, stderr = subject.run(event_file)
            if ERROR_WORDS in first["speech"] or not first["speech"]:
                raise RuntimeError(f"{subject.name} did not answer the launch properly: {first['speech']!r}")
            stderr_lines[subject.name] = [line for line in stderr.splitlines()
                                          if "unavailable" in line or "Error" in line][:3]
            subject.boto3_loaded = first["boto3_loaded"]
        for _ in range(runs):
            for subject in chosen:
                subject.runs.append(subject.run(event_file)[0])
        breakdowns = {s.name: import_breakdown(s.run(event_file, importtime=True)[1]) for s in chosen}
        commands = {s.name: common.command_line(s.argv(Path("launch.json")), s.env, s.cwd) for s in chosen}
        # The source-tree pair only: the artifact's runs compile bytecode at every start, and the
        # pair is what the target is about.
        source_tree = [s for s in chosen if s.python == common.PYTHON and not s.flags]
        instructions = (count_instructions(source_tree, event_file, instruction_runs, Path(tmp))
                        if instruction_runs > 0 else {"available": False, "why": "--instruction-runs 0"})
    results: dict[str, Any] = {"runs": runs, "subjects": {}, "commands": commands, "import_breakdown": breakdowns,
                               "instructions": instructions}
    for subject in chosen:
        results["subjects"][subject.name] = {
            "total_ms": common.summary([r["total_ms"] for r in subject.runs]),
            "cpu_ms": common.summary([r["cpu_ms"] for r in subject.runs]),
            "import_ms": common.summary([r["import_ms"] for r in subject.runs]),
            "invoke_ms": common.summary([r["invoke_ms"] for r in subject.runs]),
            "process_ms": common.summary([r["process_ms"] for r in subject.runs]),
            "maxrss_kb": common.summary([r["maxrss_kb"] for r in subject.runs]),
            "modules": subject.runs[-1]["modules"],
            "boto3_loaded": subject.boto3_loaded,
            "python": f"{subject.python} (Python {common.python_version(subject.python)})",
            "reference": subject.reference,
            "notes": subject.notes,
            "stderr": stderr_lines[subject.name],
        }
    measured = results["subjects"]
    compared = {name: s["reference"] for name, s in measured.items() if s["reference"]}
    results["reference"] = compared
    results["ratio"] = {name: measured[name]["total_ms"]["p50"] / measured[ref]["total_ms"]["p50"]
                        for name, ref in compared.items()}
    results["cpu_ratio"] = {name: measured[name]["cpu_ms"]["p50"] / measured[ref]["cpu_ms"]["p50"]
                            for name, ref in compared.items()}
    results["target_ratio"] = TARGET_RATIO
    results["load_average"] = os.getloadavg()
    results["store"] = "dynamodb (DynamoDB Local)" if endpoint else "memory (no DynamoDB Local)"
    results["persistence_present"] = common.module_present("skill.persistence")
    return results


def print_results(results: dict[str, Any]) -> None:
    print(f"cold start: import lambda_function + first LaunchRequest, {results['runs']} runs each, "
          f"store {results['store']}")
    print(f"load average at the end: {results['load_average'][0]:.1f} (on {os.cpu_count()} cores)")
    print(f"{'':26}{'p10':>8}{'p50':>8}{'p90':>8}   import p50  invoke p50  process p50  modules  cpu p50")
    for name, s in results["subjects"].items():
        t = s["total_ms"]
        print(f"{name:26}{t['p10']:>8.1f}{t['p50']:>8.1f}{t['p90']:>8.1f}   "
              f"{s['import_ms']['p50']:>10.1f}{s['invoke_ms']['p50']:>12.1f}{s['process_ms']['p50']:>13.1f}"
              f"{s['modules']:>9}{s['cpu_ms']['p50']:>9.1f}")
    for name, s in results["subjects"].items():
        print(f"{name}: interpreter {s['python']}; boto3 imported during the cold invoke: {s['boto3_loaded']}"
              + "".join(f"; {note}" for note in s["notes"]) + (f"; stderr: {s['stderr']}" if s["stderr"] else ""))
    for name, ratio in results["ratio"].items():
        verdict = "meets" if ratio <= results["target_ratio"] else "MISSES"
        print(f"ratio {name}/{results['reference'][name]} (p50): {ratio:.2f}  ({verdict} target <= "
              f"{results['target_ratio']}); CPU time ratio {results['cpu_ratio'][name]:.2f}")
    print_instructions(results["instructions"], results["target_ratio"])
    for name, parts in results["import_breakdown"].items():
        print(f"import self-time by package, {name}: " + ", ".join(f"{p} {t:.0f}" for p, t in parts[:8]) + " (ms)")
    print("commands:")
    for name, line in results["commands"].items():
        print(f"  {name}: {line}")


def print_instructions(counted: dict[str, Any], target: float) -> None:
    if not counted.get("available"):
        print(f"instruction counts skipped: {counted.get('why')}")
        return
    print(f"instructions executed (valgrind callgrind, Ir), {counted['runs']} runs each, "
          f"{counted['seconds']:.0f} s; the harness alone (interpreter start-up, event JSON): {counted['harness']:,}")
    for name, m in counted["subjects"].items():
        print(f"  {name:24} import + first invoke {m['cold_start']:>15,.0f}   whole process "
              + ", ".join(f"{v:,}" for v in m["process"]) + f"  (spread {m['spread']:.3%})")
    for name, ratio in counted["ratio"].items():
        reference = counted["subjects"][name]["reference"]
        verdict = "meets" if ratio <= target else "MISSES"
        print(f"instruction ratio {name}/{reference}: {ratio:.3f} ({verdict} target <= {target}); "
              f"whole process {counted['process_ratio'][name]:.3f}")
    for name, line in counted["commands"].items():
        print(f"  callgrind {name}: {line}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = common.arguments(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--instruction-runs", type=int, default=2,
                        help="callgrind runs per skill for the instruction count (0: skip; about 30 s each)")
    args = parser.parse_args(argv)
    runs = min(args.runs, 8) if args.quick else args.runs
    instruction_runs = min(args.instruction_runs, 1) if args.quick else args.instruction_runs
    with common.dynamodb(args.endpoint) as endpoint:
        if endpoint:
            common.create_tables(endpoint)
        results = measure(endpoint, runs, instruction_runs)
    print_results(results)
    common.write_json(args.json, results)
    return results


if __name__ == "__main__":
    main()
