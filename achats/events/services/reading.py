"""What pages and the API read: event lists, a person's registrations, the organisers' lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from achats.auth.models import Organisation, User
from achats.events import permissions as perms
from achats.events.models import Event, EventOrganiser, EventSession, Registration, SessionChoice
from achats.events.vocabulary import (
    ChoiceStatus,
    EventKind,
    EventStatus,
    RegistrationStatus,
    SessionKind,
)
from achats.platform.db import utcnow
from achats.platform.security import Role, has_role


def visible_events(viewer: Any) -> Select[tuple[Event]]:
    """Published and cancelled events for everyone; drafts for their organisers (all for admins)."""
    query = select(Event)
    if has_role(viewer, Role.ADMIN):
        return query
    if perms.is_signed_in(viewer):
        mine = select(EventOrganiser.event_id).where(EventOrganiser.user_id == viewer.id)
        return query.where(or_(Event.status != EventStatus.DRAFT, Event.id.in_(mine)))
    return query.where(Event.status != EventStatus.DRAFT)


def list_events(session: Session, viewer: Any, *, kind: str | None = None, upcoming: bool | None = None,
                limit: int = 100, after_id: int | None = None) -> list[Event]:
    query = visible_events(viewer)
    now = utcnow()
    if kind:
        query = query.where(Event.kind == EventKind(kind))
    if upcoming is True:
        query = query.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    elif upcoming is False:
        query = query.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        query = query.order_by(Event.starts_at, Event.id)
    return list(session.scalars(query.limit(limit)))


def get_event(session: Session, event_id: int, viewer: Any) -> Event | None:
    event = session.get(Event, event_id)
    return event if perms.can_view_event(viewer, event) else None


def my_registrations(session: Session, user: Any) -> list[Registration]:
    return list(session.scalars(select(Registration).join(Event, Event.id == Registration.event_id)
                                .where(Registration.user_id == user.id,
                                       Registration.status != RegistrationStatus.CANCELLED)
                                .order_by(Event.starts_at)))


@dataclass(frozen=True)
class RegistrantFilters:
    status: str | None = None
    session_id: int | None = None
    organisation_kind: str | None = None
    departement: str | None = None
    q: str | None = None


def registrant_query(event: Event, filters: RegistrantFilters) -> Select[tuple[Registration]]:
    query = (select(Registration).join(User, User.id == Registration.user_id)
             .outerjoin(Organisation, Organisation.id == User.organisation_id)
             .where(Registration.event_id == event.id))
    if filters.status:
        query = query.where(Registration.status == RegistrationStatus(filters.status))
    else:
        query = query.where(Registration.status != RegistrationStatus.CANCELLED)
    if filters.session_id:
        query = query.where(Registration.id.in_(select(SessionChoice.registration_id).where(
            SessionChoice.session_id == filters.session_id)))
    if filters.organisation_kind:
        query = query.where(Organisation.kind == filters.organisation_kind)
    if filters.departement:
        query = query.where(Organisation.departement == filters.departement)
    if filters.q:
        like = "%" + filters.q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(or_(func.lower(User.name).like(like), func.lower(Organisation.name).like(like)))
    return query.order_by(Registration.status, Registration.waitlist_number, func.lower(User.name), Registration.id)


def registrants(session: Session, event: Event, filters: RegistrantFilters | None = None) -> list[Registration]:
    return list(session.scalars(registrant_query(event, filters or RegistrantFilters())))


@dataclass(frozen=True)
class Attendance:
    confirmed: int
    waitlisted: int
    present: int
    by_session: dict[int, tuple[int, int, int]]  # session id -> (confirmed, waitlisted, present)


def attendance(session: Session, event: Event) -> Attendance:
    counts: dict[str, int] = {str(status): int(n) for status, n in session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event.id).group_by(Registration.status))}
    present = session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.checked_in_at.is_not(None))) or 0
    by_session: dict[int, tuple[int, int, int]] = {}
    rows = session.execute(
        select(SessionChoice.session_id, SessionChoice.status, func.count(SessionChoice.id),
               func.count(Registration.checked_in_at))
        .join(Registration, Registration.id == SessionChoice.registration_id)
        .join(EventSession, EventSession.id == SessionChoice.session_id)
        .where(EventSession.event_id == event.id)
        .group_by(SessionChoice.session_id, SessionChoice.status))
    for sid, status, n, here in rows:
        c, w, p = by_session.get(sid, (0, 0, 0))
        if status == ChoiceStatus.CONFIRMED:
            c, p = c + n, p + here
        elif status == ChoiceStatus.WAITLISTED:
            w += n
        by_session[sid] = (c, w, p)
    return Attendance(confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
                      waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0), present=int(present),
                      by_session=by_session)


def present_count(session: Session, event_id: int) -> int:
    return int(session.scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event_id, Registration.checked_in_at.is_not(None))) or 0)


def appointments(session: Session, event: Event, expert: Any = None) -> list[tuple[EventSession, SessionChoice | None]]:
    """The clinique's slots of the event in order, each with its booking (the expert's own when given)."""
    slots = [s for s in event.sessions if s.kind == SessionKind.APPOINTMENT
             and (expert is None or s.expert_id == expert.id)]
    ids = [s.id for s in slots]
    booked: dict[int, SessionChoice] = {}
    if ids:
        for choice in session.scalars(select(SessionChoice).join(Registration)
                                      .where(SessionChoice.session_id.in_(ids),
                                             SessionChoice.status == ChoiceStatus.CONFIRMED,
                                             Registration.status == RegistrationStatus.CONFIRMED)):
            booked[choice.session_id] = choice
    return [(s, booked.get(s.id)) for s in sorted(slots, key=lambda s: (s.starts_at, s.id))]


def sessions_by_id(event: Event, ids: Sequence[int]) -> list[EventSession]:
    wanted = set(ids)
    return [s for s in event.sessions if s.id in wanted]
