"""Events in the search index: one entry per event (title and description), for everyone once
published, for its organisers and the moderators while a draft."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.events.models import Event
from achats.events.vocabulary import EventStatus
from achats.platform import search
from achats.platform.search import OWNER, PUBLIC

CONTAINER = ("events", None)


def index_event(session: Session, event: Event) -> None:
    search.index_entry(
        session, kind="event", object_id=event.id, title=event.title, body=event.description_html or "",
        url=f"/evenements/{event.id}", container=CONTAINER, facets={"event_kind": str(event.kind)},
        owner_id=event.created_by_id, audience=OWNER if event.status == EventStatus.DRAFT else PUBLIC,
        container_audience=PUBLIC, created_at=event.starts_at)


def on_event(session: Session, *, target: Event, **_: Any) -> None:
    index_event(session, target)


def reindex_events(session: Session) -> int:
    count = 0
    for event in session.scalars(select(Event).order_by(Event.id)):
        index_event(session, event)
        count += 1
    return count
