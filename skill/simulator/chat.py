"""``python -m skill chat``: type what you would say to an Echo, see what Alexa would say back.

Interactive by default; ``--say`` (repeatable) or piped stdin runs a script and prints JSON, one
object per turn, for use in shell scripts and CI.
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from skill.simulator.conversation import Conversation, Turn

PROMPT = "you> "
HELP = """Say things as you would to an Echo, e.g.
  open cat harness coach          what's step two          next          repeat that
  is rolling normal                ask cat harness coach whether a collar is okay
Simulator commands: :silence (let the reprompt time out), :new (forget the session), :quit"""


def _print_turn(turn: Turn) -> None:
    if turn.response is None:
        print("(no skill session is open: start with 'open cat harness coach' or 'ask cat harness coach ...')")
        return
    if turn.intent:
        slots = ", ".join(f"{k}={v}" for k, v in turn.slots.items())
        print(f"  [{turn.intent}{' ' + slots if slots else ''}]")
    if turn.speech:
        print(textwrap.fill(turn.speech, width=100, initial_indent="alexa> ", subsequent_indent="       "))
    if turn.card:
        title = turn.card.get("title", "")
        body = turn.card.get("content", "")
        print(f"  card: {title}")
        print(textwrap.indent(body, "    | "))
    for directive in turn.directives:
        print(f"  directive: {directive.get('type')}")
    print("  (session ended)" if turn.ends_session or turn.request and turn.request["request"]["type"]
          == "SessionEndedRequest" else "  (listening...)")


def turn_json(turn: Turn) -> dict[str, Any]:
    return {
        "said": turn.said,
        "intent": turn.intent,
        "slots": turn.slots,
        "speech": turn.speech,
        "reprompt": turn.reprompt,
        "card": turn.card,
        "directives": turn.directives,
        "session_open": turn.response is not None and not turn.ends_session,
        "handled": turn.response is not None,
    }


def run_script(conversation: Conversation, lines: list[str]) -> int:
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        turn = conversation.silence() if line == ":silence" else conversation.say(line)
        print(json.dumps(turn_json(turn), ensure_ascii=False))
    return 0


def run_interactive(conversation: Conversation) -> int:
    print(HELP)
    while True:
        try:
            line = input(PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line:
            continue
        if line in {":quit", ":q", ":exit"}:
            return 0
        if line == ":new":
            conversation.session = None
            print("  (session forgotten)")
            continue
        if line == ":silence":
            if conversation.in_session:
                _print_turn(conversation.silence())
            continue
        _print_turn(conversation.say(line))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--say", action="append", default=[], help="an utterance; repeat for a script (JSON out)")
    parser.add_argument("--user", default="local-user", help="user id, so progress persists between runs")
    parser.add_argument("--locale", default="en-US")


def main(args: argparse.Namespace) -> int:
    conversation = Conversation(user_id=f"amzn1.ask.account.{args.user}", locale=args.locale)
    if args.say:
        return run_script(conversation, args.say)
    if not sys.stdin.isatty():
        return run_script(conversation, sys.stdin.read().splitlines())
    return run_interactive(conversation)
