"""The task queue: work that must not run in a web worker (mail delivery and its retries, the
scheduled jobs, file text extraction, mass notices). Huey, with SQLite storage under `instance/`
by default and Redis when ACHATS_REDIS_URL is set.

Features declare `Task`s; each runs in an application context of the process that executes it:
`achats worker` (the consumer, started beside the web workers by `achats serve` in the
single-machine default) or, in tests, the process that enqueues it (Huey's immediate mode).
A task is enqueued after the commit of the transaction that asked for it (`enqueue_after_commit`),
so the consumer never looks for rows that are not committed yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey

from achats.platform.db import on_commit
from achats.platform.extensions import app_object
from achats.platform.features import Task, registry

log = logging.getLogger("achats.tasks")


class UnknownTask(LookupError):
    """No feature of this app declares the task."""


def make_huey(app: Flask) -> Huey:
    """The queue for `app`: immediate (tests), Redis (several machines) or SQLite (one machine)."""
    if app.config.get("ACHATS_TASKS_IMMEDIATE"):
        return Huey("achats", immediate=True, results=True, utc=True)
    redis_url = app.config.get("ACHATS_REDIS_URL")
    if redis_url:
        return RedisHuey("achats", url=redis_url, results=True, utc=True)
    path = Path(app.config.get("ACHATS_TASKS_DB") or Path(app.instance_path) / "tasks.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("achats", filename=str(path), results=True, utc=True)


def _runner(app: Flask, task: Task) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        from achats.platform.extensions import db

        with app.app_context():
            try:
                return task.fn(*args, **kwargs)
            except Exception:
                db.session.rollback()
                log.exception("task %s failed", task.name)
                raise
            finally:
                db.session.remove()

    run.__name__ = task.name.replace(".", "_")
    return run


def init_tasks(app: Flask) -> None:
    reg = registry(app)
    huey = make_huey(app)
    handles: dict[str, Any] = {}
    for task in reg.tasks.values():
        options = {"name": task.name, "retries": task.retries, "retry_delay": task.retry_delay}
        runner = _runner(app, task)
        if task.schedule is not None:
            handles[task.name] = huey.periodic_task(task.schedule, **options)(runner)
        else:
            handles[task.name] = huey.task(**options)(runner)
    reg.state["huey"] = huey
    reg.state["task_handles"] = handles


def queue(app: Flask | None = None) -> Huey:
    return registry(app).state["huey"]


def _handle(name: str) -> Any:
    handle = registry().state["task_handles"].get(name)
    if handle is None:
        raise UnknownTask(f"tâche non déclarée : {name}")
    return handle


def enqueue(name: str, *args: Any, **kwargs: Any) -> Any:
    """Put the task on the queue now (a Huey Result, or None when results are not kept)."""
    return _handle(name)(*args, **kwargs)


def enqueue_after_commit(session: Any, name: str, *args: Any, **kwargs: Any) -> None:
    """Put the task on the queue once `session` commits (dropped on rollback)."""
    _handle(name)  # an unknown name fails now, in the caller's request, not after the commit
    app = app_object()

    def send() -> None:
        with app.app_context():
            try:
                enqueue(name, *args, **kwargs)
            except Exception:  # noqa: BLE001 - the queue unreachable: the periodic retry catches up
                log.exception("could not enqueue %s", name)

    on_commit(session, send)


def run_here(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run the task in this process, now, with its result (the CLI runs the scheduled jobs so)."""
    task = registry().tasks.get(name)
    if task is None:
        raise UnknownTask(f"tâche non déclarée : {name}")
    return task.fn(*args, **kwargs)


def job_tasks(job: str) -> list[Task]:
    """The tasks a scheduled job runs (`achats send-reminders` → job "reminders")."""
    return [t for t in registry().tasks.values() if t.job == job]


def run_consumer(app: Flask, workers: int = 2, periodic: bool = True) -> None:
    """`achats worker`: execute the app's queue until interrupted (SIGINT/SIGTERM stop it)."""
    huey = queue(app)
    if huey.immediate:
        raise RuntimeError("la file des tâches est en mode immédiat : aucun consommateur n'est nécessaire")
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                    initial_delay=0.05, max_delay=1.0, backoff=1.5, check_worker_health=True)
    consumer.run()


def cpu_burn(seconds: float) -> int:
    """A CPU-bound task for diagnostics: spins for `seconds` and says how many loops it made."""
    import time

    deadline = time.process_time() + seconds
    loops = 0
    while time.process_time() < deadline:
        loops += sum(i * i for i in range(1000)) and 1
    return loops


def diagnostics_part() -> Any:
    from achats.platform.features import Feature

    return Feature(name="platform.diagnostics", tasks=[Task("platform.cpu_burn", cpu_burn)])
