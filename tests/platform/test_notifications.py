"""notify(): a row in the cause's transaction, a Socket.IO emit only after commit; the list, the
read marks (API, page, socket `ack`)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from tests.conftest import received


def make_notes(db, recipient, actor, count: int, kind: str = "role_changed") -> list:
    from achats.platform.notifications.services import Target, notify

    notes = [
        notify(db.session, recipient, kind, actor, Target("user", actor.id, f"/membres/{actor.id}"), f"Message {i}")
        for i in range(count)
    ]
    db.session.commit()
    return notes


def connected_as(user, login, socket_client, app):
    flask_client = app.test_client()
    login(user, flask_client)
    sock = socket_client(flask_client=flask_client)
    assert sock.is_connected()
    sock.get_received()  # the initial unread_count
    return sock


# --- notify() and the transaction ----------------------------------------------------------


def test_notify_writes_in_the_transaction_and_emits_after_commit(app, db, make_user, login, socket_client):
    from achats.platform.notifications.models import Notification
    from achats.platform.notifications.services import Target, notify

    recipient, actor = make_user(), make_user(name="Sophie Morel")
    sock = connected_as(recipient, login, socket_client, app)

    note = notify(db.session, recipient, "account_approved", actor, Target("user", recipient.id, "/membres/1"),
                  "Votre compte a été validé.")
    assert note.id is not None  # flushed: the row exists in this transaction
    assert sock.get_received() == []  # nothing leaves before the commit
    db.session.commit()

    events = sock.get_received()
    names = [e["name"] for e in events]
    assert names == ["notification", "unread_count"]
    payload = events[0]["args"][0]
    assert payload["id"] == note.id
    assert payload["kind"] == "account_approved"
    assert payload["text"] == "Votre compte a été validé."
    assert payload["actor"] == {"id": actor.id, "name": "Sophie Morel"}
    assert payload["target"] == {"type": "user", "id": recipient.id, "url": "http://localhost/membres/1"}
    assert payload["read_at"] is None
    assert datetime.fromisoformat(payload["created_at"]).utcoffset() is not None
    assert events[1]["args"][0] == {"count": 1}
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_rolled_back_notification_is_neither_stored_nor_emitted(app, db, make_user, login, socket_client):
    from achats.platform.notifications.models import Notification
    from achats.platform.notifications.services import Target, notify

    recipient, actor = make_user(), make_user()
    sock = connected_as(recipient, login, socket_client, app)
    notify(db.session, recipient, "role_changed", actor, Target("user", 1, "/"), "Annulée")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    # A later, unrelated commit must not release the dropped emit either.
    make_user()
    assert sock.get_received() == []


def test_emits_go_only_to_the_recipient(app, db, make_user, login, socket_client):
    recipient, other, actor = make_user(), make_user(), make_user()
    mine = connected_as(recipient, login, socket_client, app)
    theirs = connected_as(other, login, socket_client, app)
    make_notes(db, recipient, actor, 1)
    assert received(mine, "notification")
    assert theirs.get_received() == []


def test_nobody_is_notified_of_their_own_action(db, make_user):
    from achats.platform.notifications.services import notify

    user = make_user()
    assert notify(db.session, user, "role_changed", user, None, "moi") is None


def test_every_tab_of_the_recipient_gets_the_live_count(app, db, make_user, login, socket_client):
    recipient, actor = make_user(), make_user()
    tabs = [connected_as(recipient, login, socket_client, app) for _ in range(3)]
    make_notes(db, recipient, actor, 2)
    for tab in tabs:
        assert received(tab, "unread_count")[-1] == {"count": 2}


def test_connecting_sends_the_current_unread_count(app, db, make_user, login, socket_client):
    recipient, actor = make_user(), make_user()
    make_notes(db, recipient, actor, 3)
    flask_client = app.test_client()
    login(recipient, flask_client)
    sock = socket_client(flask_client=flask_client)
    assert received(sock, "unread_count") == [{"count": 3}]


# --- GET /api/v1/notifications ---------------------------------------------------------------


def test_list_shape_newest_first(api, db, make_user):
    recipient, actor = make_user(), make_user(name="Karim Benali")
    notes = make_notes(db, recipient, actor, 3)
    body = api(recipient).get("/notifications").json
    assert set(body) >= {"items", "next_cursor"}
    assert body["next_cursor"] is None
    assert [n["id"] for n in body["items"]] == [n.id for n in reversed(notes)]
    item = body["items"][0]
    assert set(item) == {"id", "kind", "created_at", "read_at", "actor", "target", "text"}
    assert item["actor"] == {"id": actor.id, "name": "Karim Benali"}
    assert item["target"]["url"] == f"http://localhost/membres/{actor.id}"


def test_list_shows_only_my_notifications(api, db, make_user):
    me, other, actor = make_user(), make_user(), make_user()
    make_notes(db, other, actor, 2)
    assert api(me).get("/notifications").json["items"] == []


def test_unread_filter(api, db, make_user):
    from achats.platform.notifications.services import mark_read

    recipient, actor = make_user(), make_user()
    notes = make_notes(db, recipient, actor, 3)
    mark_read(db.session, recipient, ids=[notes[0].id])
    db.session.commit()
    caller = api(recipient)
    unread = caller.get("/notifications?unread=true").json["items"]
    assert [n["id"] for n in unread] == [notes[2].id, notes[1].id]
    everything = caller.get("/notifications").json["items"]
    assert len(everything) == 3
    read = [n for n in everything if n["id"] == notes[0].id][0]
    assert datetime.fromisoformat(read["read_at"]).utcoffset() is not None


def test_cursor_pagination_walks_every_item_once(api, db, make_user):
    recipient, actor = make_user(), make_user()
    notes = make_notes(db, recipient, actor, 7)
    caller = api(recipient)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        url = "/notifications?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = caller.get(url).json
        seen += [n["id"] for n in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [n.id for n in reversed(notes)]


def test_limit_bounds(api, make_user):
    caller = api(make_user())
    for bad in ("0", "101", "abc"):
        response = caller.get(f"/notifications?limit={bad}")
        assert response.status_code == 400
        assert "limit" in response.json["errors"]


def test_anonymous_list_is_401(client):
    assert client.get("/api/v1/notifications").status_code == 401


# --- POST /api/v1/notifications/read ---------------------------------------------------------


def test_read_by_ids_marks_only_mine(api, db, make_user, app, login, socket_client):
    from achats.platform.notifications.models import Notification

    recipient, other, actor = make_user(), make_user(), make_user()
    mine = make_notes(db, recipient, actor, 3)
    theirs = make_notes(db, other, actor, 1)
    caller = api(recipient)
    sock = connected_as(recipient, login, socket_client, app)
    response = caller.post("/notifications/read", json={"ids": [mine[0].id, mine[1].id, theirs[0].id]})
    assert response.status_code == 200
    assert response.json == {"marked": 2, "unread_count": 1}
    assert received(sock, "unread_count") == [{"count": 1}]
    db.session.expire_all()
    assert db.session.get(Notification, theirs[0].id).read_at is None
    # Marking again changes nothing.
    assert caller.post("/notifications/read", json={"ids": [mine[0].id]}).json["marked"] == 0


def test_read_all(api, db, make_user):
    recipient, actor = make_user(), make_user()
    make_notes(db, recipient, actor, 4)
    caller = api(recipient)
    assert caller.post("/notifications/read", json={"all": True}).json == {"marked": 4, "unread_count": 0}
    assert caller.get("/notifications?unread=true").json["items"] == []


def test_read_needs_ids_or_all(api, make_user):
    caller = api(make_user())
    for body in ({}, {"ids": []}, {"all": False}, {"ids": ["un"]}, {"ids": [1], "extra": 1}):
        response = caller.post("/notifications/read", json=body)
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"


# --- the HTML page ----------------------------------------------------------------------------


def test_page_lists_and_marks_one_read_by_opening_it(client, login, csrf, db, make_user):
    from achats.platform.notifications.models import Notification

    recipient, actor = make_user(), make_user()
    notes = make_notes(db, recipient, actor, 2)
    login(recipient)
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Message 0" in html and "Message 1" in html
    assert 'id="bell-count" data-count="2"' in html
    # Following the link (GET: a prefetch, a crawler) changes nothing.
    response = client.get(f"/notifications/{notes[0].id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/membres/{actor.id}")
    db.session.expire_all()
    assert db.session.get(Notification, notes[0].id).read_at is None
    assert client.post(f"/notifications/{notes[0].id}").status_code == 400  # no CSRF token
    response = client.post(f"/notifications/{notes[0].id}", data={"csrf_token": csrf()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/membres/{actor.id}")
    db.session.expire_all()
    assert db.session.get(Notification, notes[0].id).read_at is not None
    assert db.session.get(Notification, notes[1].id).read_at is None
    unread_page = client.get("/notifications/?filtre=non-lues").get_data(as_text=True)
    assert "Message 1" in unread_page and "Message 0" not in unread_page


def test_page_marks_selected_ids_read(client, login, csrf, db, make_user):
    from achats.platform.notifications.models import Notification

    recipient, actor = make_user(), make_user()
    notes = make_notes(db, recipient, actor, 3)
    login(recipient)
    response = client.post("/notifications/lues", data={"csrf_token": csrf(), "ids": [str(notes[1].id), "x"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Notification, n.id).read_at is not None for n in notes] == [False, True, False]


def test_page_marks_all_read(client, login, csrf, db, make_user):
    recipient, actor = make_user(), make_user()
    make_notes(db, recipient, actor, 3)
    login(recipient)
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Tout marquer comme lu" in html
    response = client.post("/notifications/lues", data={"csrf_token": csrf(), "all": "1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "marquées comme lues" in html
    assert re.search(r'id="bell-count" data-count="0"', html)


def test_page_needs_csrf_and_login(client, login, make_user):
    assert client.get("/notifications/").status_code == 302  # to the login page
    login(make_user())
    assert client.post("/notifications/lues", data={"all": "1"}).status_code == 400


def test_someone_elses_notification_is_404(client, login, db, make_user):
    owner, actor = make_user(), make_user()
    note = make_notes(db, owner, actor, 1)[0]
    login(make_user())
    assert client.get(f"/notifications/{note.id}").status_code == 404


def test_notification_with_a_foreign_target_url_does_not_redirect_off_site(client, login, db, make_user):
    from achats.platform.notifications.services import Target, notify

    recipient, actor = make_user(), make_user()
    note = notify(db.session, recipient, "mentioned", actor, Target("post", 1, "https://evil.example/x"), "x")
    db.session.commit()
    login(recipient)
    location = client.get(f"/notifications/{note.id}").headers["Location"]
    assert "evil" not in location


# --- the `ack` socket event -----------------------------------------------------------------


def test_ack_marks_read_and_pushes_the_new_count(app, db, make_user, login, socket_client):
    from achats.platform.notifications.models import Notification

    recipient, other, actor = make_user(), make_user(), make_user()
    notes = make_notes(db, recipient, actor, 3)
    foreign = make_notes(db, other, actor, 1)[0]
    sock = connected_as(recipient, login, socket_client, app)
    answer = sock.emit("ack", {"ids": [notes[0].id, notes[2].id, foreign.id]}, callback=True)
    assert answer == {"ok": True, "marked": 2}
    assert received(sock, "unread_count") == [{"count": 1}]
    db.session.expire_all()
    assert db.session.get(Notification, foreign.id).read_at is None


def test_ack_refuses_malformed_payloads(app, make_user, login, socket_client):
    sock = connected_as(make_user(), login, socket_client, app)
    for payload in (None, "1", {"ids": "1"}, {"ids": ["un"]}, {"ids": [1.5]}, {"ids": [2**70]}, {"ids": [True]}):
        assert sock.emit("ack", payload, callback=True) == {"ok": False, "error": "requête invalide"}
