"""The events' fixtures: an organiser (moderator), buyers, and `make_event` / `make_session`
factories going through the services as the pages and the API do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest


def soon(days: float = 30, hour: int = 9) -> datetime:
    base = datetime.now(UTC) + timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def organiser(make_user: Callable[..., Any]) -> Any:
    return make_user(role="moderator", name="Sophie Organisatrice", email="sophie@agence-test.fr")


@pytest.fixture
def make_event(db: Any, organiser: Any) -> Callable[..., Any]:
    from achats.events import services

    def make(capacity: int = 10, kind: str = "webinar", status: str = "published", days: float = 30,
             hours: float = 1, **fields: Any) -> Any:
        starts = fields.pop("starts_at", soon(days, 9))
        data = services.EventInput(
            kind=kind, title=fields.pop("title", "Webinaire : la clause environnementale"),
            description=fields.pop("description", "Comment **faire** ?"), starts_at=starts,
            ends_at=fields.pop("ends_at", starts + timedelta(hours=hours)), capacity=capacity, status=status,
            online=fields.pop("online", kind == "webinar"),
            location=fields.pop("location", None if kind == "webinar" else "Dijon, Palais des congrès"),
            join_url=fields.pop("join_url", "https://visio.example.fr/salle-42" if kind == "webinar" else None),
            **fields)
        event = services.create_event(db.session, fields.get("actor", organiser), data)
        db.session.commit()
        return event

    return make


@pytest.fixture
def make_session(db: Any, organiser: Any) -> Callable[..., Any]:
    from achats.events import services

    def make(event: Any, kind: str = "workshop", title: str = "Atelier", slot: str | None = "matin",
             capacity: int | None = 5, start_hour: float = 0, length_hours: float = 1, **kw: Any) -> Any:
        starts = event.starts_at + timedelta(hours=start_hour)
        sess = services.add_session(db.session, organiser, event, services.SessionInput(
            title=title, kind=kind, slot=slot, capacity=capacity, starts_at=starts,
            ends_at=starts + timedelta(hours=length_hours), **kw))
        db.session.commit()
        return sess

    return make


@pytest.fixture
def buyers(make_user: Callable[..., Any], make_organisation: Callable[..., Any]) -> Callable[[int], list[Any]]:
    def make(n: int) -> list[Any]:
        org = make_organisation(name="Agglomération test", kind="epci", departement="25")
        return [make_user(name=f"Acheteuse {i:02d}", organisation=org) for i in range(n)]

    return make
