"""The events' block of the home page: the next three events this visitor may see."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from achats.events.notifying import when
from achats.events.services.reading import list_events
from achats.events.vocabulary import EventStatus
from achats.platform.extensions import db


def coming_events() -> dict[str, Any] | None:
    rows = [e for e in list_events(db.session, current_user, upcoming=True, limit=6)
            if e.status == EventStatus.PUBLISHED][:3]
    if not rows:
        return None
    return {"coming_events": [
        {"url": url_for("events.show_event", event_id=e.id), "title": e.title, "kind": e.kind.label,
         "when": when(e), "full": e.seats_left == 0}
        for e in rows
    ]}
