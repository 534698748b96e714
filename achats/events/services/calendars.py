"""iCalendar: an event's .ics (with the Europe/Paris VTIMEZONE, which the April–December series
needs across the end of summer time) and a person's feed of registrations and appointments."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar, Timezone
from icalendar import Event as VEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.events.models import CalendarFeed, Event, EventSession, Registration
from achats.events.vocabulary import ChoiceStatus, EventStatus, RegistrationStatus, SessionKind
from achats.platform.dates import PARIS
from achats.platform.db import utcnow


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Achats BFC//Evenements//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    return cal


def _timezone(first: datetime, last: datetime) -> Timezone:
    return Timezone.from_tzinfo(PARIS, first_date=(first - timedelta(days=366)).date(),
                                last_date=(last + timedelta(days=366)).date())


def _vevent(event: Event, base_url: str, *, show_join_url: bool, sess: EventSession | None = None,
            uid_suffix: str = "", note: str = "") -> VEvent:
    item = VEvent()
    start, end = (sess.starts_at, sess.ends_at) if sess is not None else (event.starts_at, event.ends_at)
    item.add("uid", f"event-{event.id}{uid_suffix}@achats")
    item.add("dtstamp", utcnow())
    item.add("dtstart", start.astimezone(PARIS))
    item.add("dtend", end.astimezone(PARIS))
    item.add("summary", f"{sess.title} — {event.title}" if sess is not None else event.title)
    url = f"{base_url}/evenements/{event.id}"
    lines = [note] if note else []
    if show_join_url and event.join_url:
        lines.append(f"Lien de connexion : {event.join_url}")
    lines.append(f"Page de l'événement : {url}")
    if event.description:
        lines.append("")
        lines.append(event.description[:2000])
    item.add("description", "\n".join(lines))
    item.add("url", url)
    location = "En ligne" if event.online and not event.location else (event.location or "")
    if sess is not None and sess.room:
        location = f"{sess.room}, {location}" if location else sess.room
    if location:
        item.add("location", location)
    item.add("sequence", event.sequence)
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    return item


def event_ics(event: Event, base_url: str, *, show_join_url: bool = False) -> bytes:
    cal = _calendar(event.title)
    cal.add_component(_timezone(event.starts_at, event.ends_at))
    cal.add_component(_vevent(event, base_url, show_join_url=show_join_url))
    return cal.to_ical()


def feed_ics(session: Session, user: Any, base_url: str) -> bytes:
    """The person's registrations (waiting ones marked so) and clinique appointments."""
    cal = _calendar("Mes événements — Achats")
    regs = list(session.scalars(select(Registration).where(
        Registration.user_id == user.id, Registration.status != RegistrationStatus.CANCELLED)))
    items: list[VEvent] = []
    dates: list[datetime] = []
    for reg in regs:
        event = reg.event
        if event.status == EventStatus.DRAFT:
            continue
        confirmed = reg.status == RegistrationStatus.CONFIRMED
        note = "" if confirmed else "Vous êtes sur liste d'attente."
        items.append(_vevent(event, base_url, show_join_url=confirmed, note=note))
        dates += [event.starts_at, event.ends_at]
        for choice in reg.choices:
            if choice.status == ChoiceStatus.CONFIRMED and choice.session.kind == SessionKind.APPOINTMENT:
                items.append(_vevent(event, base_url, show_join_url=False, sess=choice.session,
                                     uid_suffix=f"-rdv-{choice.session_id}",
                                     note=f"Votre question : {choice.question or ''}"))
    if dates:
        cal.add_component(_timezone(min(dates), max(dates)))
    for item in items:
        cal.add_component(item)
    return cal.to_ical()


# --- the feed's secret URL ----------------------------------------------------------------------------


def _sign(secret_key: str, user_id: int, nonce: str) -> str:
    return hmac.new(secret_key.encode(), f"calendar:{user_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def feed_token(session: Session, user: Any, secret_key: str) -> str:
    """The person's feed token (made on first use): `<user id>-<signature>`."""
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id, nonce=secrets.token_hex(16))
        session.add(feed)
        session.flush()
    return f"{user.id}-{_sign(secret_key, user.id, feed.nonce)}"


def revoke_feed(session: Session, user: Any) -> None:
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is not None:
        session.delete(feed)
        session.flush()


def feed_owner_id(session: Session, token: str, secret_key: str) -> int | None:
    raw_id, _, signature = (token or "").partition("-")
    if not raw_id.isdigit() or len(raw_id) > 10 or len(signature) != 40:
        return None
    user_id = int(raw_id)
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))
    if feed is None or not hmac.compare_digest(signature, _sign(secret_key, user_id, feed.nonce)):
        return None
    return user_id


def parse_ics(data: bytes) -> Sequence[Any]:
    return Calendar.from_ical(data).walk("VEVENT")
