"""Scheduled jobs: features register work under a name; every job also retries the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import current_app

from achats.platform.mail import deliver

_jobs: dict[str, list[Callable[[], str]]] = {"reminders": [], "digests": []}


def register_job(name: str, fn: Callable[[], str]) -> None:
    _jobs.setdefault(name, []).append(fn)


def run_job(name: str) -> Iterator[str]:
    for fn in _jobs.get(name, []):
        yield fn()
    sent = deliver(current_app._get_current_object())  # type: ignore[attr-defined]
    yield f"{sent} message(s) en attente envoyé(s)."
