"""The `achats` command: init, seed-demo, serve, worker, the scheduled jobs (features add theirs)."""

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
    for command in (init_command, seed_demo_command, serve_command, worker_command, send_reminders_command,
                    send_digests_command, send_mail_command, cpu_task_command):
        app.cli.add_command(command)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database to the latest migration (idempotent)."""
    from flask_migrate import upgrade

    from achats.platform.extensions import db
    from achats.platform.tags import ensure_tags

    upgrade(revision="heads")
    created = ensure_tags(db.session)
    db.session.commit()
    click.echo("Base de données à jour." + (f" {created} étiquette(s) de la taxonomie créée(s)." if created else ""))


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when no demo content is there yet.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo content of every feature, in order (idempotent)."""
    from achats.platform.features import registry

    seeders = registry().demo_seeders
    if if_empty and any(s.present is not None and s.present() for s in seeders):
        click.echo("Données déjà présentes : démonstration non rechargée.")
        return
    for seeder in seeders:
        for line in seeder.seed():
            click.echo(line)


@click.command("serve")
@click.option("--host", default=None, help="Default 127.0.0.1 (ACHATS_HOST).")
@click.option("--port", type=int, default=None, help="Default 5000 (ACHATS_PORT).")
@click.option("--workers", type=int, default=None, help="Processes; more than one needs ACHATS_REDIS_URL.")
def serve_command(host: str | None, port: int | None, workers: int | None) -> None:
    """Production server: gunicorn with gevent workers (HTTP and WebSocket), plus the task consumer."""
    from achats.platform.server import run_server

    run_server(
        host=host or os.environ.get("ACHATS_HOST", "127.0.0.1"),
        port=port or int(os.environ.get("ACHATS_PORT", "5000")),
        workers=workers,
    )


@click.command("worker")
@click.option("--threads", type=int, default=2, show_default=True, help="Tasks run at the same time.")
@click.option("--no-periodic", is_flag=True, help="Do not schedule the periodic tasks (other consumers do).")
@with_appcontext
def worker_command(threads: int, no_periodic: bool) -> None:
    """Task consumer: mail delivery, scheduled jobs, file processing (runs until interrupted)."""
    from achats.platform.tasks import run_consumer

    run_consumer(current_app._get_current_object(), workers=threads,  # type: ignore[attr-defined]
                 periodic=not no_periodic)


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Retry the outbox: every mail due and not yet sent."""
    from achats.platform.mail import deliver

    sent = deliver(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"{sent} message(s) envoyé(s).")


def _run_job(job: str) -> None:
    from achats.platform.mail import deliver
    from achats.platform.tasks import job_tasks, run_here

    for task in job_tasks(job):
        line = run_here(task.name)
        if line:
            click.echo(str(line))
    sent = deliver(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"{sent} message(s) en attente envoyé(s).")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Scheduled job (also a periodic task): event reminders, then the mail retry queue."""
    _run_job("reminders")


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Scheduled job (also a periodic task): e-mail digests, then the mail retry queue."""
    _run_job("digests")


@click.command("cpu-task")
@click.option("--seconds", type=float, default=2.0, show_default=True)
@click.option("--wait", is_flag=True, help="Wait for the consumer to finish it.")
@with_appcontext
def cpu_task_command(seconds: float, wait: bool) -> None:
    """Diagnostics: enqueue a CPU-bound task (the web workers must stay responsive meanwhile)."""
    from achats.platform.tasks import enqueue

    result = enqueue("platform.cpu_burn", min(max(seconds, 0.1), 60.0))
    if wait and result is not None:
        click.echo(f"{result.get(blocking=True, timeout=seconds + 60):.0f} itérations.")
    else:
        click.echo("Tâche mise en file.")
