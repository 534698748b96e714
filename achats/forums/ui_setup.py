"""Wires the forum pages into the shell when their blueprint is registered (home page block)."""

from __future__ import annotations

from typing import Any

from flask.blueprints import BlueprintSetupState

from achats.forums.views import bp  # the package import attaches every route


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions.setdefault("achats_home_providers", []).append(latest_threads)


def latest_threads() -> dict[str, Any]:
    """The home page's "Dernières questions": signed-in readers only (forums are not public)."""
    from flask import url_for
    from flask_login import current_user
    from sqlalchemy import select

    from achats.forums.models import Thread, ThreadKind
    from achats.platform.extensions import db

    if not current_user.is_authenticated or not current_user.is_active:
        return {}
    rows = db.session.execute(
        select(Thread.id, Thread.title, Thread.last_activity_at)
        .where(Thread.hidden.is_(False), Thread.kind == ThreadKind.QUESTION)
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(5)
    ).all()
    return {"latest_threads": [
        {"url": url_for("forums.show_thread", thread_id=r.id), "title": r.title, "last_activity_at": r.last_activity_at}
        for r in rows
    ]}
