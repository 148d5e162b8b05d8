"""``python -m skill serve``: the web service on a local port, for development and smoke tests.

Production runs the same app under a real WSGI server (``gunicorn 'skill.web:create_app()'``)
behind TLS; this command uses werkzeug's threaded server and binds to loopback unless told otherwise.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import sys

from skill.config import Settings

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to bind, 0 for any free port (default 8080)")
    parser.add_argument("--skill-id", help="the skill ID to accept (default: $SKILL_ID)")
    parser.add_argument("--insecure-skip-signature-checks", action="store_true",
                        help="DEVELOPMENT ONLY: accept unsigned requests; refused unless --host is loopback")


def main(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from skill.web import ConfigurationError, create_app

    settings = Settings.from_env()
    if args.skill_id:
        settings = dataclasses.replace(settings, skill_id=args.skill_id)
    try:
        app = create_app(settings,
                         insecure_skip_signature_on_loopback=args.host if args.insecure_skip_signature_checks else None)
    except ConfigurationError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 2
    server = make_server(args.host, args.port, app, threaded=True)
    print(f"serving Cat Harness Coach on http://{args.host}:{server.server_port}/ (health: /health)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
