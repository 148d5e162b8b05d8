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
