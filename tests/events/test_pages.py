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

    event = make_event(capacity=5, starts_at=utcnow() + timedelta(minutes=58))
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
    # an Assises a day away gets the day's reminder, never the hour's; a reminder is not sent
    # more than one task period late (after an outage, "demain" is not sent four hours before)
    assises = make_event(capacity=5, kind="assises", starts_at=utcnow() + timedelta(hours=24, minutes=-2))
    assert notifying.due_reminders(assises, utcnow()) == "1d"
    assert notifying.due_reminders(assises, utcnow() + timedelta(hours=23)) is None
    assert notifying.due_reminders(assises, utcnow() + timedelta(days=-6, minutes=-2)) == "7d"
    assert notifying.due_reminders(assises, utcnow() + timedelta(days=-5)) is None


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


def test_home_page_shows_the_next_events(client, make_event):
    make_event(capacity=5, title="Webinaire : les clauses sociales avec les facilitateurs")
    make_event(capacity=5, title="Brouillon invisible", status="draft")
    html = client.get("/").get_data(as_text=True)
    assert "Prochains webinaires et Assises" in html and "les clauses sociales" in html
    assert "Brouillon invisible" not in html


def test_slides_become_a_library_document_and_registrants_are_told(client, login, csrf, organiser, make_event,
                                                                   buyers, db):
    from achats.documents.models import Document
    from achats.events.models import Event
    from achats.platform.notifications.models import Notification
    from tests.documents import files

    event = make_event(capacity=5)
    people = buyers(2)
    from achats.events import services

    for p in people:
        services.register(db.session, event, p)
    db.session.commit()
    login(organiser)
    r = client.post(f"/evenements/{event.id}/supports", data={
        "csrf_token": csrf(), "replay_url": "https://video.example.fr/replay-1",
        "slides": (io.BytesIO(files.pdf("Diapositive 1 : la clause environnementale.")), "supports.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    document = db.session.get(Document, event.slides_document_id)
    assert document is not None and document.doc_type == "support_webinaire" and document.status == "published"
    assert db.session.query(Notification).filter_by(kind="event_materials").count() == 2
    login(people[0])
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert "replay-1" in page and f"/bibliotheque/{document.id}" in page
    past = client.get("/evenements/").get_data(as_text=True)
    del past


def test_organisers_add_remove_and_write_to_a_workshop(client, login, csrf, organiser, make_event, make_session,
                                                       make_user, db):
    from achats.events import services
    from achats.platform.notifications.models import Notification

    event = make_event(capacity=5, kind="assises", hours=8)
    workshop = make_session(event, title="Sourcing", start_hour=4)
    inside, outside = make_user(email="in@commune-test.fr"), make_user(email="out@commune-test.fr")
    services.register(db.session, event, inside, [workshop.id])
    db.session.commit()
    login(organiser)
    r = client.post(f"/evenements/{event.id}/inscrits/ajouter", data={"csrf_token": csrf(), "email": "OUT@commune-test.fr"},
                    follow_redirects=True)
    assert "est inscrit(e)" in r.get_data(as_text=True)
    client.post(f"/evenements/{event.id}/message", data={"csrf_token": csrf(), "atelier": str(workshop.id),
                                                          "message": "Apportez votre DCE en cours, merci."})
    notes = db.session.query(Notification).filter_by(kind="event_message").all()
    assert [n.recipient_id for n in notes] == [inside.id]
    reg = services.find_registration(db.session, event, outside)
    r = client.post(f"/evenements/{event.id}/inscrits/{reg.id}/retirer", data={"csrf_token": csrf()},
                    follow_redirects=True)
    assert "est annulée" in r.get_data(as_text=True)
    r = client.post("/evenements/nouveau", data={"csrf_token": csrf(), "kind": "webinar", "title": "Très ancien",
                                                 "starts_at": "0001-01-01T00:30", "ends_at": "0001-01-01T01:30",
                                                 "online": "on", "capacity": "3"})
    assert r.status_code == 422


def test_month_view_places_events_on_their_day(client, make_event):
    from datetime import UTC, datetime

    make_event(capacity=5, title="Webinaire restauration scolaire", starts_at=datetime(2030, 6, 15, 9, tzinfo=UTC))
    html = client.get("/evenements/?vue=mois").get_data(as_text=True)
    assert "<caption>Juin 2030</caption>" in html
    cell = html.split('<span class="event-calendar__day">15</span>')[1].split("</td>")[0]
    assert "Webinaire restauration scolaire" in cell


def test_the_waiting_see_their_position_move_live(app, client, login, socket_client, make_event, buyers, db):
    from achats.events import services

    event = make_event(capacity=1)
    first, second, third = buyers(3)
    for p in (first, second, third):
        services.register(db.session, event, p)
    db.session.commit()
    login(third)
    sock = socket_client(flask_client=client)
    sock.get_received()
    services.cancel(db.session, services.find_registration(db.session, event, first), first)
    db.session.commit()
    changes = received(sock, "registration_changed")
    assert changes[-1] == {"event_id": event.id, "status": "waitlisted", "waitlist_position": 1}


def test_registrant_list_and_export_cost_the_same_for_5_or_40_registrants(client, login, organiser, make_event,
                                                                           make_session, make_user, db):
    from sqlalchemy import event as sa_event

    from achats.events import services

    def statements(path: str) -> int:
        count = {"n": 0}

        def tick(*_: object, **__: object) -> None:
            count["n"] += 1

        sa_event.listen(db.engine, "before_cursor_execute", tick)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", tick)
        return count["n"]

    event = make_event(capacity=100, kind="assises", hours=8)
    workshop = make_session(event, title="Sourcing", start_hour=4, capacity=100)
    login(organiser)
    counts = []
    for target in (5, 40):
        while len(services.registrants(db.session, event)) < target:
            services.register(db.session, event, make_user(), [workshop.id])
            db.session.commit()
        counts.append((statements(f"/evenements/{event.id}/inscrits"), statements(f"/evenements/{event.id}/inscrits.csv")))
    assert counts[0] == counts[1], counts


def test_console_and_pages_take_any_query_without_a_500(client, login, csrf, organiser, make_event, make_session):
    event = make_event(capacity=5, kind="assises", hours=8)
    make_session(event, title="Sourcing", start_hour=4)
    login(organiser)
    for query in ("type=nimporte", "departement=%00%00", "statut=confirmed&atelier=99999999999", "q=%25_%5C",
                  "type=commune&departement=21&q=" + "x" * 500):
        assert client.get(f"/evenements/{event.id}/inscrits?{query}").status_code == 200, query
        assert client.get(f"/evenements/{event.id}/inscrits.csv?{query}").status_code == 200, query
    assert client.get(f"/evenements/{event.id}/pointage?q=%00").status_code == 200
    for data in ({"slot_1": "abc"}, {"appointment_id": "none"}, {"appointment_id": "-1", "question": "x" * 400},
                 {"session_ids": ["1", "2", "x"]}, {"answer_dietary": "\x00" * 10}):
        r = client.post(f"/evenements/{event.id}/inscription", data={"csrf_token": csrf(), **data})
        assert r.status_code in (200, 302, 422), (data, r.status_code)
    r = client.post(f"/evenements/{event.id}/sessions", data={"csrf_token": csrf(), "session_kind": "colloque",
                                                              "session_starts_at": "x", "session_capacity": "-1"})
    assert r.status_code == 302
    r = client.post(f"/evenements/{event.id}/modifier", data={"csrf_token": csrf(), "title": "Nouveau titre ok",
                                                              "starts_at": "2027-13-40T99:00", "capacity": "abc",
                                                              "status": "inconnu"})
    assert r.status_code == 422


def test_organisers_set_the_questions_from_the_edit_page(client, login, csrf, organiser, make_event, db):
    from achats.events.models import Event

    event = make_event(capacity=5)
    login(organiser)
    page = client.get(f"/evenements/{event.id}/modifier").get_data(as_text=True)
    assert "Besoins d&#39;accessibilité" in page
    r = client.post(f"/evenements/{event.id}/modifier", data={
        "csrf_token": csrf(), "title": event.title, "starts_at": "2030-04-13T11:00", "ends_at": "2030-04-13T12:00",
        "online": "on", "capacity": "5", "status": "published",
        "questions": "Besoins d'accessibilité (sous-titrage, interprétation…)\nVotre fonction\nVos attentes (long)"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    db.session.expire_all()
    questions = db.session.get(Event, event.id).questions
    assert [q["kind"] for q in questions] == ["text", "text", "textarea"]
    assert questions[1] == {"key": "votre_fonction", "label": "Votre fonction", "kind": "text"}
    assert questions[0]["key"] == "accessibility"  # unchanged label: the answers stay attached
