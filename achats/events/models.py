"""The events' data: events and their organisers, sessions (plenaries, workshops, clinique slots),
registrations with their answers and session choices, reminders sent and calendar feed tokens.

Seats: `Event.seats_taken` and `EventSession.seats_taken` are written only by services.seats,
with one conditional UPDATE each (SECURITY.md §4); CHECKs keep them within the capacity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from achats.auth.models import User
from achats.events.vocabulary import (
    ChoiceStatus,
    EventKind,
    EventStatus,
    RegistrationStatus,
    SessionKind,
)
from achats.platform.db import Base, str_enum, utcnow


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="dates"),
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats"),
        Index("ix_event_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    description_html: Mapped[str] = mapped_column(Text, default="")  # sanitised on write
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    online: Mapped[bool] = mapped_column(default=False)
    location: Mapped[str | None] = mapped_column(String(300))
    join_url: Mapped[str | None] = mapped_column(String(500))  # confirmed registrants and organisers only
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    # Each waitlisted registration takes the next number; its position is its rank among those waiting.
    waitlist_counter: Mapped[int] = mapped_column(default=0)
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    cancellation_deadline: Mapped[datetime | None]  # None: until the start
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus, "status"), default=EventStatus.DRAFT)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # After the event: the replay (a video link) and the slides (a library document, by id).
    replay_url: Mapped[str | None] = mapped_column(String(500))
    slides_document_id: Mapped[int | None]
    materials_at: Mapped[datetime | None]
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: bumped on each change of time or place
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin",
        order_by="(EventSession.starts_at, EventSession.id)")
    organisers: Mapped[list[User]] = relationship(secondary="event_organiser", lazy="selectin")

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)

    @property
    def deadline(self) -> datetime:
        return self.cancellation_deadline or self.starts_at


class EventOrganiser(Base):
    __tablename__ = "event_organiser"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)


class EventSession(Base):
    __tablename__ = "event_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="dates"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity"),
        CheckConstraint("seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)", name="seats"),
        CheckConstraint("kind != 'appointment' OR capacity = 1", name="appointment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "session_kind"), default=SessionKind.PLENARY)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Workshops of one slot run in parallel: a registrant picks at most one per slot.
    slot: Mapped[str | None] = mapped_column(String(60))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    room: Mapped[str | None] = mapped_column(String(120))
    capacity: Mapped[int | None]  # None: as many as the event (plenaries)
    seats_taken: Mapped[int] = mapped_column(default=0)
    waitlist_counter: Mapped[int] = mapped_column(default=0)
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    event: Mapped[Event] = relationship(back_populates="sessions")
    expert: Mapped[User | None] = relationship(lazy="joined")

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.seats_taken)

    @property
    def choosable(self) -> bool:
        return self.kind in (SessionKind.WORKSHOP, SessionKind.APPOINTMENT)


class Registration(Base):
    __tablename__ = "event_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint("(status = 'waitlisted') = (waitlist_number IS NOT NULL)", name="waitlist"),
        Index("ix_event_registration_waiting", "event_id", "status", "waitlist_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, "status"))
    waitlist_number: Mapped[int | None]
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    choices: Mapped[list[SessionChoice]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", lazy="selectin")

    @property
    def active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED


class SessionChoice(Base):
    """A registrant's workshop or clinique slot, with its own seat or waiting-list number."""

    __tablename__ = "event_session_choice"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        CheckConstraint("(status = 'waitlisted') = (waitlist_number IS NOT NULL)", name="waitlist"),
        Index("ix_event_session_choice_waiting", "session_id", "status", "waitlist_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("event_registration.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("event_session.id", ondelete="CASCADE"))
    status: Mapped[ChoiceStatus] = mapped_column(str_enum(ChoiceStatus, "choice_status"))
    waitlist_number: Mapped[int | None]
    # A clinique appointment: the question in a sentence, and a thread or library document it points to.
    question: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="choices")
    session: Mapped[EventSession] = relationship(lazy="joined")


class ReminderSent(Base):
    """One row per (registration, reminder): the periodic task never sends one twice."""

    __tablename__ = "event_reminder_sent"
    __table_args__ = (UniqueConstraint("registration_id", "reminder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("event_registration.id", ondelete="CASCADE"))
    reminder: Mapped[str] = mapped_column(String(10))  # "7d", "1d", "1h"
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(Base):
    """A person's calendar feed. The URL's token is an HMAC of this random nonce under the app's
    secret (the database alone cannot rebuild it); revoking deletes the row, the next one differs."""

    __tablename__ = "event_calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
