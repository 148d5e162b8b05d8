"""bench/report.md from the results of ``python -m bench``: targets first, then each benchmark's figures."""
from __future__ import annotations

from typing import Any


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows for the issue's targets that this run could measure."""
    rows: list[tuple[str, str, str]] = []
    cold = results.get("cold_start") or {}
    counted = cold.get("instructions") or {}
    for name, ratio in (counted.get("ratio") or {}).items():
        reference = counted["subjects"][name]["reference"]
        wall = (cold.get("ratio") or {}).get(name)
        secondary = f"; wall {wall:.2f} x, CPU {cold['cpu_ratio'][name]:.2f} x (noisy)" if wall else ""
        rows.append((f"cold start {name} <= {cold['target_ratio']} x {reference} (instructions executed)",
                     f"**{ratio:.3f} x** ({counted['subjects'][name]['cold_start'] / 1e6:,.0f} M vs "
                     f"{counted['subjects'][reference]['cold_start'] / 1e6:,.0f} M){secondary}",
                     _verdict(ratio <= cold["target_ratio"])))
    if cold and not counted.get("available", True):
        rows.append(("cold start, instructions executed", f"not measured: {counted.get('why')}", "n/a"))
    for name, ratio in (cold.get("ratio") or {}).items():
        if name in (counted.get("ratio") or {}):
            continue  # its wall-clock figure is shown beside the instruction count above
        reference = (cold.get("reference") or {}).get(name, "baseline")
        rows.append((f"cold start {name} <= {cold['target_ratio']} x {reference} (p50 wall; noisy)",
                     f"{ratio:.2f} x wall ({cold['cpu_ratio'][name]:.2f} x CPU time)",
                     _verdict(ratio <= cold["target_ratio"])))
    warm = results.get("warm_turns") or {}
    if warm.get("ours"):
        goal = warm["targets"]
        for name in goal["held"]:
            f = warm["ours"].get(name) or {}
            if not f.get("available"):
                rows.append((f"warm {name}", "not available", "n/a"))
                continue
            rows.append((f"warm {name} p50 <= {goal['p50_ratio']} x baseline launch p50",
                         f"{f['ratio_p50']:.2f} x ({f['p50']:.2f} ms; {f['ratio_p50_sdk_only']:.2f} x SDK-only launch)",
                         _verdict(f["ratio_p50"] <= goal["p50_ratio"])))
            rows.append((f"warm {name} p99 <= {goal['p99_ms']} ms", f"{f['p99']:.2f} ms",
                         _verdict(f["p99"] <= goal["p99_ms"])))
    storage = results.get("storage_cost") or {}
    if storage.get("per_turn"):
        session = storage["questions_session"]
        reads = sum(r["reads"] for r in session)
        writes = sum(r["writes"] for r in session[1:])
        rows.append(("pure questions: 0 writes", f"{writes} writes in {len(session) - 1} questions",
                     _verdict(writes == 0)))
        rows.append(("<= 1 read per session", f"{reads} reads (launch + {len(session) - 1} questions)",
                     _verdict(reads <= 1)))
        progress = storage["per_turn"].get("progress update") or {}
        if progress.get("available"):
            w = progress["in_session"]["writes"]
            rows.append(("progress turn: 1 write", f"{w} writes", _verdict(w == 1)))
        else:
            rows.append(("progress turn: 1 write", "no progress intent in this tree yet", "n/a"))
    size = results.get("size") or {}
    artifact = size.get("artifact")
    if artifact:
        mb = artifact["zipped_bytes"] / 1e6
        rows.append((f"artifact <= {size['target_zipped_mb']} MB zipped", f"{mb:.2f} MB",
                     _verdict(mb <= size["target_zipped_mb"])))
    elif size:
        rows.append(("artifact <= 3 MB zipped", "not built yet", "n/a"))
    understood = results.get("understanding") or {}
    check = understood.get("check/exact")
    if check:
        rows.append(("check part answered right >= 92% (exact-template NLU)", f"{check['accuracy']:.1%}",
                     _verdict(check["accuracy"] >= 0.92)))
        rows.append(("urgent recall on the check part = 100%", f"{check['urgent_recall']:.1%}",
                     _verdict(check["urgent_recall"] >= 1.0)))
        rows.append(("false urgent on the check part <= 2%", f"{check['false_urgent']:.1%}",
                     _verdict(check["false_urgent"] <= 0.02)))
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    tree = results["tree"]
    out = [
        "# Benchmarks: Cat Harness Coach against the bare ASK SDK",
        "",
        f"Command: `{results['command'].strip()}` ({results['seconds']:.0f} s){' -- QUICK run, not for quoting' if results['quick'] else ''}.  ",
        f"Measured {tree['date']} on {tree['machine']}, Python {tree['python']}, commit {tree['commit']}"
        f"{' plus uncommitted changes' if tree['uncommitted_changes'] else ''}.  ",
        "Baseline: bench/baseline/lambda_function.py (ask-sdk-core, stock DynamoDbAdapter, one launch handler "
        "that reads persistent attributes). Both skills use DynamoDB Local"
        f"{'' if results.get('dynamodb_local') else ' -- NOT AVAILABLE in this run, memory store used'}.",
        "",
        "Present in the tree when measured: " + ", ".join(
            f"{name} {'yes' if present else 'NO'}" for name, present in tree["features"].items()) + ".",
        "",
        "## Targets",
        "",
        _table(["target", "measured", "verdict"], [list(r) for r in targets(results)]),
    ]
    out += _cold(results.get("cold_start")) + _warm(results.get("warm_turns")) + _storage(results.get("storage_cost"))
    out += _size(results.get("size")) + _load(results.get("load")) + _understanding(results.get("understanding"))
    return "\n".join(out) + "\n"


