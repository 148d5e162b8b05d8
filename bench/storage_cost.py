"""Storage cost: DynamoDB reads and writes per turn type and per typical conversation.

Both skills run against DynamoDB Local. Every botocore client created in this process gets a
``before-call.dynamodb`` event hook (installed by wrapping ``botocore.session.Session.create_client``
before either skill is imported), so each API call the skill makes is counted by operation,
whichever boto3 session or resource it came from.

    python -m bench.storage_cost [--endpoint URL] [--json out.json]
"""
from __future__ import annotations

import os
import sys
import uuid
from collections import Counter
from typing import Any

from bench import common, turns

READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
QUESTIONS_SESSION = (turns.OPEN, "what is clicker training", "which harness should i get",
                     "what if my cat freezes when we go outside", "what is clicker training")


class CallCounter:
    """Counts DynamoDB API calls by operation name through botocore's event system."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def install(self) -> None:
        import botocore.session

        original = botocore.session.Session.create_client
        counter = self

        def create_client(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
            client = original(session, service_name, *args, **kwargs)
            if service_name == "dynamodb":
                client.meta.events.register("before-call.dynamodb", counter._count)
            return client

        botocore.session.Session.create_client = create_client

    def _count(self, model: Any = None, **_: Any) -> None:
        self.calls[model.name] += 1

    def take(self) -> dict[str, Any]:
        """Reads, writes and other calls since the last take."""
        calls, self.calls = self.calls, Counter()
        return {
            "reads": sum(n for op, n in calls.items() if op in READS),
            "writes": sum(n for op, n in calls.items() if op in WRITES),
            "other": sum(n for op, n in calls.items() if op not in READS | WRITES),
            "operations": dict(calls),
        }


def _conversation(handler: Any) -> Any:
    from skill.simulator.conversation import Conversation

    return Conversation(handler=handler, user_id=f"amzn1.ask.account.bench-storage-{uuid.uuid4()}")


def measure(endpoint: str) -> dict[str, Any]:
    counter = CallCounter()
    counter.install()
    os.environ.update(common.our_env(endpoint))
    sys.path.insert(0, str(common.ROOT))
    from skill.builder import build_skill, handle_event
    from skill.config import Settings

    skill = build_skill(Settings.from_env())

    def ours(event: dict[str, Any]) -> dict[str, Any]:
        return handle_event(event, skill=skill)

    results: dict[str, Any] = {"per_turn": {}, "conversation": [], "questions_session": []}
    for kind in (turns.LAUNCH, *turns.WARM_TURNS, turns.STOP):
        conversation = _conversation(ours)
        for line in kind.before:
            conversation.say(line)
        counter.take()
        turn = None
        for sentence in kind.candidates:
            turn = conversation.say(sentence)
            if kind.accepts(turn.intent):
                break
            turn = None
        cost = counter.take()
        if turn is None:
            results["per_turn"][kind.name] = {"available": False}
            continue
        # The same turn for a returning user in a new session: what a later visit costs.
        results["per_turn"][kind.name] = {"available": True, "said": turn.said, "in_session": cost}

    progress = turns.PROGRESS.reach(_conversation(ours))
    script = [progress.said if line == "we finished step one" and progress else line for line in turns.CONVERSATION]
    results["conversation"] = _script(ours, counter, script)
    results["questions_session"] = _script(ours, counter, QUESTIONS_SESSION)

    baseline = _load_baseline(endpoint)
    counter.take()
    baseline.lambda_handler(common.launch_event(), None)
    results["baseline_launch"] = counter.take()
    results["store"] = f"dynamodb ({endpoint})"
    results["persistence_present"] = common.module_present("skill.persistence")
    results["command"] = common.command_line([common.PYTHON, "-m", "bench.storage_cost", "--endpoint", endpoint],
                                             cwd=common.ROOT)
    return results


def _script(handler: Any, counter: CallCounter, script: Any) -> list[dict[str, Any]]:
    conversation = _conversation(handler)
    counter.take()
    rows = []
    for line in script:
        turn = conversation.say(line)
        rows.append({"said": line, "intent": turn.intent or ("LaunchRequest" if turn.request else None),
                     **counter.take()})
    return rows


def _load_baseline(endpoint: str) -> Any:
    os.environ.update(common.baseline_env(endpoint))
    from bench.warm_turns import load_baseline

    return load_baseline()


def _totals(rows: list[dict[str, Any]]) -> tuple[int, int]:
    return sum(r["reads"] for r in rows), sum(r["writes"] for r in rows)


def print_results(results: dict[str, Any]) -> None:
    print(f"storage cost: DynamoDB calls counted with botocore before-call hooks, store {results['store']}")
    print(f"{'turn':20}{'reads':>7}{'writes':>8}{'other':>7}   utterance")
    for name, row in results["per_turn"].items():
        if not row["available"]:
            print(f"{name:20}  n/a: no such intent in this tree's model yet")
            continue
        c = row["in_session"]
        print(f"{name:20}{c['reads']:>7}{c['writes']:>8}{c['other']:>7}   \"{row['said']}\"")
    for title, key in (("typical 6-turn conversation", "conversation"), ("questions-only session", "questions_session")):
        reads, writes = _totals(results[key])
        print(f"{title}: {reads} reads, {writes} writes")
        for row in results[key]:
            print(f"    {row['reads']} r {row['writes']} w  {row['said']!r} -> {row['intent']}")
    b = results["baseline_launch"]
    print(f"baseline launch: {b['reads']} reads, {b['writes']} writes")
    print(f"command: {results['command']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = common.arguments(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    with common.dynamodb(args.endpoint) as endpoint:
        if not endpoint:
            results = {"skipped": "no DynamoDB Local"}
        else:
            common.create_tables(endpoint)
            results = measure(endpoint)
            print_results(results)
    common.write_json(args.json, results)
    return results


if __name__ == "__main__":
    main()
