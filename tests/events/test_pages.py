"""The events' pages: French, no 500 on bad input, join link only to confirmed registrants,
the registration form with workshops and the clinique, the organisers' console and exports,
reminders, live updates and the demo content."""

from __future__ import annotations

import io
from datetime import timedelta

from tests.conftest import received
from tests.events.conftest import soon


def test_list_and_event_pages(client, login, make_event, buyers, db):
    event = make_event(capacity=2, title="Webinaire numérique responsable")
    draft = make_event(capacity=2, title="Brouillon secret", status="draft")
    html = client.get("/evenements/").get_data(as_text=True)
    assert "Webinaire numérique responsable" in html and "Brouillon secret" not in html
    assert client.get(f"/evenements/{draft.id}").status_code == 404
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert "salle-42" not in page and "Connectez-vous" in page
    person = buyers(1)[0]
    login(person)
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert "S'inscrire" in page and "salle-42" not in page


def test_register_through_the_form_and_cancel(client, login, csrf, make_event, make_session, buyers, mailbox):
    event = make_event(capacity=30, kind="assises", hours=8)
    a = make_session(event, title="Alimentation et EGalim", slot="Tour 1", start_hour=4)
    b = make_session(event, title="Biodiversité", slot="Tour 2", start_hour=5.5)
    slot = make_session(event, kind="appointment", title="Clinique du DCE", slot=None, capacity=1, start_hour=4,
                        length_hours=1 / 3)
    del slot
    person = buyers(1)[0]
    login(person)
    form = client.get(f"/evenements/{event.id}/inscription").get_data(as_text=True)
    assert "Alimentation et EGalim" in form and "Régime alimentaire" in form
    token = csrf()
    r = client.post(f"/evenements/{event.id}/inscription", data={
        "csrf_token": token, "slot_1": str(a.id), "slot_2": str(b.id), "answer_dietary": "Sans gluten"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/evenements/{event.id}/confirmation")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Votre inscription est confirmée" in page and "Ajouter à mon agenda" in page
    assert f"/events/{event.id}.ics" in page
    # resubmitting is idempotent: back to the confirmation
    r = client.post(f"/evenements/{event.id}/inscription", data={"csrf_token": token, "slot_1": str(a.id)})
    assert r.status_code in (302, 200)
    r = client.post(f"/evenements/{event.id}/annulation", data={"csrf_token": token}, follow_redirects=True)
    assert "Votre inscription est annulée" in r.get_data(as_text=True)


def test_form_errors_are_french_and_keep_the_page(client, login, csrf, make_event, make_session, buyers):
    event = make_event(capacity=30, kind="assises", hours=8)
    appointment = make_session(event, kind="appointment", title="Clinique du DCE", slot=None, capacity=1,
                               start_hour=4, length_hours=1 / 3)
    login(buyers(1)[0])
    r = client.post(f"/evenements/{event.id}/inscription", data={
        "csrf_token": csrf(), "appointment_id": str(appointment.id), "question": "court", "answer_comment": "x" * 600})
    assert r.status_code == 422
    assert "Erreur" in r.get_data(as_text=True)
    r = client.post(f"/evenements/{event.id}/inscription", data={"csrf_token": csrf(), "slot_1": "99999999999999"})
    assert r.status_code in (302, 422)
    assert client.get("/evenements/99999999999").status_code == 404


def test_clinique_booking_and_expert_day(client, login, csrf, make_event, make_session, make_user, buyers, db):
    from achats.events import services

    expert = make_user(role="expert", name="Élise Experte")
    event = make_event(capacity=30, kind="assises", hours=8)
    slot = make_session(event, kind="appointment", title="Clinique du DCE", slot=None, capacity=1, start_hour=4,
                        length_hours=1 / 3, expert_id=expert.id)
    first, second = buyers(2)
    reg = services.register(db.session, event, first, appointment=services.Appointment(
        slot.id, "Quelle pondération pour le critère environnemental ?", "/forum/sujets/12"))
    db.session.commit()
    assert reg.choices[0].status == "confirmed"
    try:
        services.register(db.session, event, second, appointment=services.Appointment(
            slot.id, "Une autre question assez longue ?"))
    except services.SlotTaken:
        db.session.rollback()
    else:
        raise AssertionError("the slot was booked twice")
    login(expert)
    page = client.get(f"/evenements/{event.id}/clinique").get_data(as_text=True)
    assert "Quelle pondération pour le critère environnemental ?" in page and first.name in page
    login(second)
    assert client.get(f"/evenements/{event.id}/clinique").status_code == 403


def test_console_filters_exports_neutralised_and_check_in(client, login, csrf, organiser, make_event, make_session,
                                                          make_user, make_organisation, db):
    from openpyxl import load_workbook

    from achats.events import services

    event = make_event(capacity=10, kind="assises", hours=8)
    workshop = make_session(event, title="Flottes", start_hour=4)
    hopital = make_organisation(name="=HYPERLINK(\"http://x\")", kind="hopital", departement="39")
    evil = make_user(name="@SUM(A1)", organisation=hopital)
    plain = make_user(name="Claire Dumont")
    services.register(db.session, event, evil, [workshop.id], {"comment": "-2+3"})
    services.register(db.session, event, plain)
    db.session.commit()
    login(organiser)
    page = client.get(f"/evenements/{event.id}/inscrits?type=hopital").get_data(as_text=True)
    assert "@SUM(A1)" in page and "Claire Dumont" not in page
    assert "Claire Dumont" not in client.get(f"/evenements/{event.id}/inscrits?atelier={workshop.id}").get_data(as_text=True)
    assert "Claire Dumont" in client.get(f"/evenements/{event.id}/inscrits?departement=21").get_data(as_text=True)
    csv = client.get(f"/evenements/{event.id}/inscrits.csv").get_data(as_text=True)
    assert "'@SUM(A1)" in csv and "'=HYPERLINK" in csv
    xlsx = client.get(f"/evenements/{event.id}/inscrits.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'@SUM(A1)" in cells and not any(isinstance(v, str) and v.startswith("=") for v in cells)
    assert client.get(f"/evenements/{event.id}/inscrits?statut=nimporte&atelier=abc").status_code == 200
    reg = services.find_registration(db.session, event, plain)
    r = client.post(f"/evenements/{event.id}/pointage/{reg.id}", data={"csrf_token": csrf(), "present": "1"})
    assert r.status_code == 302
    assert "<strong id=\"presents\">1</strong>" in client.get(f"/evenements/{event.id}/pointage").get_data(as_text=True)
    login(plain)
    assert client.get(f"/evenements/{event.id}/inscrits").status_code == 403
    assert client.get(f"/evenements/{event.id}/inscrits.csv").status_code == 403


def test_create_event_page(client, login, csrf, organiser, buyers):
    login(organiser)
    assert client.get("/evenements/nouveau").status_code == 200
    r = client.post("/evenements/nouveau", data={"csrf_token": csrf(), "kind": "webinar", "title": "Nouveau webinaire",
                                                 "starts_at": "2027-04-13T11:00", "ends_at": "2027-04-13T12:00",
                                                 "online": "on", "capacity": "300", "status": "published"})
    assert r.status_code == 302
    r = client.post("/evenements/nouveau", data={"csrf_token": csrf(), "kind": "webinar", "title": "x",
                                                 "starts_at": "pas une date", "capacity": "-3"})
    assert r.status_code == 422 and "Erreur" in r.get_data(as_text=True)
    login(buyers(1)[0])
    assert client.get("/evenements/nouveau").status_code == 403


def test_reminders_go_once_and_not_late(app, db, make_event, buyers, mailbox, monkeypatch):
    from achats.events import notifying, services
    from achats.events.models import ReminderSent
    from achats.platform.db import utcnow

    event = make_event(capacity=5, starts_at=utcnow() + timedelta(minutes=50))
    people = buyers(2)
    for p in people:
        reg = services.register(db.session, event, p)
        reg.created_at = reg.confirmed_at = utcnow() - timedelta(days=10)
    db.session.commit()
    assert notifying.due_reminders(event, utcnow()) == "1h"
    assert notifying.send_reminders() == "2 rappel(s) envoyé(s)."
    assert notifying.send_reminders() == "0 rappel(s) envoyé(s)."
    assert db.session.query(ReminderSent).count() == 2
    mail = mailbox.last(people[0].email)
    assert "dans une heure" in str(mail["Subject"])
    # an Assises a day away gets the day's reminder, not the week's one late, nor the hour's
    assises = make_event(capacity=5, kind="assises", starts_at=utcnow() + timedelta(hours=20))
    assert notifying.due_reminders(assises, utcnow()) == "1d"


def test_send_reminders_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "rappel" in result.output


def test_promotion_is_seen_live(app, client, login, socket_client, make_event, buyers, db):
    from achats.events import services

    event = make_event(capacity=1)
    first, second = buyers(2)
    services.register(db.session, event, first)
    services.register(db.session, event, second)
    db.session.commit()
    login(second)
    sock = socket_client(flask_client=client)
    sock.get_received()
    services.cancel(db.session, services.find_registration(db.session, event, first), first)
    db.session.commit()
    changes = received(sock, "registration_changed")
    assert {"event_id": event.id, "status": "confirmed"}.items() <= changes[-1].items()


def test_check_in_count_reaches_every_organiser_screen(app, client, login, socket_client, organiser, make_user,
                                                       make_event, buyers, db):
    from achats.events import services

    event = make_event(capacity=5)
    person = buyers(1)[0]
    reg = services.register(db.session, event, person)
    db.session.commit()
    login(organiser)
    sock = socket_client(flask_client=client)
    assert sock.emit("join", {"room": f"event:{event.id}"}, callback=True).get("ok") is not False
    sock.get_received()
    reg = services.find_registration(db.session, event, person)  # the socket's handlers ended the session
    services.check_in(db.session, reg, db.session.merge(organiser))
    db.session.commit()
    counts = received(sock, "attendance_changed")
    assert counts and counts[-1]["present"] == 1
    outsider = app.test_client()
    login(person, outsider)
    other = socket_client(flask_client=outsider)
    reply = other.emit("join", {"room": f"event:{event.id}"}, callback=True)
    assert reply.get("ok") is False


def test_demo_seeds_events_once(app, db):
    from sqlalchemy import func, select

    from achats.events.models import Event
    from tests.conftest import seed_demo

    lines = seed_demo()
    assert any("événements" in line for line in lines)
    events = list(db.session.scalars(select(Event)))
    kinds = [e.kind for e in events]
    assert kinds.count("assises") >= 1 and kinds.count("webinar") >= 4
    coming_assises = max((e for e in events if e.kind == "assises"), key=lambda e: e.starts_at)
    workshops = [s for s in coming_assises.sessions if s.kind == "workshop"]
    assert len(workshops) == 8 and len({s.slot for s in workshops}) == 2
    assert sum(s.kind == "appointment" for s in coming_assises.sessions) >= 6
    past = [e for e in events if e.ends_at < soon(-1)]
    assert past and all(e.replay_url for e in past)
    count = db.session.scalar(select(func.count(Event.id)))
    seed_demo()
    assert db.session.scalar(select(func.count(Event.id))) == count
