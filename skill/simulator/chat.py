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

from skill.practice import check_length
from skill.simulator import envelopes
from skill.simulator.conversation import Conversation, Turn
from skill.simulator.nlu import normalise, parse_duration
from skill.simulator.screen_text import render_text

PROMPT = "you> "
HELP = """Say things as you would to an Echo, e.g.
  open cat harness coach          what's step two          next          repeat that
  is rolling normal                ask cat harness coach whether a collar is okay
Simulator commands: :silence (let the reprompt time out), :new (forget the session), :quit,
  :wait two minutes (fast-forward the simulated Timers API clock; timers that come due ring),
  :tap next (touch a button on the screen, with --device show|spot|tv; :tap goto 3 for a step marker)"""
PERMISSION_QUESTION = ("Do you give Cat Harness Coach permission to update your timers? "
                       "You can say I approve, or no.")


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
        if turn.screen is directive:
            print(textwrap.indent("\n".join(render_text(directive)), "    "))
        if directive.get("type") == "Connections.SendRequest":
            print(f"alexa (asking for the skill)> {PERMISSION_QUESTION}")
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
        "screen": render_text(turn.screen) if turn.screen else None,
        "session_open": (turn.response is not None and not turn.ends_session
                         and (turn.request or {}).get("request", {}).get("type") != "SessionEndedRequest"),
        "handled": turn.response is not None,
    }


def _wait_seconds(text: str) -> float | None:
    """ ":wait 90", ":wait two minutes" -> seconds to fast-forward."""
    words = normalise(text)
    if words.replace(".", "", 1).isdigit():
        return float(words)
    check = check_length(parse_duration(words))
    return float(check.seconds) if check.seconds is not None else None


def _wait(conversation: Conversation, text: str) -> str:
    seconds = _wait_seconds(text)
    if conversation.timers is None or seconds is None:
        return "(say how long to wait, e.g. :wait two minutes; needs the Timers API emulation)"
    conversation.timers.advance(seconds)
    return f"(fast-forwarded {seconds:g} seconds on the simulated clock)"


def _tap(conversation: Conversation, text: str) -> Turn:
    """ ":tap next", ":tap start_session", ":tap goto 3" -> the touch event of that button or marker."""
    words = text.split()
    action = words[0] if words else ""
    if action == "goto" and len(words) > 1 and words[1].isdigit():
        return conversation.tap("goto", int(words[1]))
    return conversation.tap(action.replace("-", "_"))


def _permission_auto_answer(conversation: Conversation, answer: str | None) -> Turn | None:
    """With --timers-permission denied, Alexa's permission question is refused without asking."""
    if conversation.permission_question is not None and answer:
        return conversation.answer_permission(answer)
    return None


def run_script(conversation: Conversation, lines: list[str], auto_answer: str | None = None) -> int:
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(":wait"):
            print(json.dumps({"simulator": _wait(conversation, line[len(":wait"):])}))
            continue
        if line.startswith(":tap"):
            turn = _tap(conversation, line[len(":tap"):])
        else:
            turn = conversation.silence() if line == ":silence" else conversation.say(line)
        print(json.dumps(turn_json(turn), ensure_ascii=False))
        if conversation.permission_question is not None:
            print(json.dumps({"alexa_asks": PERMISSION_QUESTION}))
        answered = _permission_auto_answer(conversation, auto_answer)
        if answered is not None:
            print(json.dumps(turn_json(answered), ensure_ascii=False))
    return 0


def run_interactive(conversation: Conversation, auto_answer: str | None = None) -> int:
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
        if line.startswith(":wait"):
            print("  " + _wait(conversation, line[len(":wait"):]))
            continue
        if line == ":silence":
            if conversation.in_session or conversation.permission_question is not None:
                _print_turn(conversation.silence())
            continue
        if line.startswith(":tap"):
            tapped = _tap(conversation, line[len(":tap"):])
            if tapped.response is None:
                print("  (nothing to tap there: the screen shows no such button, or no session is open)")
            else:
                _print_turn(tapped)
            continue
        _print_turn(conversation.say(line))
        answered = _permission_auto_answer(conversation, auto_answer)
        if answered is not None:
            print("you (to Alexa's permission question)> no")
            _print_turn(answered)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--say", action="append", default=[], help="an utterance; repeat for a script (JSON out)")
    parser.add_argument("--user", default="local-user", help="user id, so progress persists between runs")
    parser.add_argument("--locale", default="en-US")
    parser.add_argument("--timers-permission", choices=("ask", "granted", "denied"), default="ask",
                        help="timers permission: not yet given (Alexa asks, you answer), already granted, "
                             "or refused whenever Alexa asks")
    parser.add_argument("--deny-timers", action="store_const", const="denied", dest="timers_permission",
                        help="same as --timers-permission denied")
    parser.add_argument("--timers-fault", choices=("none", "500", "403", "timeout"), default="none",
                        help="make the emulated Timers API fail this way on every call")
    parser.add_argument("--no-timers", action="store_true",
                        help="a device with no Timers API at all (no apiEndpoint in requests)")
    parser.add_argument("--device", choices=sorted(envelopes.DEVICES), default="dot",
                        help="the device: dot (no screen, the default), show (Echo Show 8), spot (round hub), tv")


def _ring_printer(script: bool):
    def ring(timer) -> None:
        if script:
            print(json.dumps({"ring": timer.announce_text, "label": timer.label}), flush=True)
        else:
            print(f"\n  *** the Echo rings ({timer.label}) and says: {timer.announce_text}", flush=True)
    return ring


def main(args: argparse.Namespace) -> int:
    from skill.simulator.timers_api import TimersApiEmulator

    lines = args.say or (None if sys.stdin.isatty() else sys.stdin.read().splitlines())
    granted = args.timers_permission == "granted"
    with TimersApiEmulator(granted=granted, on_ring=_ring_printer(lines is not None)) as timers:
        if args.timers_fault != "none":
            timers.fault = "timeout" if args.timers_fault == "timeout" else int(args.timers_fault)
        conversation = Conversation(user_id=f"amzn1.ask.account.{args.user}", locale=args.locale, timers=timers,
                                    device=envelopes.DEVICES[args.device]())
        if args.no_timers:
            conversation.device.api_endpoint = ""
        if granted:
            conversation.grant_timers()
        auto_answer = "DENIED" if args.timers_permission == "denied" else None
        if lines is not None:
            return run_script(conversation, lines, auto_answer)
        return run_interactive(conversation, auto_answer)
