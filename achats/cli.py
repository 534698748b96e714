"""The `achats` command's entry point and `achats serve`: the composition root, beside create_app.

Every other command comes from the app (the platform's and the features' declarations)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app(*_: Any) -> Flask:
    from achats import create_app

    return create_app()


@click.command("serve")
@click.option("--host", default=None, help="Default 127.0.0.1 (ACHATS_HOST).")
@click.option("--port", type=int, default=None, help="Default 5000 (ACHATS_PORT).")
@click.option("--workers", type=int, default=None, help="Processes; more than one needs ACHATS_REDIS_URL.")
def serve_command(host: str | None, port: int | None, workers: int | None) -> None:
    """Production server: gunicorn with gevent workers (HTTP and WebSocket), plus the task consumer."""
    from achats.server import run_server

    run_server(
        host=host or os.environ.get("ACHATS_HOST", "127.0.0.1"),
        port=port or int(os.environ.get("ACHATS_PORT", "5000")),
        workers=workers,
    )


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        # The server's master process needs no application: FlaskGroup would build one (87 MiB,
        # and imports such as ssl, urllib3 and redis before the gevent workers patch them).
        serve_command.main(args=sys.argv[2:], prog_name="achats serve")
        return
    group = FlaskGroup(name="achats", create_app=_create_app, add_version_option=False, load_dotenv=False,
                       set_debug_flag=False, help="Administration de la plateforme Achats.")
    group.add_command(serve_command)
    group.main(prog_name="achats")
