"""Live reading: room thread:<id> joined only by readers, `post_created` after commit, notifications
written in the transaction and emitted only after it commits (dropped on rollback)."""

from __future__ import annotations

from typing import Any

from flask import g

from achats.forums import services
from tests.conftest import received
from tests.forums.helpers import *  # noqa: F403


def connect(app: Any, login: Any, socket_client: Any, user: Any) -> Any:
    # The test keeps one app context, so `g` outlives requests: forget the previously loaded user,
    # as a fresh context would in production, before this socket authenticates.
    g.pop("_login_user", None)
    flask_client = login(user, app.test_client())
    sock = socket_client(flask_client=flask_client)
    assert sock.is_connected()
    sock.get_received()
    return sock


def join(sock: Any, thread_id: int) -> dict[str, Any]:
    return sock.emit("join", {"room": f"thread:{thread_id}"}, callback=True)


def test_reader_receives_post_created_after_commit(app, db, forum, login, socket_client, make_user, make_thread):
    thread = make_thread()
    reader = connect(app, login, socket_client, make_user(status="pending"))
    outsider = connect(app, login, socket_client, make_user())
    assert join(reader, thread.id) == {"ok": True}
    post = services.create_post(db.session, make_user(), thread, body="Nouvelle **réponse**")
    assert received(reader, "post_created") == []  # not before the commit
    db.session.commit()
    events = received(reader, "post_created")
    assert len(events) == 1
    assert events[0]["thread_id"] == thread.id and events[0]["post"]["id"] == post.id
    assert events[0]["post"]["body_html"].strip() == "<p>Nouvelle <strong>réponse</strong></p>"
    assert received(outsider, "post_created") == []  # never joined


def test_post_created_dropped_on_rollback(app, db, forum, login, socket_client, make_user, make_thread):
    thread = make_thread()
    reader = connect(app, login, socket_client, make_user())
    join(reader, thread.id)
    services.create_post(db.session, make_user(), thread, body="Annulé")
    db.session.rollback()
    db.session.commit()
    assert received(reader, "post_created") == []


def test_join_refused_for_a_thread_one_cannot_read(app, db, forum, login, socket_client, make_user, make_thread):
    thread = make_thread()
    moderator = make_user(role="moderator")
    services.set_thread_flags(db.session, moderator, thread, hidden=True)
    db.session.commit()
    member = connect(app, login, socket_client, make_user())
    staff = connect(app, login, socket_client, moderator)
    assert join(member, thread.id)["ok"] is False
    assert join(member, 2**70)["ok"] is False
    assert join(staff, thread.id) == {"ok": True}
    services.create_post(db.session, moderator, thread, body="Note de modération")
    db.session.commit()
    assert received(member, "post_created") == []
    assert len(received(staff, "post_created")) == 1


def test_api_reply_reaches_the_room(app, db, forum, login, socket_client, make_user, make_thread, api):
    thread = make_thread()
    reader = connect(app, login, socket_client, make_user())
    join(reader, thread.id)
    response = api(make_user()).post(f"/threads/{thread.id}/posts", json={"body": "Par l'API"})
    assert response.status_code == 201
    assert [e["post"] for e in received(reader, "post_created")] == [response.get_json()]


def test_notification_emitted_only_after_commit(app, db, forum, login, socket_client, make_user, make_thread):
    asker = make_user()
    thread = make_thread(asker)
    sock = connect(app, login, socket_client, asker)
    services.create_post(db.session, make_user(), thread, body="Une réponse")
    db.session.flush()
    assert received(sock, "notification") == []
    db.session.commit()
    notes = received(sock, "notification")
    assert [n["kind"] for n in notes] == ["reply_to_thread"]
    assert notes[0]["target"]["url"].endswith(f"/forums/sujets/{thread.id}#message-2")


def test_notification_dropped_on_rollback(app, db, forum, login, socket_client, make_user, make_thread):
    asker = make_user()
    thread = make_thread(asker)
    sock = connect(app, login, socket_client, asker)
    services.create_post(db.session, make_user(), thread, body="Une réponse annulée")
    db.session.rollback()
    db.session.commit()
    assert received(sock, "notification") == [] and received(sock, "unread_count") == []
