"""Seats and waiting lists: one conditional UPDATE takes a seat (SECURITY.md §4), the same
primitive promotes; waiting-list numbers come from an UPDATE … RETURNING on the same row.

Lock order, to stay clear of deadlocks on PostgreSQL: the event's row first, then sessions by id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from achats.events.models import Event, EventSession, Registration, SessionChoice
from achats.events.vocabulary import ChoiceStatus, RegistrationStatus


def _changed(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def take_event_seat(session: Session, event: Event) -> bool:
    """Take one of the event's seats; False when none is left (one row changed or none)."""
    result = session.execute(
        update(Event).where(Event.id == event.id, Event.seats_taken < Event.capacity)
        .values(seats_taken=Event.seats_taken + 1).execution_options(synchronize_session=False))
    session.expire(event, ["seats_taken"])
    return _changed(result) == 1


def release_event_seat(session: Session, event: Event) -> None:
    session.execute(update(Event).where(Event.id == event.id, Event.seats_taken > 0)
                    .values(seats_taken=Event.seats_taken - 1).execution_options(synchronize_session=False))
    session.expire(event, ["seats_taken"])


def take_session_seat(session: Session, sess: EventSession) -> bool:
    """A workshop's or clinique slot's seat; a session without capacity (a plenary) always has room."""
    if sess.capacity is None:
        return True
    result = session.execute(
        update(EventSession).where(EventSession.id == sess.id, EventSession.capacity.is_not(None),
                                   EventSession.seats_taken < EventSession.capacity)
        .values(seats_taken=EventSession.seats_taken + 1).execution_options(synchronize_session=False))
    session.expire(sess, ["seats_taken"])
    return _changed(result) == 1


def release_session_seat(session: Session, sess: EventSession) -> None:
    if sess.capacity is None:
        return
    session.execute(update(EventSession).where(EventSession.id == sess.id, EventSession.seats_taken > 0)
                    .values(seats_taken=EventSession.seats_taken - 1).execution_options(synchronize_session=False))
    session.expire(sess, ["seats_taken"])


def next_event_number(session: Session, event: Event) -> int:
    number = session.execute(update(Event).where(Event.id == event.id)
                             .values(waitlist_counter=Event.waitlist_counter + 1)
                             .returning(Event.waitlist_counter).execution_options(synchronize_session=False)).scalar_one()
    session.expire(event, ["waitlist_counter"])
    return int(number)


def next_session_number(session: Session, sess: EventSession) -> int:
    number = session.execute(update(EventSession).where(EventSession.id == sess.id)
                             .values(waitlist_counter=EventSession.waitlist_counter + 1)
                             .returning(EventSession.waitlist_counter)
                             .execution_options(synchronize_session=False)).scalar_one()
    session.expire(sess, ["waitlist_counter"])
    return int(number)


# --- positions: computed from the numbers, never stored ------------------------------------------


def event_position(session: Session, registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED or registration.waitlist_number is None:
        return None
    return int(session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == registration.event_id, Registration.status == RegistrationStatus.WAITLISTED,
        Registration.waitlist_number <= registration.waitlist_number)) or 0)


def event_positions(session: Session, event_id: int) -> dict[int, int]:
    """Every waiting registration's position (registration id -> 1, 2, …)."""
    ids = session.scalars(select(Registration.id).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlist_number))
    return {rid: n for n, rid in enumerate(ids, start=1)}


def choice_position(session: Session, choice: SessionChoice) -> int | None:
    if choice.status != ChoiceStatus.WAITLISTED or choice.waitlist_number is None:
        return None
    return int(session.scalar(select(func.count(SessionChoice.id)).where(
        SessionChoice.session_id == choice.session_id, SessionChoice.status == ChoiceStatus.WAITLISTED,
        SessionChoice.waitlist_number <= choice.waitlist_number)) or 0)


def waiting_count(session: Session, event_id: int) -> int:
    return int(session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED)) or 0)
