"""Creating and editing events and their sessions (organisers and admins)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.events import permissions as perms
from achats.events.models import Event, EventSession, Registration
from achats.events.services.errors import Conflict, EventError, NotAllowed
from achats.events.services.registering import promote
from achats.events.vocabulary import (
    DEFAULT_QUESTIONS,
    EventKind,
    EventStatus,
    RegistrationStatus,
    SessionKind,
)
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.markdown import render_markdown

MAX_CAPACITY = 100_000
UNSET: Any = object()


@dataclass
class EventInput:
    """What an organiser sets; fields left UNSET keep their value (PATCH)."""

    kind: Any = UNSET
    title: Any = UNSET
    description: Any = UNSET
    starts_at: Any = UNSET
    ends_at: Any = UNSET
    location: Any = UNSET
    online: Any = UNSET
    join_url: Any = UNSET
    capacity: Any = UNSET
    registration_opens_at: Any = UNSET
    registration_closes_at: Any = UNSET
    cancellation_deadline: Any = UNSET
    status: Any = UNSET
    questions: Any = UNSET
    organiser_ids: Any = UNSET
    replay_url: Any = UNSET

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not UNSET}


@dataclass
class SessionInput:
    title: str
    starts_at: datetime
    ends_at: datetime
    kind: str = "plenary"
    slot: str | None = None
    capacity: int | None = None
    room: str | None = None
    description: str = ""
    expert_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)


def _url(value: Any, name: str) -> str | None:
    text = (value or "").strip() if isinstance(value, str | None) else None
    if text is None:
        raise EventError("Une adresse web est attendue.", field=name)
    if not text:
        return None
    if len(text) > 500 or not text.startswith(("https://", "http://")) or any(c.isspace() for c in text):
        raise EventError("Une adresse web commençant par https:// est attendue.", field=name)
    return text


def _aware(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise EventError("Une date avec son fuseau horaire est attendue.", field=name)
    return value


def _apply(session: Session, event: Event, data: EventInput) -> set[str]:
    """Check and set the given fields; the names of those that changed."""
    changed: set[str] = set()
    given = data.given()

    def put(name: str, value: Any) -> None:
        if getattr(event, name) != value:
            setattr(event, name, value)
            changed.add(name)

    if "kind" in given:
        try:
            put("kind", EventKind(given["kind"]))
        except ValueError:
            raise EventError("Type d'événement inconnu (webinar ou assises).", field="kind") from None
    if "title" in given:
        title = " ".join(str(given["title"] or "").split())
        if not 5 <= len(title) <= 200:
            raise EventError("Le titre compte de 5 à 200 caractères.", field="title")
        put("title", title)
    if "description" in given:
        text = str(given["description"] or "")
        if len(text) > 20_000:
            raise EventError("La description est trop longue (20 000 caractères au plus).", field="description")
        if text != event.description:
            event.description = text
            event.description_html = render_markdown(text)
            changed.add("description")
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "cancellation_deadline"):
        if name in given:
            put(name, _aware(given[name], name))
    if event.starts_at is None or event.ends_at is None:
        raise EventError("Le début et la fin sont obligatoires.", field="starts_at")
    if event.ends_at <= event.starts_at:
        raise EventError("La fin doit suivre le début.", field="ends_at")
    if event.ends_at - event.starts_at > timedelta(days=7):
        raise EventError("Un événement dure au plus une semaine.", field="ends_at")
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        raise EventError("La clôture des inscriptions doit suivre leur ouverture.", field="registration_closes_at")
    if closes and closes > event.starts_at:
        raise EventError("Les inscriptions ferment au plus tard au début de l'événement.",
                         field="registration_closes_at")
    if event.cancellation_deadline and event.cancellation_deadline > event.starts_at:
        raise EventError("La date limite d'annulation précède le début.", field="cancellation_deadline")
    if "online" in given:
        put("online", bool(given["online"]))
    if "location" in given:
        location = " ".join(str(given["location"] or "").split()) or None
        if location and len(location) > 300:
            raise EventError("Le lieu compte au plus 300 caractères.", field="location")
        put("location", location)
    if "join_url" in given:
        put("join_url", _url(given["join_url"], "join_url"))
    if "replay_url" in given:
        put("replay_url", _url(given["replay_url"], "replay_url"))
    if not event.online and not event.location:
        raise EventError("Indiquez un lieu, ou cochez « en ligne ».", field="location")
    if "capacity" in given:
        capacity = given["capacity"]
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
            raise EventError(f"La capacité est un nombre de places de 1 à {MAX_CAPACITY}.", field="capacity")
        if event.id is not None and capacity < event.seats_taken:
            raise Conflict(f"{event.seats_taken} places sont déjà prises : la capacité ne peut descendre en dessous.",
                           field="capacity")
        put("capacity", capacity)
    if event.capacity is None:
        raise EventError("La capacité est obligatoire.", field="capacity")
    if "status" in given:
        try:
            status = EventStatus(given["status"])
        except ValueError:
            raise EventError("Statut inconnu (draft, published ou cancelled).", field="status") from None
        if event.status == EventStatus.CANCELLED and status != EventStatus.CANCELLED:
            raise Conflict("Un événement annulé ne se rouvre pas : créez-en un nouveau.", field="status")
        if event.id is not None and status == EventStatus.DRAFT and event.status != EventStatus.DRAFT \
                and event.seats_taken:
            raise Conflict("Des personnes sont inscrites : l'événement ne peut redevenir un brouillon.", field="status")
        put("status", status)
    if "questions" in given:
        put("questions", _questions(given["questions"]))
    if "organiser_ids" in given:
        ids = list(dict.fromkeys(given["organiser_ids"] or []))
        users = list(session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
        if len(users) != len(ids):
            raise EventError("Organisateur inconnu.", field="organiser_ids")
        event.organisers = users
    return changed


def _questions(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or len(raw) > 10:
        raise EventError("Au plus dix questions.", field="questions")
    out = []
    for q in raw:
        if not isinstance(q, dict) or not isinstance(q.get("key"), str) or not isinstance(q.get("label"), str):
            raise EventError("Chaque question a une clé et un libellé.", field="questions")
        key = q["key"].strip()
        if not key.replace("_", "").isalnum() or len(key) > 40 or not key.isascii():
            raise EventError("Clé de question invalide (lettres, chiffres, _).", field="questions")
        kind = q.get("kind", "text") if q.get("kind") in ("text", "textarea") else "text"
        out.append({"key": key, "label": q["label"].strip()[:200], "kind": kind})
    return out


def create_event(session: Session, actor: Any, data: EventInput) -> Event:
    if not perms.can_create_event(actor):
        raise NotAllowed("Réservé à l'équipe de l'agence (modération et administration).")
    for name in ("kind", "title", "starts_at", "ends_at", "capacity"):
        if name not in data.given():
            raise EventError("Ce champ est obligatoire.", field=name)
    event = Event(created_by_id=actor.id, status=EventStatus.DRAFT, seats_taken=0, waitlist_counter=0,
                  online=False, sequence=0, description="", description_html="")
    _apply(session, event, data)
    if "questions" not in data.given():
        event.questions = [dict(q) for q in DEFAULT_QUESTIONS.get(str(event.kind), [])]
    if not any(o.id == actor.id for o in event.organisers):
        event.organisers.append(actor)
    session.add(event)
    session.flush()
    record(session, "event_created", target=event, actor=actor)
    return event


# What registrants are told about when it changes.
NOTICE_FIELDS = {"starts_at", "ends_at", "location", "online", "join_url"}


def update_event(session: Session, actor: Any, event: Event, data: EventInput) -> Event:
    if not perms.can_manage_event(actor, event):
        raise NotAllowed("Réservé aux organisateurs de l'événement.")
    was = event.status
    capacity_before = event.capacity
    changed = _apply(session, event, data)
    if not changed and "organiser_ids" not in data.given():
        return event
    event.updated_at = utcnow()
    if changed & {"starts_at", "ends_at", "location", "online", "title"}:
        event.sequence += 1
    session.flush()
    if event.capacity > capacity_before:
        promote(session, event)
    if event.status == EventStatus.CANCELLED and was != EventStatus.CANCELLED:
        record(session, "event_cancelled", target=event, actor=actor)
    elif was == EventStatus.PUBLISHED and changed & NOTICE_FIELDS:
        record(session, "event_changed", target=event, actor=actor, fields=sorted(changed & NOTICE_FIELDS))
    if "replay_url" in changed and event.replay_url:
        event.materials_at = utcnow()
        record(session, "event_materials_added", target=event, actor=actor)
    record(session, "event_updated", target=event, actor=actor)
    return event


def add_session(session: Session, actor: Any, event: Event, data: SessionInput) -> EventSession:
    if not perms.can_manage_event(actor, event):
        raise NotAllowed("Réservé aux organisateurs de l'événement.")
    try:
        kind = SessionKind(data.kind)
    except ValueError:
        raise EventError("Type de session inconnu (plenary, workshop ou appointment).", field="kind") from None
    title = " ".join((data.title or "").split())
    if not 3 <= len(title) <= 200:
        raise EventError("Le titre compte de 3 à 200 caractères.", field="title")
    for name in ("starts_at", "ends_at"):
        _aware(getattr(data, name), name)
    if data.ends_at <= data.starts_at:
        raise EventError("La fin doit suivre le début.", field="ends_at")
    if data.starts_at < event.starts_at or data.ends_at > event.ends_at:
        raise EventError("La session se tient pendant l'événement.", field="starts_at")
    capacity = data.capacity
    if kind == SessionKind.APPOINTMENT:
        if capacity not in (None, 1):
            raise EventError("Un créneau de la clinique reçoit une personne (capacité 1).", field="capacity")
        capacity = 1
    elif kind == SessionKind.WORKSHOP:
        capacity = capacity if capacity is not None else event.capacity
    if capacity is not None and (not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY):
        raise EventError(f"La capacité est un nombre de places de 1 à {MAX_CAPACITY}.", field="capacity")
    slot = " ".join((data.slot or "").split())[:60] or None
    expert_id = data.expert_id
    if expert_id is not None and session.get(User, expert_id) is None:
        raise EventError("Expert inconnu.", field="expert_id")
    sess = EventSession(event=event, kind=kind, title=title, slot=slot, starts_at=data.starts_at, ends_at=data.ends_at,
                        capacity=capacity, room=(data.room or "").strip()[:120] or None,
                        description=(data.description or "")[:5000], expert_id=expert_id, seats_taken=0,
                        waitlist_counter=0)
    session.add(sess)
    session.flush()
    return sess


def add_materials(session: Session, actor: Any, event: Event, *, replay_url: str | None = None,
                  slides_document_id: int | None = None) -> Event:
    """After the event: the replay link and the slides (a library document); registrants are told."""
    if not perms.can_manage_event(actor, event):
        raise NotAllowed("Réservé aux organisateurs de l'événement.")
    if replay_url is not None:
        event.replay_url = _url(replay_url, "replay_url")
    if slides_document_id is not None:
        event.slides_document_id = slides_document_id
    event.materials_at = event.updated_at = utcnow()
    session.flush()
    record(session, "event_materials_added", target=event, actor=actor)
    return event


def registrants(session: Session, event: Event) -> list[Registration]:
    return list(session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)))