def _understanding(part: dict[str, Any] | None) -> list[str]:
    failed = _failed("Understanding (owner utterance bank)", part)
    if failed is not None:
        return failed
    from bench.understanding import table

    figures = {k: v for k, v in (part or {}).items() if isinstance(v, dict) and "by_area" in v}
    return ["", "## Understanding (owner utterance bank)", "",
            "Share answered right (right intent or entry, its facts said, its slots filled, the urgent answer "
            "first for emergencies): tuning and held-out check part; `exact` = the simulator's exact-template "
            "NLU, `free_text` = every utterance handed to the SearchQuery intent. "
            "Reproduce: `.venv/bin/python -m bench.understanding`.", "", table(figures)]


def _failed(title: str, part: dict[str, Any] | None) -> list[str] | None:
    if part is None:
        return []
    if part.get("error"):
        return ["", f"## {title}", "", f"Failed: {part['error']} (see the console output of the run)."]
    return None


def _cold(part: dict[str, Any] | None) -> list[str]:
    failed = _failed("Cold start", part)
    if failed is not None:
        return failed
    rows = []
    for name, s in part["subjects"].items():
        t = s["total_ms"]
        python = s.get("python", "").split("(Python ")[-1].rstrip(")")
        rows.append([name, python, f"{t['p10']:.0f}", f"{t['p50']:.0f}", f"{t['p90']:.0f}",
                     f"{s['import_ms']['p50']:.0f}", f"{s['invoke_ms']['p50']:.1f}", f"{s['process_ms']['p50']:.0f}",
                     f"{s['cpu_ms']['p50']:.0f}", str(s["modules"]), "yes" if s["boto3_loaded"] else "no"])
    references = part.get("reference") or {name: "baseline" for name in part["ratio"]}
    out = ["", "## Cold start", ""] + _instructions(part.get("instructions"), part["target_ratio"]) + [
           "### Wall clock and CPU time (secondary: they swing by a fifth from run to run on this machine)", "",
           f"Fresh interpreter, `import lambda_function`, one LaunchRequest; {part['runs']} runs each, alternating; "
           f"store {part['store']}; load average {part['load_average'][0]:.1f} on this 2-core machine at the end. "
           "Milliseconds; total = import + first invoke (wall, timed inside the child), CPU = the child's CPU time "
           "for the same span, process = the whole child including interpreter start-up. "
           "`ours` and `baseline` run from the source tree on the venv's Python with cached bytecode. "
           "`ours (artifact)` runs the built artifact as Lambda loads it: on the template's Python version when this "
           "machine has it, without site-packages, writing no bytecode (/var/task is read-only), so it uses the .pyc "
           "the artifact ships and compiles the rest at every start; boto3 and its dependencies (precompiled, as in "
           "the Lambda runtime) come after it on the path. Its yardstick is the baseline on the same interpreter, "
           "flags and path, taking its SDK packages from the artifact.", "",
           _table(["skill", "Python", "p10", "p50", "p90", "import p50", "invoke p50", "process p50", "CPU p50",
                   "modules", "boto3 used"], rows), ""]
    out += [f"Ratio {name}/{references[name]} (p50 total): **{ratio:.2f}** wall, {part['cpu_ratio'][name]:.2f} CPU  "
            for name, ratio in part["ratio"].items()]
    out += [f"{name}: {note}  " for name, s in part["subjects"].items() for note in s.get("notes", [])]
    out += ["", "Interpreters: " + "; ".join(f"{name}: `{s['python']}`" for name, s in part["subjects"].items()
                                             if s.get("python"))]
    out += ["", "Import self-time by top-level package (one `-X importtime` run, ms):", ""]
    out += [f"- {name}: " + ", ".join(f"{p} {t:.0f}" for p, t in parts[:10]) for name, parts in
            part["import_breakdown"].items()]
    out += ["", "Commands:", ""] + [f"- {name}: `{line}`" for name, line in part["commands"].items()]
    return out


