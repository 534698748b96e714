"""Registration rules beyond seats: deadlines, workshop changes promoting the next in line,
organisers' manual add, personal data, calendars across the end of summer time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from achats.events import services
from achats.events.vocabulary import ChoiceStatus, RegistrationStatus


def test_changing_workshop_frees_the_seat_for_the_first_waiting(db, make_event, make_session, buyers):
    event = make_event(capacity=10, kind="assises", hours=8)
    full = make_session(event, title="Bâtiment", slot="tour 1", capacity=1, start_hour=4)
    other = make_session(event, title="Alimentation", slot="tour 1", capacity=5, start_hour=4)
    first, second = buyers(2)
    a = services.register(db.session, event, first, [full.id])
    b = services.register(db.session, event, second, [full.id])
    db.session.commit()
    assert b.choices[0].status == ChoiceStatus.WAITLISTED
    services.change_workshops(db.session, a, [other.id], first)
    db.session.commit()
    db.session.expire_all()
    assert [c.status for c in services.find_registration(db.session, event, second).choices] == ["confirmed"]
    assert [c.session_id for c in services.find_registration(db.session, event, first).choices] == [other.id]


def test_deadline_passed_refuses_changes_but_not_organisers(db, make_event, organiser, buyers):
    event = make_event(capacity=10)
    person = buyers(1)[0]
    registration = services.register(db.session, event, person)
    event.cancellation_deadline = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(services.RegistrationClosed):
        services.cancel(db.session, registration, person)
    services.cancel(db.session, registration, organiser)
    db.session.commit()
    assert registration.status == RegistrationStatus.CANCELLED


def test_organisers_add_people_after_closing_and_pending_accounts_cannot_register(db, make_event, organiser,
                                                                                   make_user):
    event = make_event(capacity=10, registration_closes_at=datetime.now(UTC) + timedelta(days=1))
    event.registration_closes_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    person = make_user()
    with pytest.raises(services.RegistrationClosed):
        services.register(db.session, event, person)
    db.session.rollback()
    added = services.register(db.session, event, person, actor=organiser)
    assert added.status == RegistrationStatus.CONFIRMED and added.added_by_id == organiser.id
    pending = make_user(status="pending")
    open_event = make_event(capacity=10)
    with pytest.raises(services.NotAllowed):
        services.register(db.session, open_event, pending)


def test_raising_the_capacity_promotes_the_waiting(db, make_event, organiser, buyers):
    event = make_event(capacity=1)
    people = buyers(3)
    for p in people:
        services.register(db.session, event, p)
    db.session.commit()
    services.update_event(db.session, organiser, event, services.EventInput(capacity=2))
    db.session.commit()
    statuses = [services.find_registration(db.session, event, p).status for p in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    with pytest.raises(services.Conflict):
        services.update_event(db.session, organiser, event, services.EventInput(capacity=1))


def test_personal_data_export_and_deletion_free_the_seat(db, make_event, buyers):
    from achats.events.personal_data import export_registrations, forget_account

    event = make_event(capacity=1)
    first, second = buyers(2)
    services.register(db.session, event, first, answers={"accessibility": "Boucle magnétique"})
    services.register(db.session, event, second)
    db.session.commit()
    exported = export_registrations(db.session, first)
    assert exported[0]["answers"] == {"accessibility": "Boucle magnétique"}
    forget_account(db.session, first)
    db.session.commit()
    assert services.find_registration(db.session, event, first) is None
    assert services.find_registration(db.session, event, second).status == RegistrationStatus.CONFIRMED


def test_the_calendar_carries_summer_and_winter_time(db, make_event):
    from achats.events.services.calendars import event_ics

    april = make_event(starts_at=datetime(2027, 4, 13, 9, tzinfo=UTC))
    december = make_event(starts_at=datetime(2027, 12, 7, 10, tzinfo=UTC))
    for event, local in ((april, b"DTSTART;TZID=Europe/Paris:20270413T110000"),
                         (december, b"DTSTART;TZID=Europe/Paris:20271207T110000")):
        data = event_ics(event, "http://localhost")
        assert local in data
        assert b"BEGIN:DAYLIGHT" in data and b"BEGIN:STANDARD" in data


def test_french_date_range():
    from achats.events.models import Event
    from achats.events.notifying import when

    event = Event(starts_at=datetime(2027, 4, 13, 9, tzinfo=UTC), ends_at=datetime(2027, 4, 13, 10, tzinfo=UTC))
    assert when(event) == "mardi 13 avril 2027, 11 h – 12 h"
