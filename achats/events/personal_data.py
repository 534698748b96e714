"""A person's event data: exported with their account, and what deleting it does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from achats.events.models import CalendarFeed, Registration
from achats.events.services.registering import cancel
from achats.events.vocabulary import RegistrationStatus


def export_registrations(session: Session, user: Any) -> list[dict[str, Any]]:
    return [
        {"event": r.event.title, "starts_at": r.event.starts_at.isoformat(), "status": str(r.status),
         "answers": r.answers or {}, "created_at": r.created_at.isoformat(),
         "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
         "sessions": [{"title": c.session.title, "status": str(c.status), "question": c.question, "link": c.link}
                      for c in r.choices]}
        for r in session.scalars(select(Registration).where(Registration.user_id == user.id).order_by(Registration.id))
    ]


def forget_account(session: Session, user: Any) -> None:
    """Seats held for coming events go to those waiting; the registrations and the feed go."""
    from achats.platform.db import utcnow

    now = utcnow()
    for registration in list(session.scalars(select(Registration).where(Registration.user_id == user.id))):
        if registration.status != RegistrationStatus.CANCELLED and registration.event.starts_at > now:
            event = registration.event
            organiser = event.organisers[0] if event.organisers else None
            if organiser is not None:
                cancel(session, registration, organiser)
        session.delete(registration)
    session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    session.flush()