def _instructions(counted: dict[str, Any] | None, target: float) -> list[str]:
    """The verdict's figure: instructions executed by a cold start, counted by callgrind."""
    if not counted:
        return []
    if not counted.get("available"):
        return [f"Instruction count not measured: {counted.get('why')}.", ""]
    rows = [[name, f"{m['cold_start'] / 1e6:,.1f}", ", ".join(f"{v / 1e6:,.1f}" for v in m["process"]),
             f"{m['spread']:.3%}"] for name, m in counted["subjects"].items()]
    out = ["Instructions executed (valgrind `--tool=callgrind`, total `Ir`), import of `lambda_function` + first "
           f"LaunchRequest, {counted['runs']} runs each with the same command lines and environment as the timed "
           "runs below, plus `PYTHONHASHSEED=0`. The count does not depend on machine load, so it decides the "
           "verdict. What both share (interpreter start-up, the harness, the event JSON: "
           f"{counted['harness'] / 1e6:,.1f} M, an entry that does nothing) is subtracted from the whole process.",
           "", _table(["skill", "import + first invoke (M)", "whole process, each run (M)", "spread"], rows), ""]
    for name, ratio in counted["ratio"].items():
        reference = counted["subjects"][name]["reference"]
        out.append(f"Ratio {name}/{reference}: **{ratio:.3f}** (target <= {target}: {_verdict(ratio <= target)}); "
                   f"whole process {counted['process_ratio'][name]:.3f}.  ")
    out += ["", "Commands (the harness alone runs an entry whose `lambda_handler` returns `{}`):", ""]
    out += [f"- {name}: `{line}`" for name, line in counted["commands"].items()]
    return out + [""]


def _warm(part: dict[str, Any] | None) -> list[str]:
    failed = _failed("Warm turns", part)
    if failed is not None:
        return failed
    rows = []
    for name, f in part["ours"].items():
        if not f.get("available"):
            rows.append([name, "n/a", "", "", "", "", "", "", "", f.get("why", "")])
            continue
        rows.append([name, f"{f['p50']:.3f}", f"{f['p90']:.3f}", f"{f['p99']:.3f}", f"{f['max']:.2f}",
                     f"{f['cpu']['p50']:.3f}", f"{f['cpu']['p99']:.3f}",
                     f"{f['ratio_p50']:.2f}", f"{f['ratio_p50_sdk_only']:.2f}", f"\"{f['said']}\""])
    for name, f in part["baseline"].items():
        rows.append([f"baseline {name}", f"{f['p50']:.3f}", f"{f['p90']:.3f}", f"{f['p99']:.3f}", f"{f['max']:.2f}",
                     f"{f['cpu']['p50']:.3f}", f"{f['cpu']['p99']:.3f}", "", "", ""])
    out = ["", "## Warm turns", "",
           f"In-process `handle_event` on the exact envelope a conversation produced, {part['turns_per_type']} turns "
           f"per type after a warm-up; store {part['store']}; load average {part['load_average'][0]:.1f} on this 2-core "
           "machine. Milliseconds, wall clock; CPU = this thread's CPU time (robust to other load on the machine).",
           "",
           _table(["turn", "p50", "p90", "p99", "max", "CPU p50", "CPU p99", "p50 / baseline launch",
                   "p50 / SDK-only launch", "utterance"], rows), ""]
    out += [f"- {name}: {note}" for name, note in part.get("notes", {}).items()]
    return out + [f"- command: `{part['command']}`"]


