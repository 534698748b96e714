"""The `achats` command: init, seed-demo, create-user, create-token, serve and the scheduled jobs."""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def _create_app(*_: Any) -> Flask:
    from achats import create_app

    return create_app()


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        # The server's master process needs no application: FlaskGroup would build one (87 MiB,
        # and imports such as ssl, urllib3 and redis before the gevent workers patch them).
        serve_command.main(args=sys.argv[2:], prog_name="achats serve")
        return
    group = FlaskGroup(name="achats", create_app=_create_app, add_version_option=False, load_dotenv=False,
                       set_debug_flag=False, help="Administration de la plateforme Achats.")
    group.main(prog_name="achats")


def init_cli(app: Flask) -> None:
    for command in (init_command, seed_demo_command, create_user_command, create_token_command,
                    serve_command, send_reminders_command, send_digests_command, send_mail_command):
        app.cli.add_command(command)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database to the latest migration (idempotent)."""
    from flask_migrate import upgrade

    upgrade(revision="heads")
    click.echo("Base de données à jour.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no account yet.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo content (idempotent)."""
    from sqlalchemy import func, select

    from achats.auth.models import User
    from achats.demo import seed_all
    from achats.platform.extensions import db

    if if_empty and (db.session.scalar(select(func.count(User.id))) or 0) > 0:
        click.echo("Données déjà présentes : démonstration non rechargée.")
        return

    for line in seed_all():
        click.echo(line)


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["member", "expert", "moderator", "admin"]), default="member")
@click.option("--organisation", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--pending", is_flag=True, help="Awaiting a moderator's approval.")
@with_appcontext
def create_user_command(email: str, name: str, role: str, organisation: str | None,
                        password_stdin: bool, pending: bool) -> None:
    """Create a confirmed account and print its id."""
    from achats.auth.services import AccountError, create_account
    from achats.platform.extensions import db

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = create_account(db.session, email=email, name=name, role=role,
                              organisation_name=organisation, password=password, pending=pending)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(user.id)


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="jeton CLI")
@with_appcontext
def create_token_command(email: str, name: str) -> None:
    """Create a personal API token and print it once."""
    from achats.auth.services import AccountError, create_api_token, find_user_by_email
    from achats.platform.extensions import db

    user = find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"Aucun compte pour {email}")
    try:
        _, secret = create_api_token(db.session, user, name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(secret)


@click.command("serve")
@click.option("--host", default=None, help="Default 127.0.0.1 (ACHATS_HOST).")
@click.option("--port", type=int, default=None, help="Default 5000 (ACHATS_PORT).")
@click.option("--workers", type=int, default=None, help="Processes; more than one needs ACHATS_REDIS_URL.")
def serve_command(host: str | None, port: int | None, workers: int | None) -> None:
    """Production server: gunicorn with gevent workers (HTTP and WebSocket)."""
    from achats.platform.server import run_server

    run_server(
        host=host or os.environ.get("ACHATS_HOST", "127.0.0.1"),
        port=port or int(os.environ.get("ACHATS_PORT", "5000")),
        workers=workers,
    )


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Retry the outbox: every mail due and not yet sent."""
    from achats.platform.mail import deliver

    sent = deliver(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"{sent} message(s) envoyé(s).")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Scheduled job: event reminders (with the events feature) and the mail retry queue."""
    from achats.platform.jobs import run_job

    for line in run_job("reminders"):
        click.echo(line)


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Scheduled job: e-mail digests (with watch levels) and the mail retry queue."""
    from achats.platform.jobs import run_job

    for line in run_job("digests"):
        click.echo(line)
