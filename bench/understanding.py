"""Understanding: how often the skill answers the owner utterance bank right, per area and part.

Both parts of the bank (tuning, and the held-out check part), each two ways: through the
simulator's exact-template NLU (``exact``), and with every utterance handed to the SearchQuery
intent (``free_text``, an optimistic NLU). Also urgent recall, the false-urgent rate and the most
confused label pairs. ``python -m bench.understanding`` prints the table; the bench report keeps it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from skill.simulator.scoring import Report, evaluate
from skill.understanding import bank


def figures(report: Report) -> dict[str, Any]:
    return {
        "utterances": len(report.outcomes),
        "accuracy": round(report.accuracy, 4),
        "by_area": {area: {"right": r, "of": n, "accuracy": round(r / n, 4)} for area, (r, n) in report.by_area().items()},
        "urgent_recall": round(report.urgent_recall, 4),
        "false_urgent": round(report.false_urgent, 4),
        "confused": [{"wanted": w, "answered": a, "times": n} for (w, a), n in report.confused(8)],
    }


def run() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part_name, utterances in (("tuning", bank.tuning()), ("check", bank.check())):
        for mode in ("exact", "free_text"):
            started = time.perf_counter()
            report = evaluate(utterances, mode)
            out[f"{part_name}/{mode}"] = {**figures(report), "seconds": round(time.perf_counter() - started, 1)}
    return out


def table(results: dict[str, Any]) -> str:
    keys = list(results)
    areas = sorted({a for r in results.values() for a in r["by_area"]})
    lines = ["| area | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for area in areas:
        cells = []
        for key in keys:
            a = results[key]["by_area"].get(area)
            cells.append(f"{a['accuracy']:.1%} ({a['right']}/{a['of']})" if a else "-")
        lines.append(f"| {area} | " + " | ".join(cells) + " |")
    lines.append("| **all** | " + " | ".join(f"**{results[k]['accuracy']:.1%}** ({results[k]['utterances']})" for k in keys) + " |")
    lines.append("| urgent recall | " + " | ".join(f"{results[k]['urgent_recall']:.1%}" for k in keys) + " |")
    lines.append("| false urgent | " + " | ".join(f"{results[k]['false_urgent']:.1%}" for k in keys) + " |")
    confused = results.get("check/exact", {}).get("confused", [])
    if confused:
        lines.append("\nMost confused on the check part (exact NLU): " + "; ".join(
            f"{c['wanted']} → {c['answered']} ×{c['times']}" for c in confused))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.understanding", description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--quick", action="store_true", help="accepted for the bench runner; the bank is small")
    parser.add_argument("--endpoint", help="accepted for the bench runner; understanding needs no database")
    args = parser.parse_args(argv)
    results = run()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
