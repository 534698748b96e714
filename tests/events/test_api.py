"""The events' API as API.md says: lists, the organisers' writes, registrations, join links,
check-in, attestations, the calendar feed; problem+json for bad input, never a 500."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.events.conftest import soon


def test_list_and_get_events_with_sessions_and_seats(api, make_event, make_session, buyers):
    event = make_event(capacity=3)
    make_event(kind="assises", title="Assises de test", status="draft")
    client = api(buyers(1)[0])
    body = client.get("/events?upcoming=true").get_json()
    assert [e["id"] for e in body["items"]] == [event.id] and body["next_cursor"] is None
    item = body["items"][0]
    assert {"id", "kind", "title", "starts_at", "ends_at", "capacity", "seats_left", "registration_open",
            "sessions"} <= set(item)
    assert item["seats_left"] == 3 and item["registration_open"] is True and item["kind"] == "webinar"
    assert "+00:00" in item["starts_at"]
    assert client.get("/events?kind=assises").get_json()["items"] == []
    detail = client.get(f"/events/{event.id}").get_json()
    assert detail["join_url"] is None  # not registered


def test_organisers_create_edit_and_add_sessions(api, organiser, buyers):
    client = api(organiser)
    starts = soon(40, 9)
    r = client.post("/events", json={"kind": "assises", "title": "Assises 2027", "description": "**Bienvenue**",
                                     "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=8)).isoformat(),
                                     "location": "Dijon", "capacity": 120, "status": "published"})
    assert r.status_code == 201, r.get_json()
    event = r.get_json()
    assert event["seats_left"] == 120 and "<strong>" in event["description_html"]
    r = client.post(f"/events/{event['id']}/sessions", json={
        "title": "Alimentation et EGalim", "kind": "workshop", "slot": "tour 1", "capacity": 30,
        "starts_at": (starts + timedelta(hours=4)).isoformat(), "ends_at": (starts + timedelta(hours=5)).isoformat()})
    assert r.status_code == 201 and r.get_json()["seats_left"] == 30
    r = client.patch(f"/events/{event['id']}", json={"capacity": 150})
    assert r.status_code == 200 and r.get_json()["capacity"] == 150
    member = api(buyers(1)[0])
    assert member.post("/events", json={"kind": "webinar"}).status_code == 403
    assert member.patch(f"/events/{event['id']}", json={"capacity": 2}).status_code == 403


@pytest.mark.parametrize("body, field", [
    ({"kind": "webinar", "title": "Titre valide", "starts_at": "demain", "ends_at": "2027-01-01T10:00:00+01:00",
      "capacity": 1, "online": True}, "starts_at"),
    ({"kind": "webinar", "title": "Titre valide", "starts_at": "2027-01-01T10:00:00", "ends_at":
      "2027-01-01T11:00:00+01:00", "capacity": 1, "online": True}, "starts_at"),
    ({"kind": "colloque", "title": "Titre valide"}, "kind"),
    ({"kind": "webinar", "title": "Titre valide", "starts_at": "2027-01-01T12:00:00+01:00",
      "ends_at": "2027-01-01T11:00:00+01:00", "capacity": 10, "online": True}, "ends_at"),
    ({"kind": "webinar", "title": "Titre valide", "starts_at": "2027-01-01T10:00:00+01:00",
      "ends_at": "2027-01-01T11:00:00+01:00", "capacity": 10**12, "online": True}, "capacity"),
    ({"kind": "webinar", "title": "Titre valide", "starts_at": "2027-01-01T10:00:00+01:00",
      "ends_at": "2027-01-01T11:00:00+01:00", "capacity": 10, "online": True, "join_url": "javascript:alert(1)"},
     "join_url"),
    ({"kind": "webinar", "surprise": 1}, "surprise"),
])
def test_bad_event_bodies_are_problems_with_the_field(api, organiser, body, field):
    r = api(organiser).post("/events", json=body)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert field in r.get_json()["errors"]


def test_registration_confirms_then_waitlists_with_positions_and_cancellation_promotes(api, make_event, buyers,
                                                                                       mailbox):
    event = make_event(capacity=1)
    first, second, third = buyers(3)
    r = api(first).post(f"/events/{event.id}/registrations", json={"answers": {"accessibility": "Sous-titres"}})
    assert r.status_code == 201 and r.get_json()["status"] == "confirmed"
    assert api(first).post(f"/events/{event.id}/registrations", json={}).status_code == 409
    r = api(second).post(f"/events/{event.id}/registrations", json={})
    assert r.get_json()["status"] == "waitlisted" and r.get_json()["waitlist_position"] == 1
    r = api(third).post(f"/events/{event.id}/registrations", json={})
    assert r.get_json()["waitlist_position"] == 2
    assert api(first).get(f"/events/{event.id}").get_json()["join_url"] == "https://visio.example.fr/salle-42"
    assert api(second).get(f"/events/{event.id}").get_json()["join_url"] is None
    confirmation = mailbox.last(first.email)
    ics = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    assert ics and b"VTIMEZONE" in ics[0].get_payload(decode=True)
    assert "salle-42" in str(confirmation)
    assert api(first).delete(f"/events/{event.id}/registration").status_code == 204
    assert api(second).get(f"/events/{event.id}/registration").get_json()["status"] == "confirmed"
    assert api(third).get(f"/events/{event.id}/registration").get_json()["waitlist_position"] == 1
    assert api(first).get(f"/events/{event.id}/registration").status_code == 404
    mailbox.wait_for(second.email, count=2)  # waiting-list mail, then the promotion


def test_registration_errors(api, make_event, make_session, buyers):
    event = make_event(capacity=5, kind="assises", hours=8)
    a = make_session(event, title="Atelier A", slot="tour 1", start_hour=4)
    b = make_session(event, title="Atelier B", slot="tour 1", start_hour=4)
    c = make_session(event, title="Atelier C", slot="tour 2", start_hour=4.5)
    client = api(buyers(1)[0])
    r = client.post(f"/events/{event.id}/registrations", json={"session_ids": [a.id, b.id]})
    assert r.status_code == 422 and "session_ids" in r.get_json()["errors"]
    r = client.post(f"/events/{event.id}/registrations", json={"session_ids": [a.id, c.id]})
    assert r.status_code == 422 and "chevauchent" in r.get_json()["detail"]
    r = client.post(f"/events/{event.id}/registrations", json={"answers": {"inconnue": "x"}})
    assert r.status_code == 422
    r = client.post(f"/events/{event.id}/registrations", json={"session_ids": [2**40]})
    assert r.status_code == 422
    r = client.post(f"/events/{event.id}/registrations", data="{", content_type="application/json")
    assert r.status_code == 400
    assert client.post("/events/999999/registrations", json={}).status_code == 404
    closed = make_event(capacity=5, registration_closes_at=soon(1))
    del closed
    r = client.post(f"/events/{event.id}/registrations", json={"session_ids": [a.id]})
    assert r.status_code == 201
    r = client.patch(f"/events/{event.id}/registration", json={"session_ids": [b.id]})
    assert r.status_code == 200 and r.get_json()["session_ids"] == [b.id]


def test_closed_registration_is_409(api, make_event, buyers, db):
    from achats.events.vocabulary import EventStatus

    event = make_event(capacity=5)
    event.status = EventStatus.CANCELLED
    db.session.commit()
    r = api(buyers(1)[0]).post(f"/events/{event.id}/registrations", json={})
    assert r.status_code == 409 and r.mimetype == "application/problem+json"


def test_organisers_list_check_in_and_attestation(api, organiser, make_event, make_session, buyers):
    from pypdf import PdfReader

    event = make_event(capacity=5, kind="assises", hours=8)
    workshop = make_session(event, title="Sourcing", start_hour=4)
    people = buyers(3)
    ids = [api(p).post(f"/events/{event.id}/registrations", json={"session_ids": [workshop.id]}).get_json()["id"]
           for p in people]
    staff = api(organiser)
    listing = staff.get(f"/events/{event.id}/registrations?session={workshop.id}").get_json()
    assert {"id", "user", "status", "waitlist_position", "session_ids", "answers", "checked_in_at"} <= set(
        listing["items"][0])
    assert len(listing["items"]) == 3
    assert api(people[0]).get(f"/events/{event.id}/registrations").status_code == 403
    r = staff.post(f"/events/{event.id}/registrations/{ids[0]}/check-in")
    assert r.status_code == 200 and r.get_json()["checked_in_at"]
    assert api(people[1]).get(f"/events/{event.id}/attestation").status_code == 404
    pdf = api(people[0]).get(f"/events/{event.id}/attestation")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Attestation de participation" in text and people[0].name in text and "Durée : 8 h" in text
    assert staff.delete(f"/events/{event.id}/registrations/{ids[0]}/check-in").get_json()["checked_in_at"] is None
    assert api(people[0]).get(f"/events/{event.id}/attestation").status_code == 404


def test_ics_and_personal_feed(client, api, make_event, buyers, login):
    from achats.events.services.calendars import parse_ics

    event = make_event(capacity=5)
    person = buyers(1)[0]
    r = client.get(f"/events/{event.id}.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    assert b"BEGIN:VTIMEZONE" in r.data and b"TZID:Europe/Paris" in r.data and b"salle-42" not in r.data
    (vevent,) = parse_ics(r.data)
    assert vevent.decoded("dtstart") == event.starts_at
    me = api(person)
    me.post(f"/events/{event.id}/registrations", json={})
    url = me.get("/me/calendar").get_json()["url"]
    assert url == me.get("/me/calendar").get_json()["url"]
    path = url.replace("http://localhost", "")
    feed = client.get(path)
    assert feed.status_code == 200 and event.title.encode() in feed.data.replace(b"\r\n ", b"")
    assert me.delete("/me/calendar").status_code == 204
    assert client.get(path).status_code == 404
    assert me.get("/me/calendar").get_json()["url"] != url
    assert client.get("/events/calendar/1-" + "0" * 40 + ".ics").status_code == 404
    assert client.get("/events/calendar/nimporte.ics").status_code == 404


def test_event_change_tells_every_registrant_off_the_request_path(api, organiser, make_event, buyers, mailbox, db):
    from achats.platform.notifications.models import Notification

    event = make_event(capacity=5)
    people = buyers(2)
    for p in people:
        api(p).post(f"/events/{event.id}/registrations", json={})
    r = api(organiser).patch(f"/events/{event.id}", json={"starts_at": soon(31, 10).isoformat(),
                                                         "ends_at": soon(31, 11).isoformat()})
    assert r.status_code == 200
    notes = db.session.query(Notification).filter_by(kind="event_changed").all()
    assert {n.recipient_id for n in notes} == {p.id for p in people}
    assert "l'horaire" in notes[0].text
    api(organiser).patch(f"/events/{event.id}", json={"status": "cancelled"})
    assert db.session.query(Notification).filter_by(kind="event_cancelled").count() == 2


def test_search_finds_published_events_only(api, make_event, buyers):
    make_event(capacity=5, title="Webinaire sur le réemploi des mobiliers", description="Les ressourceries locales.")
    make_event(capacity=5, title="Brouillon sur les ressourceries", status="draft")
    body = api(buyers(1)[0]).get("/search?q=ressourceries&type=event").get_json()
    titles = [hit.get("title") for hit in body["items"]]
    assert titles == ["Webinaire sur le réemploi des mobiliers"], body
