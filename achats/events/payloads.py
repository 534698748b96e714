"""The events' JSON shapes (API.md), shared by the API and the live updates."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from achats.events import permissions as perms
from achats.events.models import Event, EventSession, Registration, SessionChoice
from achats.events.services import seats
from achats.events.services.registering import registration_open


def base_url() -> str:
    return str(current_app.config.get("ACHATS_BASE_URL", ""))


def session_payload(sess: EventSession) -> dict[str, Any]:
    return {"id": sess.id, "kind": str(sess.kind), "title": sess.title, "slot": sess.slot,
            "starts_at": sess.starts_at, "ends_at": sess.ends_at, "capacity": sess.capacity,
            "seats_left": sess.seats_left, "room": sess.room,
            "expert": {"id": sess.expert.id, "name": sess.expert.name} if sess.expert else None}


def event_payload(session: Session, event: Event, viewer: Any, registration: Registration | None = None,
                  *, full: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": event.id, "kind": str(event.kind), "title": event.title,
        "starts_at": event.starts_at, "ends_at": event.ends_at, "capacity": event.capacity,
        "seats_left": event.seats_left, "registration_open": registration_open(event),
        "status": str(event.status), "online": event.online, "location": event.location,
        "url": f"{base_url()}/evenements/{event.id}", "ics_url": f"{base_url()}/events/{event.id}.ics",
        "sessions": [session_payload(s) for s in event.sessions],
    }
    if full:
        payload.update({
            "description": event.description, "description_html": event.description_html,
            "registration_opens_at": event.registration_opens_at,
            "registration_closes_at": event.registration_closes_at,
            "cancellation_deadline": event.cancellation_deadline,
            "questions": event.questions or [], "replay_url": event.replay_url,
            "slides_document_id": event.slides_document_id,
            "waitlist_count": seats.waiting_count(session, event.id),
            "organisers": [{"id": o.id, "name": o.name} for o in event.organisers],
            "join_url": event.join_url if perms.can_see_join_url(viewer, event, registration) else None,
        })
    return payload


def choice_payload(session: Session, choice: SessionChoice) -> dict[str, Any]:
    data: dict[str, Any] = {"session_id": choice.session_id, "status": str(choice.status),
                            "waitlist_position": seats.choice_position(session, choice)}
    if choice.question is not None:
        data.update({"question": choice.question, "link": choice.link})
    return data


def registration_payload(session: Session, registration: Registration, *, position: int | None = None,
                         with_user: bool = False) -> dict[str, Any]:
    if position is None:
        position = seats.event_position(session, registration)
    data: dict[str, Any] = {
        "id": registration.id, "event_id": registration.event_id, "status": str(registration.status),
        "waitlist_position": position, "session_ids": sorted(c.session_id for c in registration.choices),
        "sessions": [choice_payload(session, c) for c in sorted(registration.choices, key=lambda c: c.session_id)],
        "answers": registration.answers or {}, "checked_in_at": registration.checked_in_at,
        "created_at": registration.created_at,
    }
    if with_user:
        user = registration.user
        org = user.organisation
        data["user"] = {"id": user.id, "name": user.name, "email": user.email,
                        "organisation": org.name if org else None,
                        "organisation_kind": str(org.kind) if org else None,
                        "departement": org.departement if org else None}
    return data
