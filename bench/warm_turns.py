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
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from bench import common, turns

TARGET_P50_RATIO = 1.5
TARGET_P99_MS = 10.0
HELD_TO_TARGET = ("question", "step navigation")
WARMUP = 50
TIMER_SHARE = 4  # timer turns make a real HTTPS call to the emulation: a quarter as many


def time_turns(handler: Callable[[dict[str, Any]], Any], event: dict[str, Any], count: int,
               fresh_users: bool = False) -> tuple[list[float], list[float], str]:
    """Wall and CPU milliseconds of ``count`` calls, after a warm-up that fills caches as a warm container has.

    CPU time (this thread's) is reported beside wall time because other work on a shared 2-core
    machine inflates wall time, not CPU time. ``fresh_users`` gives every call its own user id, so
    a turn that saves (a progress update) is a first save each time instead of repeating itself on
    a record it already changed. Also returns the plain speech of the last answer.
    """
    for _ in range(WARMUP):
        handler(_copy(event, fresh_users))
    events = [_copy(event, fresh_users) for _ in range(count)]
    wall, cpu = [], []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    response: Any = None
    for body in events:
        started, started_cpu = clock(), cpu_clock()
        response = handler(body)
        cpu.append((cpu_clock() - started_cpu) / 1e6)
        wall.append((clock() - started) / 1e6)
    ssml = ((response or {}).get("response") or {}).get("outputSpeech", {}).get("ssml", "")
    return wall, cpu, _plain(ssml)


def _copy(event: dict[str, Any], fresh_user: bool) -> dict[str, Any]:
    body = copy.deepcopy(event)
    if fresh_user:
        user = f"amzn1.ask.account.bench-{uuid.uuid4()}"
        body["context"]["System"]["user"]["userId"] = user
        if body.get("session"):
            body["session"]["user"]["userId"] = user
    return body


def _plain(ssml: str) -> str:
    from skill.speech import plain_text

    return plain_text(ssml)


def load_baseline() -> Any:
    spec = importlib.util.spec_from_file_location("bench_baseline_lambda", common.BASELINE_DIR / "lambda_function.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def timers_emulation() -> Iterator[Any]:
    """The Alexa Timers API emulation from the timer issue (HTTPS on loopback), when this tree has it."""
    if not common.module_present("skill.simulator.timers_api"):
        yield None
        return
    from skill.simulator.timers_api import TimersApiEmulator

    emulator = TimersApiEmulator(ring_in_real_time=False).start()
    # One start replayed thousands of times: measure the turn, not the service's ten-timer limit.
    emulator.max_timers = 10**9
    try:
        yield emulator
    finally:
        emulator.stop()


def measure(endpoint: str | None, count: int) -> dict[str, Any]:
    os.environ.update(common.our_env(endpoint))
    sys.path.insert(0, str(common.ROOT))
    from skill.builder import build_skill, handle_event
    from skill.config import Settings
    from skill.simulator.conversation import Conversation

    results: dict[str, Any] = {"turns_per_type": count, "store": os.environ["CHC_STORE"], "ours": {}, "notes": {}}
    with timers_emulation() as timers:
        options = {"api_client": timers.api_client()} if timers is not None else {}
        skill = build_skill(Settings.from_env(), **options)

        def ours(event: dict[str, Any]) -> dict[str, Any]:
            return handle_event(event, skill=skill)

        conversation = Conversation(handler=ours, user_id=f"amzn1.ask.account.bench-warm-{uuid.uuid4()}",
                                    **({"timers": timers} if timers is not None else {}))
        if timers is not None:
            conversation.grant_timers()
            results["notes"]["timer start"] = (f"Timers API emulation over HTTPS at {timers.endpoint}; "
                                               f"{count // TIMER_SHARE} turns")
        else:
            results["notes"]["timer start"] = "no Timers API emulation in this tree"
        for kind in (turns.LAUNCH, *turns.WARM_TURNS):
            turn = kind.reach(conversation)
            if turn is None:
                results["ours"][kind.name] = {"available": False, "why": "no such intent in this tree's model yet"}
                continue
            if "something went wrong" in turn.speech:
                raise RuntimeError(f"{kind.name}: the skill answered with its error apology")
            n = count // TIMER_SHARE if kind is turns.TIMER else count
            api_calls = len(timers.calls) if timers is not None else 0
            wall, cpu, speech = time_turns(ours, turn.request, n, fresh_users=kind is turns.PROGRESS)
            if kind is turns.TIMER and timers is not None:
                per_turn = (len(timers.calls) - api_calls) / (n + WARMUP)
                results["notes"]["timer start"] += f", {per_turn:.1f} Timers API calls per turn"
            if speech != turn.speech:
                results["notes"][kind.name] = f"repeated turns answered differently: {speech[:120]!r}"
            results["ours"][kind.name] = {"available": True, "said": turn.said, "intent": turn.intent,
                                          **common.summary(wall), "cpu": common.summary(cpu)}

    baseline = load_baseline()
    launch = common.launch_event()
    results["baseline"] = {}
    for name, read in (("launch (GetItem)", True), ("launch (SDK only)", False)):
        baseline.READ_ON_LAUNCH = read
        wall, cpu, _ = time_turns(lambda ev: baseline.lambda_handler(ev, None), launch, count)
        results["baseline"][name] = {**common.summary(wall), "cpu": common.summary(cpu)}

    reference = results["baseline"]["launch (GetItem)"]["p50"]
    sdk_only = results["baseline"]["launch (SDK only)"]["p50"]
    reference_cpu = results["baseline"]["launch (GetItem)"]["cpu"]["p50"]
    for figures in results["ours"].values():
        if figures.get("available"):
            figures["ratio_p50"] = figures["p50"] / reference
            figures["ratio_p50_sdk_only"] = figures["p50"] / sdk_only
            figures["ratio_cpu_p50"] = figures["cpu"]["p50"] / reference_cpu
    results["load_average"] = os.getloadavg()
    results["targets"] = {"p50_ratio": TARGET_P50_RATIO, "p99_ms": TARGET_P99_MS, "held": list(HELD_TO_TARGET)}
    results["command"] = common.command_line(
        [common.PYTHON, "-m", "bench.warm_turns", "--turns", str(count), "--endpoint", endpoint or "(none)"],
        cwd=common.ROOT)
    return results


def print_results(results: dict[str, Any]) -> None:
    print(f"warm turns: {results['turns_per_type']} per type, in-process, store {results['store']}")
    print(f"load average during the run: {results['load_average'][0]:.1f} (on {os.cpu_count()} cores)")
    print(f"{'turn':20}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}  p50/baseline  p50/SDK-only  cpu p50  cpu p99   utterance")
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
              f"{f['ratio_p50']:>14.2f}{f['ratio_p50_sdk_only']:>14.2f}{f['cpu']['p50']:>9.3f}{f['cpu']['p99']:>9.3f}"
              f"   \"{f['said']}\"{verdict}")
    for name, f in results["baseline"].items():
        print(f"baseline {name:11}{f['p50']:>9.3f}{f['p90']:>9.3f}{f['p99']:>9.3f}{f['max']:>9.2f}"
              f"{'':28}{f['cpu']['p50']:>9.3f}{f['cpu']['p99']:>9.3f}")
    print(f"targets: question/navigation p50 <= {TARGET_P50_RATIO} x baseline launch p50, p99 <= {TARGET_P99_MS} ms")
    for name, note in results["notes"].items():
        print(f"note ({name}): {note}")
    print(f"command: {results['command']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    return common.run_counted(__doc__, "turns", 2000, 300, measure, print_results, argv)


if __name__ == "__main__":
    main()
