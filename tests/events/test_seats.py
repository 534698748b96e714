"""Seats under concurrency (SECURITY.md §4): the conditional UPDATE never overbooks, waiting
lists get distinct positions, promotions use the same primitive, resubmission is idempotent."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from achats.events.models import Event, EventSession, Registration, SessionChoice
from achats.events.vocabulary import ChoiceStatus, RegistrationStatus


@pytest.fixture
def app(app_factory: Any) -> Any:
    """Room in the pool for every thread (and the mail task each registration's commit runs)."""
    import os

    from achats.platform.config import engine_options

    options = engine_options(os.environ["ACHATS_DATABASE_URL"])
    options.update(pool_size=60, max_overflow=60, pool_timeout=120)
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS=options)
    with app.app_context():
        yield app


def _run_all(app: Any, jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run each job in its own thread and app context (its own session), released together."""
    from achats.platform.extensions import db

    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def worker(i: int, job: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[i] = job()
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - collected for the assertions
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _register_job(event_id: int, user_id: int, session_ids: list[int] | None = None) -> Callable[[], Any]:
    def job() -> Any:
        from achats.auth.models import User
        from achats.events import services
        from achats.platform.extensions import db

        event = db.session.get(Event, event_id)
        user = db.session.get(User, user_id)
        registration = services.register(db.session, event, user, session_ids or [])
        return registration.status

    return job


def _cancel_job(event_id: int, user_id: int) -> Callable[[], Any]:
    def job() -> Any:
        from achats.auth.models import User
        from achats.events import services
        from achats.platform.extensions import db

        event = db.session.get(Event, event_id)
        user = db.session.get(User, user_id)
        registration = services.find_registration(db.session, event, user)
        services.cancel(db.session, registration, user)
        return "cancelled"

    return job


def _fresh(db: Any, event_id: int) -> tuple[Event, list[Registration]]:
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    regs = list(db.session.scalars(select(Registration).where(Registration.event_id == event_id)))
    return event, regs


def test_fifty_concurrent_registrations_fill_ten_seats_and_number_the_waiting_list(app, db, make_event, buyers):
    from achats.events.services.seats import event_positions

    event = make_event(capacity=10)
    people = buyers(50)
    results = _run_all(app, [_register_job(event.id, u.id) for u in people])
    assert not [r for r in results if isinstance(r, Exception)], results
    event, regs = _fresh(db, event.id)
    confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    assert len(confirmed) == 10 and len(waiting) == 40
    assert event.seats_taken == 10
    assert sorted(event_positions(db.session, event.id).values()) == list(range(1, 41))
    assert len({r.waitlist_number for r in waiting}) == 40


def test_concurrent_cancellations_and_registrations_never_exceed_capacity(app, db, make_event, buyers):
    from achats.events import services

    event = make_event(capacity=10)
    people = buyers(40)
    for u in people[:25]:
        services.register(db.session, event, u)
        db.session.commit()
    leaving = random.Random(4).sample(people[:25], 12)
    jobs = [_cancel_job(event.id, u.id) for u in leaving] + [_register_job(event.id, u.id) for u in people[25:]]
    random.Random(5).shuffle(jobs)
    results = _run_all(app, jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    event, regs = _fresh(db, event.id)
    confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    assert len(confirmed) == event.seats_taken == 10
    # 25 + 15 registered, 12 left: 28 remain, 10 seated, 18 waiting; nobody who left holds a seat.
    assert len(waiting) == 18
    assert not {r.user_id for r in confirmed} & {u.id for u in leaving}


def test_concurrent_workshop_choices_never_exceed_the_workshop_capacity(app, db, make_event, make_session, buyers):
    from achats.events import services

    event = make_event(capacity=100, kind="assises", hours=8)
    workshop = make_session(event, title="Bâtiment bas carbone et réemploi", capacity=5)
    people = buyers(30)
    results = _run_all(app, [_register_job(event.id, u.id, [workshop.id]) for u in people[:20]])
    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    choices = list(db.session.scalars(select(SessionChoice).where(SessionChoice.session_id == workshop.id)))
    assert sum(c.status == ChoiceStatus.CONFIRMED for c in choices) == 5
    assert sorted(c.waitlist_number for c in choices if c.status == ChoiceStatus.WAITLISTED) == list(range(1, 16))

    seated = [c.registration.user_id for c in choices if c.status == ChoiceStatus.CONFIRMED]
    jobs = [_cancel_job(event.id, uid) for uid in seated[:3]]
    jobs += [_register_job(event.id, u.id, [workshop.id]) for u in people[20:]]
    results = _run_all(app, jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    sess = db.session.get(EventSession, workshop.id)
    held = db.session.scalar(select(func.count(SessionChoice.id)).where(
        SessionChoice.session_id == workshop.id, SessionChoice.status == ChoiceStatus.CONFIRMED))
    assert held == sess.seats_taken == 5
    del services


def test_a_resubmitted_registration_is_idempotent(app, db, make_event, buyers):
    event = make_event(capacity=10)
    (person,) = buyers(1)
    results = _run_all(app, [_register_job(event.id, person.id) for _ in range(8)])
    ok = [r for r in results if r == RegistrationStatus.CONFIRMED]
    from achats.events.services import AlreadyRegistered

    assert len(ok) == 1 and all(isinstance(r, AlreadyRegistered) for r in results if r not in ok)
    event, regs = _fresh(db, event.id)
    assert len(regs) == 1 and event.seats_taken == 1


def test_cancelled_registrations_come_back_once_under_double_submission(app, db, make_event, buyers):
    from achats.events import services

    event = make_event(capacity=1)
    (person,) = buyers(1)
    registration = services.register(db.session, event, person)
    db.session.commit()
    services.cancel(db.session, registration, person)
    db.session.commit()
    results = _run_all(app, [_register_job(event.id, person.id) for _ in range(6)])
    assert sum(r == RegistrationStatus.CONFIRMED for r in results) == 1
    event, regs = _fresh(db, event.id)
    assert len(regs) == 1 and event.seats_taken == 1
