"""Command line: ``python -m skill chat | model | serve``.

Only ``serve`` imports the web service (``skill.web``, with its oscrypto shim and Flask).
"""
from __future__ import annotations

import argparse
import logging
import sys

from skill.simulator import chat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skill", description="Cat Harness Coach")
    commands = parser.add_subparsers(dest="command", required=True)
    chat.add_arguments(commands.add_parser("chat", help="talk to the skill in the terminal"))
    model = commands.add_parser("model", help="regenerate interaction_model/ from skill/interaction/")
    model.add_argument("--check", action="store_true", help="only report stale locale models")
    model.add_argument("--endpoint", help="skill endpoint for skill.json: the stack's SkillEndpointArn or an HTTPS URL")
    serve = commands.add_parser("serve", help="run the skill as a web service (default 127.0.0.1)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind, 0 for any free port (default 8080)")
    serve.add_argument("--skill-id", help="the skill ID to accept (default: $SKILL_ID)")
    serve.add_argument("--insecure-skip-signature-checks", action="store_true",
                       help="DEVELOPMENT ONLY: accept unsigned requests; refused unless --host is loopback")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "chat":
        return chat.main(args)
    if args.command == "serve":
        from skill.web import serve as web_serve

        return web_serve.main(args)
    if args.command == "model":
        from skill import interaction_model

        if args.check:
            stale = interaction_model.stale_models()
            if interaction_model.stale_manifest():
                stale.append("skill.json")
            print("stale: " + ", ".join(stale) if stale else "interaction models are up to date")
            return 1 if stale else 0
        for path in interaction_model.write_models():
            print(f"wrote {path.relative_to(interaction_model.ROOT)}")
        manifest = interaction_model.write_manifest(endpoint=args.endpoint)
        print(f"wrote {manifest.relative_to(interaction_model.ROOT)}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