def _storage(part: dict[str, Any] | None) -> list[str]:
    failed = _failed("Storage cost", part)
    if failed is not None:
        return failed
    if part.get("skipped"):
        return ["", "## Storage cost", "", f"Skipped: {part['skipped']}."]
    rows = []
    for name, row in part["per_turn"].items():
        if row["available"]:
            c = row["in_session"]
            rows.append([name, str(c["reads"]), str(c["writes"]), str(c["other"]), f"\"{row['said']}\""])
        else:
            rows.append([name, "n/a", "", "", "no such intent yet"])
    b = part["baseline_launch"]
    rows.append(["baseline launch", str(b["reads"]), str(b["writes"]), str(b["other"]), ""])
    out = ["", "## Storage cost", "",
           "DynamoDB calls counted with a botocore `before-call.dynamodb` hook on every client, against "
           "DynamoDB Local. Per turn: in an open session, after the turns that lead to it.", "",
           _table(["turn", "reads", "writes", "other", "utterance"], rows), ""]
    for title, key in (("Typical 6-turn conversation", "conversation"), ("Questions-only session", "questions_session")):
        session = part[key]
        reads, writes = sum(r["reads"] for r in session), sum(r["writes"] for r in session)
        out += [f"{title}: **{reads} reads, {writes} writes**: " + "; ".join(
            f"\"{r['said']}\" {r['reads']}r/{r['writes']}w" for r in session), ""]
    return out + [f"- command: `{part['command']}`"]


def _size(part: dict[str, Any] | None) -> list[str]:
    failed = _failed("Size", part)
    if failed is not None:
        return failed
    out = ["", "## Size", ""]
    artifact = part.get("artifact")
    build = part.get("build") or {}
    if artifact:
        out += [f"Artifact `{artifact['directory']}`: {artifact['files']} files, "
                f"**{artifact['unzipped_bytes'] / 1e6:.2f} MB unzipped, {artifact['zipped_bytes'] / 1e6:.2f} MB zipped** "
                f"({artifact['zipped_from']}); ships .pyc: {_pyc(artifact)}.  ",
                "Largest parts: " + ", ".join(f"{n} {s / 1e6:.2f} MB" for n, s in artifact["largest"]) + "."]
        if build.get("command"):
            out.append(f"Built with `{build['command']}` (exit {build['returncode']}).  ")
            out += [f"Build {line}  " for line in build.get("bytecode", [])]
        elif build.get("why"):
            out.append(f"Not rebuilt in this run ({build['why']}).")
    else:
        out.append(f"Artifact: not built yet ({build.get('why') or build.get('output', '')[-300:]}).")
    out += ["", "Peak RSS of a cold invoke (`ru_maxrss` of the child, median):", ""]
    for name, f in part["rss"].items():
        out.append(f"- {name}: " + (f"failed: {f['error']}" if "error" in f else f"**{f['maxrss_mb']:.1f} MB**"))
    return out


def _pyc(artifact: dict[str, Any]) -> str:
    pyc = artifact.get("pyc")
    if not artifact["has_pyc"] or not pyc:
        return "yes" if artifact["has_pyc"] else "no"
    return f"{pyc['files']} files ({', '.join(pyc['tags'])}) for {', '.join(pyc['packages'])}"


def _load(part: dict[str, Any] | None) -> list[str]:
    if part is None:
        return []
    out = ["", "## Web load", ""]
    if not part.get("available"):
        return out + [f"Not run: {part['why']}."]
    if part.get("error"):
        return out + [f"Failed: {part['error']}."]
    out += [f"`{part['command']}` (exit {part['returncode']}), as printed:", "", "```", part["output"], "```"]
    if part.get("stderr"):
        out += ["", "stderr:", "", "```", part["stderr"], "```"]
    return out
