"""Faults: with Redis configured but down, the site keeps serving and logging people in."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.conftest import DEFAULT_PASSWORD, csrf_token_from, free_port


@pytest.fixture
def redis_down_app(app_factory, monkeypatch):
    pytest.importorskip("redis")
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    monkeypatch.setenv("ACHATS_REDIS_URL", dead)
    app = app_factory(RATELIMIT_STORAGE_URI=dead)
    assert app.config["ACHATS_REDIS_URL"] == dead
    with app.app_context():
        yield app


def test_pages_logins_and_registrations_work_while_redis_is_down(redis_down_app, make_user, mailbox):
    from tests.auth.test_registration import registration_form

    app = redis_down_app
    user = make_user()
    client = app.test_client()
    started = time.monotonic()
    assert client.get("/").status_code == 200
    assert client.get("/compte/connexion").status_code == 200
    response = client.post("/compte/connexion", data={"csrf_token": csrf_token_from(client), "email": user.email,
                                                      "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/v1/me").json["id"] == user.id
    assert client.get("/membres/").status_code == 200
    visitor = app.test_client()
    assert visitor.post("/compte/inscription", data=registration_form(csrf_token_from(visitor))).status_code == 302
    assert mailbox.last("marc.lambert@mairie-test.fr")
    assert time.monotonic() - started < 20  # short Redis timeouts: no request hangs


def test_login_throttling_still_applies_in_memory_while_redis_is_down(redis_down_app, make_user):
    user = make_user()
    client = redis_down_app.test_client()
    token = csrf_token_from(client)
    statuses = [client.post("/compte/connexion", data={"csrf_token": token, "email": user.email,
                                                       "password": f"mauvais {i}"}).status_code for i in range(25)]
    assert 429 in statuses


def test_healthz_says_realtime_degraded(redis_down_app):
    response = redis_down_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "realtime": "degraded"}


def test_notifications_are_stored_when_the_queue_is_down(redis_down_app, db, make_user, login):
    from achats.platform.notifications.models import Notification
    from achats.platform.notifications.services import Target, notify

    recipient, actor = make_user(), make_user()
    flask_client = redis_down_app.test_client()
    login(recipient, flask_client)
    notify(db.session, recipient, "role_changed", actor, Target("user", recipient.id, "/"), "Rôle changé")
    db.session.commit()  # the emit is lost in the dead queue; the row is the source of truth
    assert db.session.scalar(select(func.count(Notification.id))) == 1
    assert flask_client.get("/api/v1/notifications?unread=true").json["items"][0]["text"] == "Rôle changé"
    # Logging out (which also tries to close sockets through the registry) still works.
    response = flask_client.post("/compte/deconnexion", data={"csrf_token": csrf_token_from(flask_client)})
    assert response.status_code == 302
    assert flask_client.get("/api/v1/me").status_code == 401
