"""Who hears about events: the confirmation mail (with the .ics), promotions from a waiting list,
changes and cancellations (to every registrant, by a task off the request path), replays and
slides, and the reminders seven days, one day and one hour (webinars) before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from achats.events.models import Event, EventSession, Registration, ReminderSent
from achats.events.services import seats
from achats.events.services.calendars import event_ics
from achats.events.vocabulary import EventKind, EventStatus, RegistrationStatus
from achats.platform.dates import french_datetime, french_time
from achats.platform.db import utcnow
from achats.platform.mail import queue_mail
from achats.platform.notifications.services import Target, notify
from achats.platform.tasks import enqueue_after_commit


def event_path(event: Event) -> str:
    return f"/evenements/{event.id}"


def when(event: Event) -> str:
    """'mardi 14 avril 2027, 11 h – 12 h' (the end's day too when it differs)."""
    start, end = french_datetime(event.starts_at), french_datetime(event.ends_at)
    day, _, _ = start.partition(" à ")
    end_day, _, _ = end.partition(" à ")
    if day == end_day:
        return f"{day}, {french_time(event.starts_at)} – {french_time(event.ends_at)}"
    return f"du {start} au {end}"


def _quoted(event: Event) -> str:
    return f"«\u00a0{event.title}\u00a0»"


def _base() -> str:
    return str(current_app.config.get("ACHATS_BASE_URL", ""))


def on_registration_created(session: Session, *, registration: Registration, actor: Any, **_: Any) -> None:
    """The confirmation (or waiting-list) mail, with the event's .ics when a seat is held."""
    user = registration.user
    event = registration.event
    if not user.email:
        return
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    position = seats.event_position(session, registration)
    attachment = None
    if confirmed:
        attachment = (f"evenement-{event.id}.ics", "text/calendar",
                      event_ics(event, _base(), show_join_url=True))
    subject = (f"Inscription confirmée : {event.title}" if confirmed
               else f"Liste d'attente : {event.title}")[:250]
    queue_mail(session, user.email, subject, "event_registration", attachment=attachment, user=user, event=event,
               registration=registration, confirmed=confirmed, position=position, when=when(event),
               url=_base() + event_path(event), ics_url=f"{_base()}/events/{event.id}.ics")


def on_registration_promoted(session: Session, *, registration: Registration, workshop: EventSession | None = None,
                             **_: Any) -> None:
    event = registration.event
    if workshop is None:
        text = f"Une place s'est libérée : votre inscription à {_quoted(event)} est confirmée."
    else:
        text = f"Une place s'est libérée dans l'atelier «\u00a0{workshop.title}\u00a0» ({event.title}) : elle est à vous."
    notify(session, registration.user, "event_promoted", None, Target("event", event.id, event_path(event)), text,
           mail_context={"event": event, "workshop": workshop, "when": when(event),
                         "join_url": event.join_url if workshop is None else None})


# --- notices to every registrant, sent by a task ---------------------------------------------------------------


def on_event_changed(session: Session, *, target: Event, fields: list[str], **_: Any) -> None:
    enqueue_after_commit(session, "events.send_notices", target.id, "changed", fields)


def on_event_cancelled(session: Session, *, target: Event, **_: Any) -> None:
    enqueue_after_commit(session, "events.send_notices", target.id, "cancelled", [])


def on_materials_added(session: Session, *, target: Event, **_: Any) -> None:
    enqueue_after_commit(session, "events.send_notices", target.id, "materials", [])


FIELD_LABELS = {"starts_at": "l'horaire", "ends_at": "l'horaire", "location": "le lieu", "online": "le lieu",
                "join_url": "le lien de connexion"}


def send_notices(event_id: int, what: str, fields: list[str]) -> str:
    """Tell each registrant (the task `events.send_notices`): one notification and mail each."""
    from achats.platform.extensions import db

    session = db.session
    event = session.get(Event, event_id)
    if event is None:
        return "événement introuvable"
    statuses = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    regs = list(session.scalars(select(Registration).where(Registration.event_id == event.id,
                                                           Registration.status.in_(statuses))))
    target = Target("event", event.id, event_path(event))
    count = 0
    for reg in regs:
        if what == "cancelled":
            kind, text = "event_cancelled", f"{_quoted(event)} ({when(event)}) est annulé."
        elif what == "materials":
            kind, text = "event_materials", f"Le replay et les supports de {_quoted(event)} sont en ligne."
        else:
            changed = sorted({FIELD_LABELS.get(f, f) for f in fields})
            kind = "event_changed"
            text = f"{_quoted(event)} change : {', '.join(changed)}. Désormais : {when(event)}" + (
                f", {event.location}" if event.location else (", en ligne" if event.online else "")) + "."
        show_link = reg.status == RegistrationStatus.CONFIRMED and what == "changed" and "join_url" in fields
        notify(session, reg.user, kind, None, target, text[:1000],
               mail_context={"event": event, "when": when(event), "join_url": event.join_url if show_link else None})
        count += 1
    session.commit()
    return f"{count} inscrit(s) prévenu(s)."


# --- reminders -----------------------------------------------------------------------------------------------------

REMINDERS = (("7d", timedelta(days=7)), ("1d", timedelta(days=1)), ("1h", timedelta(hours=1)))
REMINDER_TEXT = {"7d": "dans une semaine", "1d": "demain", "1h": "dans une heure"}


def due_reminders(event: Event, now: Any) -> str | None:
    """The reminder due now for the event: the latest whose time has come (an earlier one that
    was missed is not sent late once a later one is due); the hour's one for webinars only."""
    due = None
    for name, before in REMINDERS:
        if name == "1h" and event.kind != EventKind.WEBINAR:
            continue
        if event.starts_at - before <= now < event.starts_at:
            due = name
    return due


def send_reminders() -> str:
    """The periodic task: each confirmed registrant gets each reminder once (a row per sending,
    unique, taken before the mail: two runs at once send it once)."""
    from achats.platform.extensions import db

    session = db.session
    now = utcnow()
    events = list(session.scalars(select(Event).where(
        Event.status == EventStatus.PUBLISHED, Event.starts_at > now, Event.starts_at <= now + timedelta(days=7))))
    sent = 0
    for event in events:
        name = due_reminders(event, now)
        if name is None:
            continue
        due_at = event.starts_at - dict(REMINDERS)[name]
        regs = list(session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)))
        done = set(session.scalars(select(ReminderSent.registration_id).where(
            ReminderSent.registration_id.in_([r.id for r in regs] or [0]), ReminderSent.reminder == name)))
        for reg in regs:
            if reg.id in done or (reg.confirmed_at or reg.created_at) > due_at:
                continue  # sent already, or confirmed after the reminder was due (they know)
            try:
                with session.begin_nested():
                    session.add(ReminderSent(registration_id=reg.id, reminder=name))
                    session.flush()
            except IntegrityError:
                continue
            user = reg.user
            if user.email:
                queue_mail(session, user.email, f"Rappel : {event.title} {REMINDER_TEXT[name]}"[:250],
                           "event_reminder", user=user, event=event, registration=reg, when=when(event),
                           soon=REMINDER_TEXT[name], url=_base() + event_path(event),
                           join_url=event.join_url if event.online else None)
            sent += 1
            session.commit()
    session.commit()
    return f"{sent} rappel(s) envoyé(s)."


def send_message(event_id: int, session_id: int | None, text: str, actor_id: int) -> str:
    """An organiser's message to every registrant, or to those of one workshop (a task)."""
    from achats.auth.models import User
    from achats.events.models import SessionChoice
    from achats.platform.extensions import db

    session = db.session
    event = session.get(Event, event_id)
    actor = session.get(User, actor_id)
    if event is None:
        return "événement introuvable"
    query = select(Registration).where(Registration.event_id == event.id,
                                       Registration.status != RegistrationStatus.CANCELLED)
    if session_id is not None:
        query = query.where(Registration.id.in_(select(SessionChoice.registration_id).where(
            SessionChoice.session_id == session_id)))
    count = 0
    for reg in session.scalars(query):
        notify(session, reg.user, "event_message", actor, Target("event", event.id, event_path(event)),
               f"Message des organisateurs de {_quoted(event)} : {text}"[:1000],
               mail_context={"event": event, "when": when(event), "join_url": None})
        count += 1
    session.commit()
    return f"{count} message(s) envoyé(s)."
