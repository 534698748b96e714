"""Registrations: sign up (a seat or the waiting list, for the event and for each workshop),
change the workshops, book a clinique slot, cancel (promoting the first waiting), organisers'
manual add and removal, check-in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from achats.events import permissions as perms
from achats.events.models import Event, EventSession, Registration, SessionChoice
from achats.events.services import seats
from achats.events.services.errors import (
    AlreadyRegistered,
    Conflict,
    EventError,
    NotAllowed,
    RegistrationClosed,
    SlotTaken,
)
from achats.events.vocabulary import (
    ANSWER_MAX,
    ChoiceStatus,
    EventStatus,
    RegistrationStatus,
    SessionKind,
)
from achats.platform.db import utcnow
from achats.platform.events import record

QUESTION_MAX = 300
LINK_MAX = 500


@dataclass(frozen=True)
class Appointment:
    """A clinique slot asked for: the question in a sentence, a thread or library link."""

    session_id: int
    question: str
    link: str | None = None


def registration_open(event: Event, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return False
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return False
    return not (event.registration_closes_at is not None and now >= event.registration_closes_at)


def closed_reason(event: Event, now: datetime | None = None) -> str:
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return "Cet événement est annulé."
    if event.status != EventStatus.PUBLISHED:
        return "Cet événement n'est pas encore publié."
    if now >= event.starts_at:
        return "Cet événement a commencé : les inscriptions sont closes."
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return "Les inscriptions ne sont pas encore ouvertes."
    return "Les inscriptions sont closes."


def can_still_change(event: Event, now: datetime | None = None) -> bool:
    """Until the cancellation deadline (the start when none is set), a registrant may change or cancel."""
    return event.status == EventStatus.PUBLISHED and (now or utcnow()) < event.deadline


def find_registration(session: Session, event: Event, user: Any) -> Registration | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                     Registration.user_id == user.id))


# --- checking what was asked -------------------------------------------------------------------


def clean_answers(event: Event, answers: Mapping[str, Any] | None) -> dict[str, str]:
    keys = {q["key"] for q in event.questions or []}
    clean: dict[str, str] = {}
    for key, value in (answers or {}).items():
        if key not in keys:
            raise EventError(f"Question inconnue pour cet événement : {str(key)[:40]}.", field=f"answers.{key}"[:60])
        if value is None:
            continue
        if not isinstance(value, str):
            raise EventError("Une réponse est un texte.", field=f"answers.{key}")
        text = value.strip()
        if len(text) > ANSWER_MAX:
            raise EventError(f"Réponse trop longue (au plus {ANSWER_MAX} caractères).", field=f"answers.{key}")
        if text:
            clean[key] = text
    return clean


def chosen_sessions(event: Event, session_ids: Sequence[int]) -> list[EventSession]:
    """The workshops and clinique slot asked for: of this event, one per slot, no two overlapping."""
    by_id = {s.id: s for s in event.sessions}
    chosen: list[EventSession] = []
    for sid in dict.fromkeys(session_ids):
        found = by_id.get(sid)
        if found is None:
            raise EventError("Cette session n'appartient pas à l'événement.", field="session_ids")
        if found.kind == SessionKind.PLENARY:
            continue  # plenaries need no choice: everyone registered attends
        chosen.append(found)
    check_choice_set(chosen)
    return chosen


def check_choice_set(chosen: Sequence[EventSession]) -> None:
    slots: dict[str, EventSession] = {}
    appointments = [s for s in chosen if s.kind == SessionKind.APPOINTMENT]
    if len(appointments) > 1:
        raise EventError("Un seul rendez-vous à la clinique du DCE par inscrit.", field="session_ids")
    for s in chosen:
        if s.kind == SessionKind.WORKSHOP and s.slot:
            if s.slot in slots:
                raise EventError(f"Un seul atelier par créneau : « {slots[s.slot].title} » et « {s.title} » "
                                 "ont lieu en même temps.", field="session_ids")
            slots[s.slot] = s
    ordered = sorted(chosen, key=lambda s: s.starts_at)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.starts_at < a.ends_at:
            raise EventError(f"« {a.title} » et « {b.title} » se chevauchent : choisissez l'un ou l'autre.",
                             field="session_ids")


def _clean_appointment(event: Event, appointment: Appointment | None) -> tuple[EventSession, str, str | None] | None:
    if appointment is None:
        return None
    sess = next((s for s in event.sessions if s.id == appointment.session_id), None)
    if sess is None or sess.kind != SessionKind.APPOINTMENT:
        raise EventError("Ce créneau de la clinique n'existe pas.", field="appointment")
    question = " ".join((appointment.question or "").split())
    if len(question) < 10:
        raise EventError("Dites en une phrase quelle est votre question (10 caractères au moins).", field="question")
    if len(question) > QUESTION_MAX:
        raise EventError(f"Une phrase suffit : {QUESTION_MAX} caractères au plus.", field="question")
    link = (appointment.link or "").strip() or None
    if link is not None and (len(link) > LINK_MAX or not (link.startswith(("https://", "http://", "/")))
                             or link.startswith("//")):
        raise EventError("Le lien doit pointer vers un sujet du forum ou un document de la bibliothèque.",
                         field="link")
    return sess, question, link


# --- signing up ----------------------------------------------------------------------------------


def register(session: Session, event: Event, user: Any, session_ids: Sequence[int] = (),
             answers: Mapping[str, Any] | None = None, *, appointment: Appointment | None = None,
             actor: Any = None) -> Registration:
    """Sign `user` up: a seat if one is left, else the waiting list with the next number; the
    workshops chosen each take a seat or their own waiting list. `actor`: an organiser adding
    someone by hand (the registration window does not apply to them).

    Raises AlreadyRegistered (also when a concurrent request of the same person won the race),
    RegistrationClosed, EventError."""
    actor = actor or user
    by_organiser = actor is not user and perms.is_organiser(actor, event)
    if not by_organiser and not perms.can_register(user):
        raise NotAllowed("Votre compte doit être validé pour vous inscrire.")
    if event.status == EventStatus.CANCELLED or (not by_organiser and not registration_open(event)):
        raise RegistrationClosed(closed_reason(event))
    clean = clean_answers(event, answers)
    ids = list(session_ids)
    if appointment is not None:
        ids = [i for i in ids if i != appointment.session_id]
    chosen = chosen_sessions(event, ids)
    wanted_appointment = _clean_appointment(event, appointment)
    if any(s.kind == SessionKind.APPOINTMENT for s in chosen):
        raise EventError("Pour la clinique du DCE, dites aussi quelle est votre question.", field="question")
    if wanted_appointment is not None:
        check_choice_set([*chosen, wanted_appointment[0]])

    existing = find_registration(session, event, user)
    now = utcnow()
    if existing is not None:
        if existing.active:
            raise AlreadyRegistered(existing)
        # A cancelled registration comes back: claim the row, so a double submission claims it once.
        claimed = session.execute(update(Registration).where(
            Registration.id == existing.id, Registration.status == RegistrationStatus.CANCELLED)
            .values(status=RegistrationStatus.CONFIRMED, waitlist_number=None, cancelled_at=None, updated_at=now)
            .execution_options(synchronize_session=False))
        if int(getattr(claimed, "rowcount", 0) or 0) != 1:
            session.expire(existing)
            raise AlreadyRegistered(existing)
        session.expire(existing)
        registration = existing
        registration.answers = clean
        registration.checked_in_at = None
        registration.added_by_id = actor.id if by_organiser else None
    else:
        registration = Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED,
                                    answers=clean, added_by_id=actor.id if by_organiser else None)
        try:
            with session.begin_nested():
                session.add(registration)
                session.flush()
        except IntegrityError:
            raced = find_registration(session, event, user)
            raise AlreadyRegistered(raced) from None
    registration.created_at = now
    if seats.take_event_seat(session, event):
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.waitlist_number = None
    else:
        number = seats.next_event_number(session, event)
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlist_number = number
        registration.confirmed_at = None
    session.flush()
    for sess in sorted(chosen, key=lambda s: s.id):
        choice = SessionChoice(registration_id=registration.id, session_id=sess.id, status=ChoiceStatus.PENDING)
        choice.session = sess
        registration.choices.append(choice)
    session.flush()
    if registration.status == RegistrationStatus.CONFIRMED:
        _seat_choices(session, registration)
        if wanted_appointment is not None:
            _book(session, registration, *wanted_appointment)
    elif wanted_appointment is not None:
        raise EventError("La clinique du DCE se réserve une fois votre place confirmée.", field="appointment")
    session.flush()
    record(session, "registration_created", registration=registration, actor=actor)
    return registration


def _seat_choice(session: Session, choice: SessionChoice) -> None:
    sess = choice.session
    if seats.take_session_seat(session, sess):
        choice.status = ChoiceStatus.CONFIRMED
        choice.waitlist_number = None
    elif sess.kind == SessionKind.APPOINTMENT:
        raise SlotTaken("Ce créneau de la clinique vient d'être réservé : choisissez-en un autre.", field="appointment")
    else:
        number = seats.next_session_number(session, sess)
        choice.status = ChoiceStatus.WAITLISTED
        choice.waitlist_number = number


def _seat_choices(session: Session, registration: Registration) -> None:
    for choice in sorted(registration.choices, key=lambda c: c.session_id):
        if choice.status == ChoiceStatus.PENDING:
            _seat_choice(session, choice)
    session.flush()


def _book(session: Session, registration: Registration, sess: EventSession, question: str, link: str | None) -> None:
    choice = SessionChoice(registration_id=registration.id, session_id=sess.id, status=ChoiceStatus.PENDING,
                           question=question, link=link)
    choice.session = sess
    registration.choices.append(choice)
    session.flush()
    _seat_choice(session, choice)
    session.flush()


# --- changing ---------------------------------------------------------------------------------------


def _check_changeable(registration: Registration, actor: Any) -> None:
    event = registration.event
    if perms.is_organiser(actor, event) and event.status != EventStatus.CANCELLED:
        return
    if actor is None or actor.id != registration.user_id:
        raise NotAllowed("Cette inscription n'est pas la vôtre.")
    if not registration.active:
        raise Conflict("Cette inscription est annulée.")
    if not can_still_change(event):
        raise RegistrationClosed("La date limite de modification est passée.")


def change_workshops(session: Session, registration: Registration, session_ids: Sequence[int], actor: Any) -> Registration:
    """Replace the workshop choices (the clinique slot stays): seats freed go to those waiting."""
    _check_changeable(registration, actor)
    event = registration.event
    wanted = [s for s in chosen_sessions(event, session_ids) if s.kind == SessionKind.WORKSHOP]
    appointments = [c.session for c in registration.choices if c.session.kind == SessionKind.APPOINTMENT]
    check_choice_set([*wanted, *appointments])
    wanted_ids = {s.id for s in wanted}
    current = {c.session_id: c for c in registration.choices if c.session.kind == SessionKind.WORKSHOP}
    removed = [sid for sid in current if sid not in wanted_ids]
    by_id = {s.id: s for s in event.sessions}
    freed = [by_id[sid] for sid in (_drop_choices(session, registration, removed) if removed else [])]
    for sess in freed:
        seats.release_session_seat(session, sess)
    session.flush()
    for sess in sorted(wanted, key=lambda s: s.id):
        if sess.id not in current:
            choice = SessionChoice(registration_id=registration.id, session_id=sess.id, status=ChoiceStatus.PENDING)
            choice.session = sess
            registration.choices.append(choice)
    session.flush()
    if registration.status == RegistrationStatus.CONFIRMED:
        _seat_choices(session, registration)
    for sess in freed:
        promote_session(session, sess)
    registration.updated_at = utcnow()
    session.flush()
    record(session, "registration_updated", registration=registration, actor=actor)
    return registration


def book_appointment(session: Session, registration: Registration, appointment: Appointment, actor: Any) -> SessionChoice:
    """One clinique slot per registrant (a new booking replaces the old one)."""
    _check_changeable(registration, actor)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict("La clinique du DCE se réserve une fois votre place confirmée.", field="appointment")
    sess, question, link = _clean_appointment(registration.event, appointment) or (None, "", None)
    assert sess is not None
    others = [c.session for c in registration.choices if c.session.kind == SessionKind.WORKSHOP]
    check_choice_set([*others, sess])
    old = [c for c in registration.choices if c.session.kind == SessionKind.APPOINTMENT]
    for choice in old:
        if choice.session_id == sess.id:
            choice.question, choice.link = question, link
            session.flush()
            return choice
    for choice in old:
        seats.release_session_seat(session, choice.session)
        registration.choices.remove(choice)
    session.flush()
    _book(session, registration, sess, question, link)
    record(session, "registration_updated", registration=registration, actor=actor)
    return next(c for c in registration.choices if c.session_id == sess.id)


def cancel_appointment(session: Session, registration: Registration, actor: Any) -> None:
    _check_changeable(registration, actor)
    for choice in [c for c in registration.choices if c.session.kind == SessionKind.APPOINTMENT]:
        if choice.status == ChoiceStatus.CONFIRMED:
            seats.release_session_seat(session, choice.session)
        registration.choices.remove(choice)
    session.flush()



def _drop_choices(session: Session, registration: Registration, session_ids: Sequence[int] | None = None) -> list[int]:
    """Delete the registration's choices (all, or of these sessions) in one statement that
    returns each row's status as it was when deleted: a choice promoted by a concurrent
    transaction a moment ago is seen as holding its seat (row locks wait for that commit)."""
    from sqlalchemy import delete

    stmt = delete(SessionChoice).where(SessionChoice.registration_id == registration.id)
    if session_ids is not None:
        stmt = stmt.where(SessionChoice.session_id.in_(list(session_ids)))
    rows = session.execute(stmt.returning(SessionChoice.session_id, SessionChoice.status)
                           .execution_options(synchronize_session=False)).all()
    for choice in list(registration.choices):
        if (session_ids is None or choice.session_id in session_ids) and choice in session:
            session.expunge(choice)
    session.expire(registration, ["choices"])
    return sorted(sid for sid, status in rows if status == ChoiceStatus.CONFIRMED)


def _claim_cancellation(session: Session, registration: Registration) -> RegistrationStatus:
    """Mark the registration cancelled only from the state it is in now in the database (a
    concurrent promotion may have given it a seat since it was read); the status it had."""
    now = utcnow()
    for _ in range(5):
        seen = registration.status
        if seen == RegistrationStatus.CANCELLED:
            raise Conflict("Cette inscription est déjà annulée.")
        result = session.execute(update(Registration).where(
            Registration.id == registration.id, Registration.status == seen)
            .values(status=RegistrationStatus.CANCELLED, waitlist_number=None, cancelled_at=now, updated_at=now,
                    checked_in_at=None).execution_options(synchronize_session=False))
        if int(getattr(result, "rowcount", 0) or 0) == 1:
            session.expire(registration)
            return seen
        session.refresh(registration)
    raise Conflict("Cette inscription vient de changer : réessayez.")


# --- cancelling and promoting -------------------------------------------------------------------------


def cancel(session: Session, registration: Registration, actor: Any) -> Registration:
    """Cancel (the registrant until the deadline, an organiser any time): the seat and the
    workshop seats go to the first waiting, in the same transaction."""
    _check_changeable(registration, actor)
    if not registration.active:
        raise Conflict("Cette inscription est déjà annulée.")
    event = registration.event
    had = _claim_cancellation(session, registration)
    if had == RegistrationStatus.CONFIRMED:
        seats.release_event_seat(session, event)
    held = _drop_choices(session, registration)
    by_id = {s.id: s for s in event.sessions}
    freed = [by_id[sid] for sid in held if sid in by_id]
    for sess in freed:
        seats.release_session_seat(session, sess)
    session.flush()
    if had == RegistrationStatus.CONFIRMED:
        promote(session, event)
    for sess in freed:
        promote_session(session, sess)
    record(session, "registration_cancelled", registration=registration, actor=actor)
    return registration


def promote(session: Session, event: Event) -> list[Registration]:
    """Give free seats to the first waiting, in order, with the same conditional UPDATE."""
    promoted: list[Registration] = []
    while True:
        first = session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.waitlist_number).limit(1))
        if first is None or not seats.take_event_seat(session, event):
            break
        now = utcnow()
        claimed = session.execute(update(Registration).where(
            Registration.id == first.id, Registration.status == RegistrationStatus.WAITLISTED)
            .values(status=RegistrationStatus.CONFIRMED, waitlist_number=None, confirmed_at=now, updated_at=now)
            .execution_options(synchronize_session=False))
        session.expire(first)
        if int(getattr(claimed, "rowcount", 0) or 0) != 1:
            seats.release_event_seat(session, event)  # cancelled meanwhile: the seat goes to the next one
            continue
        _seat_choices(session, first)
        promoted.append(first)
        record(session, "registration_promoted", registration=first, workshop=None)
    return promoted


def promote_session(session: Session, sess: EventSession) -> list[SessionChoice]:
    promoted: list[SessionChoice] = []
    if sess.kind == SessionKind.APPOINTMENT:
        return promoted
    while True:
        first = session.scalar(select(SessionChoice).where(
            SessionChoice.session_id == sess.id, SessionChoice.status == ChoiceStatus.WAITLISTED)
            .order_by(SessionChoice.waitlist_number).limit(1))
        if first is None or not seats.take_session_seat(session, sess):
            break
        claimed = session.execute(update(SessionChoice).where(
            SessionChoice.id == first.id, SessionChoice.status == ChoiceStatus.WAITLISTED)
            .values(status=ChoiceStatus.CONFIRMED, waitlist_number=None)
            .execution_options(synchronize_session=False))
        session.expire(first)
        if int(getattr(claimed, "rowcount", 0) or 0) != 1:
            seats.release_session_seat(session, sess)
            continue
        promoted.append(first)
        record(session, "registration_promoted", registration=first.registration, workshop=sess)
    return promoted


# --- check-in ---------------------------------------------------------------------------------------


def check_in(session: Session, registration: Registration, actor: Any, present: bool = True) -> Registration:
    event = registration.event
    if not perms.is_organiser(actor, event):
        raise NotAllowed("Réservé aux organisateurs de l'événement.")
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict("Seule une inscription confirmée peut être pointée.")
    if present and registration.checked_in_at is None:
        registration.checked_in_at = utcnow()
        registration.checked_in_by_id = actor.id
    elif not present:
        registration.checked_in_at = None
        registration.checked_in_by_id = None
    session.flush()
    record(session, "attendance_changed", target=event, registration=registration)
    return registration
