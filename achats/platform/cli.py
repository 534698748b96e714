"""The platform's commands: init, seed-demo, worker, the scheduled jobs (features add theirs;
`achats serve` and the entry point are the composition root's, achats/cli.py)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from achats.platform.extensions import app_object


def init_cli(app: Flask) -> None:
    for command in (init_command, seed_demo_command, worker_command, send_reminders_command,
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


@click.command("worker")
@click.option("--threads", type=int, default=2, show_default=True, help="Tasks run at the same time.")
@click.option("--no-periodic", is_flag=True, help="Do not schedule the periodic tasks (other consumers do).")
@with_appcontext
def worker_command(threads: int, no_periodic: bool) -> None:
    """Task consumer: mail delivery, scheduled jobs, file processing (runs until interrupted)."""
    from achats.platform.tasks import run_consumer

    run_consumer(app_object(), workers=threads,
                 periodic=not no_periodic)


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Retry the outbox: every mail due and not yet sent."""
    from achats.platform.mail import deliver

    sent = deliver(app_object())
    click.echo(f"{sent} message(s) envoyé(s).")


def _run_job(job: str) -> None:
    from achats.platform.mail import deliver
    from achats.platform.tasks import job_tasks, run_here

    for task in job_tasks(job):
        line = run_here(task.name)
        if line:
            click.echo(str(line))
    sent = deliver(app_object())
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
