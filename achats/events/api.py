"""The events' API (API.md): events and sessions, registrations, organisers' lists and check-in,
attestations and the personal calendar feed. Every refusal is problem+json in French."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Literal

from flask import Response, current_app
from flask_login import current_user
from pydantic import AwareDatetime, BaseModel, Field

from achats.events import permissions as perms
from achats.events import services
from achats.events.models import Event, Registration
from achats.events.payloads import base_url, event_payload, registration_payload
from achats.events.services import seats
from achats.events.services.attestations import attestation_pdf
from achats.events.services.calendars import feed_token, revoke_feed
from achats.events.vocabulary import RegistrationStatus
from achats.platform.api import (
    ApiBlueprint,
    ApiError,
    Id,
    ListQuery,
    StrictBody,
    decode_cursor,
    encode_cursor,
)
from achats.platform.downloads import attachment
from achats.platform.extensions import db

api = ApiBlueprint("events_api", "achats.events.api", tag="Événements")


def _me() -> Any:
    return current_user._get_current_object()


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except services.EventError as exc:
        db.session.rollback()
        raise ApiError(exc.status, exc.message, errors={exc.field: [exc.message]} if exc.field else None) from None


# --- schemas -------------------------------------------------------------------------------------------


class EventsQuery(ListQuery):
    kind: Literal["webinar", "assises"] | None = None
    upcoming: bool | None = None


class RegistrantsQuery(ListQuery):
    status: Literal["confirmed", "waitlisted", "cancelled"] | None = None
    session: Id | None = None


class Question(BaseModel):
    key: str = Field(max_length=40)
    label: str = Field(max_length=200)
    kind: Literal["text", "textarea"] = "text"


class EventBody(StrictBody):
    kind: Literal["webinar", "assises"] | None = None
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: str | None = Field(default=None, max_length=300)
    online: bool | None = None
    join_url: str | None = Field(default=None, max_length=500)
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    cancellation_deadline: AwareDatetime | None = None
    status: Literal["draft", "published", "cancelled"] | None = None
    questions: list[Question] | None = Field(default=None, max_length=10)
    organiser_ids: list[Id] | None = Field(default=None, max_length=50)
    replay_url: str | None = Field(default=None, max_length=500)


class SessionBody(StrictBody):
    title: str = Field(max_length=200)
    kind: Literal["plenary", "workshop", "appointment"] = "plenary"
    slot: str | None = Field(default=None, max_length=60)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    room: str | None = Field(default=None, max_length=120)
    description: str = Field(default="", max_length=5000)
    expert_id: Id | None = None


class AppointmentBody(StrictBody):
    session_id: Id
    question: str = Field(max_length=300)
    link: str | None = Field(default=None, max_length=500)


class RegistrationBody(StrictBody):
    session_ids: list[Id] = Field(default_factory=list, max_length=50)
    answers: dict[str, str | None] = Field(default_factory=dict, max_length=20)
    appointment: AppointmentBody | None = None


class RegistrationPatch(StrictBody):
    session_ids: list[Id] | None = Field(default=None, max_length=50)
    appointment: AppointmentBody | None = None


class SessionOut(BaseModel):
    id: int
    kind: str
    title: str
    slot: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    seats_left: int | None


class EventOut(BaseModel):
    id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_left: int
    registration_open: bool
    status: str
    sessions: list[SessionOut]
    join_url: str | None = None


class EventList(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


class RegistrationOut(BaseModel):
    id: int
    status: Literal["confirmed", "waitlisted", "cancelled"]
    waitlist_position: int | None = None
    session_ids: list[int]
    answers: dict[str, str]
    checked_in_at: datetime | None


class RegistrantList(BaseModel):
    items: list[RegistrationOut]
    next_cursor: str | None


class CalendarOut(BaseModel):
    url: str


# --- helpers ---------------------------------------------------------------------------------------------


def _event_or_404(event_id: int) -> Event:
    event = services.get_event(db.session, event_id, _me())
    if event is None:
        raise ApiError(404, "Cet événement n'existe pas ou ne vous est pas accessible.")
    return event


def _managed(event_id: int) -> Event:
    event = _event_or_404(event_id)
    if not perms.can_manage_event(_me(), event):
        raise ApiError(403, "Réservé aux organisateurs de l'événement.")
    return event


def _input(body: EventBody) -> services.EventInput:
    data = services.EventInput()
    for name in body.model_fields_set:
        value = getattr(body, name)
        if name == "questions" and value is not None:
            value = [q.model_dump() for q in value]
        setattr(data, name, value)
    return data


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    values = decode_cursor(cursor, 1)
    if values is None or not isinstance(values[0], int) or not 0 <= values[0] <= 1_000_000:
        raise ApiError(400, "Curseur de pagination invalide.", errors={"cursor": ["Curseur invalide."]})
    return values[0]


# --- events -------------------------------------------------------------------------------------------------


@api.operation("/events", "GET", "Les événements : webinaires et Assises, à venir ou passés", query=EventsQuery,
               response=EventList, auth=False, errors=(400,))
def list_events(query: EventsQuery) -> dict[str, Any]:
    offset = _offset(query.cursor)
    events = services.list_events(db.session, _me(), kind=query.kind, upcoming=query.upcoming,
                                  limit=offset + query.limit + 1)
    page = events[offset:offset + query.limit]
    more = len(events) > offset + query.limit
    viewer = _me()
    items = []
    for event in page:
        item = event_payload(db.session, event, viewer, full=False)
        items.append(item)
    return {"items": items, "next_cursor": encode_cursor([offset + len(page)]) if more else None}


@api.operation("/events", "POST", "Créer un événement (organisateurs : modération et administration)",
               body=EventBody, response=EventOut, status=201, errors=(403, 409, 422))
def create_event(body: EventBody) -> tuple[dict[str, Any], int]:
    with domain_errors():
        event = services.create_event(db.session, _me(), _input(body))
    db.session.commit()
    return event_payload(db.session, event, _me()), 201


@api.operation("/events/<int:event_id>", "GET", "Un événement, ses sessions ; le lien de connexion pour les inscrits "
               "confirmés et les organisateurs", response=EventOut, auth=False, errors=(404,))
def get_event(event_id: int) -> dict[str, Any]:
    event = _event_or_404(event_id)
    registration = services.find_registration(db.session, event, _me())
    return event_payload(db.session, event, _me(), registration)


@api.operation("/events/<int:event_id>", "PATCH", "Modifier un événement (les inscrits sont prévenus d'un changement "
               "d'horaire, de lieu ou de lien, ou d'une annulation)", body=EventBody, response=EventOut,
               errors=(403, 404, 409, 422))
def update_event(event_id: int, body: EventBody) -> dict[str, Any]:
    event = _managed(event_id)
    with domain_errors():
        services.update_event(db.session, _me(), event, _input(body))
    db.session.commit()
    return event_payload(db.session, event, _me())


@api.operation("/events/<int:event_id>/sessions", "POST", "Ajouter une session : plénière, atelier (avec sa capacité) "
               "ou créneau de la clinique du DCE", body=SessionBody, response=SessionOut, status=201,
               errors=(403, 404, 422))
def add_session(event_id: int, body: SessionBody) -> tuple[dict[str, Any], int]:
    from achats.events.payloads import session_payload

    event = _managed(event_id)
    with domain_errors():
        sess = services.add_session(db.session, _me(), event, services.SessionInput(**body.model_dump()))
    db.session.commit()
    return session_payload(sess), 201


# --- registrations ---------------------------------------------------------------------------------------------


@api.operation("/events/<int:event_id>/registrations", "POST", "S'inscrire : une place, ou la liste d'attente avec "
               "sa position ; un atelier par créneau", body=RegistrationBody, response=RegistrationOut, status=201,
               errors=(403, 404, 409, 422))
def register(event_id: int, body: RegistrationBody) -> tuple[dict[str, Any], int]:
    event = _event_or_404(event_id)
    appointment = (services.Appointment(body.appointment.session_id, body.appointment.question,
                                        body.appointment.link) if body.appointment else None)
    with domain_errors():
        registration = services.register(db.session, event, _me(), body.session_ids, body.answers,
                                         appointment=appointment)
    db.session.commit()
    return registration_payload(db.session, registration), 201


def _mine(event: Event) -> Registration:
    registration = services.find_registration(db.session, event, _me())
    if registration is None or not registration.active:
        raise ApiError(404, "Vous n'êtes pas inscrit(e) à cet événement.")
    return registration


@api.operation("/events/<int:event_id>/registration", "GET", "Mon inscription (404 sans inscription)",
               response=RegistrationOut, errors=(401, 404))
def get_registration(event_id: int) -> dict[str, Any]:
    return registration_payload(db.session, _mine(_event_or_404(event_id)))


@api.operation("/events/<int:event_id>/registration", "PATCH", "Changer mes ateliers ou mon rendez-vous à la "
               "clinique, jusqu'à la date limite", body=RegistrationPatch, response=RegistrationOut,
               errors=(401, 404, 409, 422))
def change_registration(event_id: int, body: RegistrationPatch) -> dict[str, Any]:
    registration = _mine(_event_or_404(event_id))
    with domain_errors():
        if body.session_ids is not None:
            services.change_workshops(db.session, registration, body.session_ids, _me())
        if body.appointment is not None:
            services.book_appointment(db.session, registration, services.Appointment(
                body.appointment.session_id, body.appointment.question, body.appointment.link), _me())
    db.session.commit()
    return registration_payload(db.session, registration)


@api.operation("/events/<int:event_id>/registration", "DELETE", "Annuler mon inscription : la place va à la "
               "première personne en attente", status=204, errors=(401, 404, 409))
def cancel_registration(event_id: int) -> None:
    registration = _mine(_event_or_404(event_id))
    with domain_errors():
        services.cancel(db.session, registration, _me())
    db.session.commit()


@api.operation("/events/<int:event_id>/registrations", "GET", "Organisateurs : les inscrits, filtrés par statut ou "
               "session", query=RegistrantsQuery, response=RegistrantList, errors=(400, 403, 404))
def list_registrations(event_id: int, query: RegistrantsQuery) -> dict[str, Any]:
    event = _managed(event_id)
    offset = _offset(query.cursor)
    stmt = services.registrant_query(event, services.RegistrantFilters(status=query.status, session_id=query.session))
    rows = list(db.session.scalars(stmt.offset(offset).limit(query.limit + 1)))
    positions = seats.event_positions(db.session, event.id)
    items = [registration_payload(db.session, r, position=positions.get(r.id), with_user=True)
             for r in rows[:query.limit]]
    more = len(rows) > query.limit
    return {"items": items, "next_cursor": encode_cursor([offset + query.limit]) if more else None}


def _registrant(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise ApiError(404, "Cette inscription n'existe pas.")
    return registration


@api.operation("/events/<int:event_id>/registrations/<int:registration_id>/check-in", "POST",
               "Organisateurs : pointer une personne présente", response=RegistrationOut, errors=(403, 404, 409))
def check_in(event_id: int, registration_id: int) -> dict[str, Any]:
    event = _managed(event_id)
    registration = _registrant(event, registration_id)
    with domain_errors():
        services.check_in(db.session, registration, _me(), True)
    db.session.commit()
    return registration_payload(db.session, registration, with_user=True)


@api.operation("/events/<int:event_id>/registrations/<int:registration_id>/check-in", "DELETE",
               "Organisateurs : annuler un pointage", response=RegistrationOut, errors=(403, 404, 409),
               endpoint="undo_check_in")
def undo_check_in(event_id: int, registration_id: int) -> dict[str, Any]:
    event = _managed(event_id)
    registration = _registrant(event, registration_id)
    with domain_errors():
        services.check_in(db.session, registration, _me(), False)
    db.session.commit()
    return registration_payload(db.session, registration, with_user=True)


@api.operation("/events/<int:event_id>/attestation", "GET", "L'attestation de participation (PDF) d'une personne "
               "présente ; 404 pour toute autre", content_type="application/pdf", errors=(401, 404))
def attestation(event_id: int) -> Response:
    event = _event_or_404(event_id)
    registration = services.find_registration(db.session, event, _me())
    if registration is None or registration.status != RegistrationStatus.CONFIRMED or registration.checked_in_at is None:
        raise ApiError(404, "Aucune attestation : votre présence n'a pas été constatée à cet événement.")
    return attestation_response(registration)


def attestation_response(registration: Registration) -> Response:
    return attachment(attestation_pdf(registration), "application/pdf",
                      f"attestation-evenement-{registration.event_id}.pdf")


# --- the personal calendar feed ------------------------------------------------------------------------------


@api.operation("/me/calendar", "GET", "L'adresse de mon agenda (inscriptions et rendez-vous), avec un jeton secret",
               response=CalendarOut, errors=(401,))
def get_calendar() -> dict[str, Any]:
    token = feed_token(db.session, _me(), current_app.config["SECRET_KEY"])
    db.session.commit()
    return {"url": f"{base_url()}/events/calendar/{token}.ics"}


@api.operation("/me/calendar", "DELETE", "Révoquer l'adresse de mon agenda (la suivante sera différente)",
               status=204, errors=(401,))
def revoke_calendar() -> None:
    revoke_feed(db.session, _me())
    db.session.commit()
