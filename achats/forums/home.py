"""The forums' block of the home page: the latest questions, for signed-in readers."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from achats.forums.models import Thread, ThreadKind
from achats.forums.permissions import is_reader
from achats.platform.extensions import db
from achats.platform.visibility import visible_to


def latest_threads() -> dict[str, Any] | None:
    """Forums are not public: nothing for visitors who are not signed in."""
    if not is_reader(current_user):
        return None
    rows = db.session.execute(visible_to(
        select(Thread.id, Thread.title, Thread.last_activity_at).where(Thread.kind == ThreadKind.QUESTION),
        Thread, current_user, sees_hidden=False,
    ).order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(5)).all()
    if not rows:
        return None
    return {"latest_threads": [
        {"url": url_for("forums.show_thread", thread_id=r.id), "title": r.title, "last_activity_at": r.last_activity_at}
        for r in rows
    ]}
