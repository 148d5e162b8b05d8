"""Warm turns: in-process latency per turn type over thousands of turns, against the baseline's launch.

The skill is built once, as in a warm Lambda container. Each turn type is reached by a real
conversation through the simulator (so its session attributes are what Alexa would send), then
that exact request envelope goes through ``handle_event`` again and again. The baseline's
launch turn (stock DynamoDbAdapter, one GetItem) is timed in the same process, plus the same
handler without the read, to show bare SDK dispatch.

    python -m bench.warm_turns [--turns 2000] [--endpoint URL] [--quick] [--json out.json]
"""
from __future__ import annotations

import contextlib
import copy
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench import common, turns

TARGET_P50_RATIO = 1.5
TARGET_P99_MS = 10.0
HELD_TO_TARGET = ("question", "step navigation")
WARMUP = 50


def time_turns(handler: Callable[[dict[str, Any]], Any], event: dict[str, Any], count: int) -> list[float]:
    """Latency of ``count`` calls in milliseconds, after a warm-up that fills caches as a warm container has."""
    for _ in range(WARMUP):
        handler(copy.deepcopy(event))
    events = [copy.deepcopy(event) for _ in range(count)]
    latencies = []
    clock = time.perf_counter_ns
    for body in events:
        started = clock()
        handler(body)
        latencies.append((clock() - started) / 1e6)
    return latencies


def load_baseline() -> Any:
    spec = importlib.util.spec_from_file_location("bench_baseline_lambda", common.BASELINE_DIR / "lambda_function.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def timers_emulation(conversation: Any) -> Iterator[str]:
    """The Alexa Timers API emulation from the timer issue, when this tree has it."""
    if not common.module_present("skill.simulator.timers_api"):
        yield "no Timers API emulation in this tree"
        return
    from skill.simulator import timers_api

    start = getattr(timers_api, "serve", None) or getattr(timers_api, "start", None)
    if start is None:
        yield "skill.simulator.timers_api has no serve()/start()"
        return
    server = start()
    endpoint = getattr(server, "endpoint", None) or getattr(server, "url", None)
    if endpoint:
        conversation.device.api_endpoint = endpoint
    try:
        yield f"Timers API emulation at {endpoint}"
    finally:
        stop = getattr(server, "stop", None) or getattr(server, "shutdown", None)
        if stop:
            stop()


def measure(endpoint: str | None, count: int) -> dict[str, Any]:
    os.environ.update(common.our_env(endpoint))
    sys.path.insert(0, str(common.ROOT))
    from skill.builder import build_skill, handle_event
    from skill.config import Settings
    from skill.simulator.conversation import Conversation

    skill = build_skill(Settings.from_env())

    def ours(event: dict[str, Any]) -> dict[str, Any]:
        return handle_event(event, skill=skill)

    results: dict[str, Any] = {"turns_per_type": count, "store": os.environ["CHC_STORE"], "ours": {}, "notes": {}}
    conversation = Conversation(handler=ours, user_id="amzn1.ask.account.bench-warm")
    with timers_emulation(conversation) as timer_note:
        results["notes"]["timer start"] = timer_note
        for kind in (turns.LAUNCH, *turns.WARM_TURNS):
            turn = kind.reach(conversation)
            if turn is None:
                results["ours"][kind.name] = {"available": False, "why": "no such intent in this tree's model yet"}
                continue
            if "something went wrong" in turn.speech:
                raise RuntimeError(f"{kind.name}: the skill answered with its error apology")
            latencies = time_turns(ours, turn.request, count)
            results["ours"][kind.name] = {"available": True, "said": turn.said, "intent": turn.intent,
                                          **common.summary(latencies)}

    baseline = load_baseline()
    launch = common.launch_event()
    results["baseline"] = {"launch (GetItem)": common.summary(time_turns(
        lambda ev: baseline.lambda_handler(ev, None), launch, count))}
    baseline.READ_ON_LAUNCH = False
    results["baseline"]["launch (SDK only)"] = common.summary(time_turns(
        lambda ev: baseline.lambda_handler(ev, None), launch, count))

    reference = results["baseline"]["launch (GetItem)"]["p50"]
    sdk_only = results["baseline"]["launch (SDK only)"]["p50"]
    for figures in results["ours"].values():
        if figures.get("available"):
            figures["ratio_p50"] = figures["p50"] / reference
            figures["ratio_p50_sdk_only"] = figures["p50"] / sdk_only
    results["targets"] = {"p50_ratio": TARGET_P50_RATIO, "p99_ms": TARGET_P99_MS, "held": list(HELD_TO_TARGET)}
    results["command"] = common.command_line(
        [common.PYTHON, "-m", "bench.warm_turns", "--turns", str(count), "--endpoint", endpoint or "(none)"],
        cwd=common.ROOT)
    return results


def print_results(results: dict[str, Any]) -> None:
    print(f"warm turns: {results['turns_per_type']} per type, in-process, store {results['store']}")
    print(f"{'turn':20}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}  p50/baseline  p50/SDK-only   utterance")
    for name, f in results["ours"].items():
        if not f.get("available"):
            print(f"{name:20}  n/a: {f['why']}")
            continue
        held = name in HELD_TO_TARGET
        verdict = ""
        if held:
            ok = f["ratio_p50"] <= TARGET_P50_RATIO and f["p99"] <= TARGET_P99_MS
            verdict = "  meets" if ok else "  MISSES"
        print(f"{name:20}{f['p50']:>9.3f}{f['p90']:>9.3f}{f['p99']:>9.3f}{f['max']:>9.2f}"
              f"{f['ratio_p50']:>14.2f}{f['ratio_p50_sdk_only']:>14.2f}   \"{f['said']}\"{verdict}")
    for name, f in results["baseline"].items():
        print(f"baseline {name:11}{f['p50']:>9.3f}{f['p90']:>9.3f}{f['p99']:>9.3f}{f['max']:>9.2f}")
    print(f"targets: question/navigation p50 <= {TARGET_P50_RATIO} x baseline launch p50, p99 <= {TARGET_P99_MS} ms")
    for name, note in results["notes"].items():
        print(f"note ({name}): {note}")
    print(f"command: {results['command']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = common.arguments(__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=2000)
    args = parser.parse_args(argv)
    count = min(args.turns, 300) if args.quick else args.turns
    with common.dynamodb(args.endpoint) as endpoint:
        if endpoint:
            common.create_tables(endpoint)
        results = measure(endpoint, count)
    print_results(results)
    common.write_json(args.json, results)
    return results


if __name__ == "__main__":
    main()
