"""Live: `registration_changed` to the registrant's own room, and the check-in count to the
room "event:<id>" that the event's organisers follow (checked at each delivery)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from achats.events import permissions as perms
from achats.events.models import Event, Registration
from achats.events.services import seats
from achats.events.services.reading import present_count
from achats.platform.extensions import db
from achats.platform.features import RoomKind
from achats.platform.ids import valid_id
from achats.platform.realtime import emit_after_commit, emit_to_room_after_commit, user_room

ROOM_PREFIX = "event"


def load_event(event_id: int) -> Event | None:
    return db.session.get(Event, event_id) if valid_id(event_id) else None


def room_kind() -> RoomKind:
    return RoomKind(ROOM_PREFIX, load=load_event, may_read=perms.can_manage_event)


def _changed(session: Session, registration: Registration) -> None:
    payload: dict[str, Any] = {"event_id": registration.event_id, "status": str(registration.status)}
    position = seats.event_position(session, registration)
    if position is not None:
        payload["waitlist_position"] = position
    payload["session_ids"] = sorted(c.session_id for c in registration.choices)
    emit_after_commit("registration_changed", payload, user_room(registration.user_id))


def on_registration(session: Session, *, registration: Registration, **_: Any) -> None:
    _changed(session, registration)


def on_attendance(session: Session, *, target: Event, registration: Registration, **_: Any) -> None:
    payload = {"event_id": target.id, "present": present_count(session, target.id),
               "registration_id": registration.id,
               "checked_in_at": registration.checked_in_at.isoformat() if registration.checked_in_at else None}
    emit_to_room_after_commit("attendance_changed", payload, f"{ROOM_PREFIX}:{target.id}")
