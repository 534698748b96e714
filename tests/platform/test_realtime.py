"""Socket.IO: authenticated connections only, sockets closed when sessions end, rooms authorised."""

from __future__ import annotations

import pytest

from tests.conftest import DEFAULT_PASSWORD, csrf_token_from


def signed_in_client(app, login, user):
    flask_client = app.test_client()
    login(user, flask_client)
    return flask_client


def test_anonymous_connection_is_refused(socket_client, client):
    assert not socket_client().is_connected()
    assert not socket_client(flask_client=client).is_connected()


def test_session_cookie_connects_and_joins_the_user_room(app, socket_client, login, make_user):
    from achats.platform.realtime import SocketRegistry

    user = make_user()
    sock = socket_client(flask_client=signed_in_client(app, login, user))
    assert sock.is_connected()
    registry: SocketRegistry = app.extensions["achats"].state["sockets"]
    assert len(registry.sids(user.id)) == 1


def test_api_token_connects(socket_client, make_user, make_token):
    user = make_user()
    sock = socket_client(auth={"token": make_token(user)})
    assert sock.is_connected()


@pytest.mark.parametrize("auth", [{"token": "ach_faux"}, {"token": ""}, {"token": 42}, {"autre": "x"}, "ach_x"])
def test_bad_tokens_are_refused(socket_client, auth):
    assert not socket_client(auth=auth).is_connected()


def test_revoked_token_is_refused(socket_client, make_user, make_token, db):
    from achats.auth import services
    from achats.auth.models import ApiToken

    user = make_user()
    secret = make_token(user)
    token = db.session.query(ApiToken).filter_by(user_id=user.id).one()
    services.revoke_api_token(db.session, user, token.id)
    db.session.commit()
    assert not socket_client(auth={"token": secret}).is_connected()


@pytest.mark.parametrize("status", ["suspended", "rejected", "unconfirmed", "deleted"])
def test_inactive_accounts_cannot_connect_with_a_token(socket_client, make_user, make_token, db, status):
    from achats.auth.models import AccountStatus

    user = make_user()
    secret = make_token(user)
    user.status = AccountStatus(status)
    db.session.commit()
    assert not socket_client(auth={"token": secret}).is_connected()


def test_pending_accounts_connect(socket_client, make_user, make_token):
    assert socket_client(auth={"token": make_token(make_user(status="pending"))}).is_connected()


def test_foreign_origin_is_refused_at_the_handshake(client):
    """The same-origin check stays on (never '*' nor [])."""
    path = "/socket.io/?EIO=4&transport=polling"
    assert client.get(path, headers={"Origin": "https://evil.example"}).status_code == 400
    assert client.get(path, headers={"Origin": "http://localhost"}).status_code == 200


# --- sessions ending close the sockets ---------------------------------------------------------


def test_logout_disconnects_every_socket_of_the_user(app, socket_client, login, make_user, make_token):
    user, other = make_user(), make_user()
    browser = app.test_client()
    browser.post("/compte/connexion", data={"csrf_token": csrf_token_from(browser), "email": user.email,
                                            "password": DEFAULT_PASSWORD})
    tab = socket_client(flask_client=browser)
    script = socket_client(auth={"token": make_token(user)})
    bystander = socket_client(flask_client=signed_in_client(app, login, other))
    assert tab.is_connected() and script.is_connected() and bystander.is_connected()

    response = browser.post("/compte/deconnexion", data={"csrf_token": csrf_token_from(browser)})
    assert response.status_code == 302
    assert not tab.is_connected()
    assert not script.is_connected()
    assert bystander.is_connected()
    # The old cookie no longer opens a socket.
    assert not socket_client(flask_client=browser).is_connected()


def test_password_change_disconnects_sockets(app, socket_client, login, make_user):
    user = make_user()
    browser = signed_in_client(app, login, user)
    other_device = socket_client(flask_client=signed_in_client(app, login, user))
    assert other_device.is_connected()
    response = browser.post("/compte/parametres/mot-de-passe", data={
        "csrf_token": csrf_token_from(browser), "current_password": DEFAULT_PASSWORD,
        "password": "une toute nouvelle phrase de passe solide"})
    assert response.status_code == 302
    assert not other_device.is_connected()


def test_suspension_disconnects_sockets(app, socket_client, login, make_user, csrf, client):
    member, moderator = make_user(), make_user(role="moderator")
    sock = socket_client(flask_client=signed_in_client(app, login, member))
    assert sock.is_connected()
    login(moderator)
    response = client.post(f"/membres/{member.id}/suspendre", data={"csrf_token": csrf(), "reason": "spam"})
    assert response.status_code == 302
    assert not sock.is_connected()
    assert not socket_client(flask_client=signed_in_client(app, login, member)).is_connected()


def test_role_change_disconnects_sockets(app, socket_client, login, make_user, db):
    from achats.auth import services

    member, admin = make_user(), make_user(role="admin")
    sock = socket_client(flask_client=signed_in_client(app, login, member))
    services.change_role(db.session, admin, member, "expert")
    assert sock.is_connected()  # not before the commit
    db.session.commit()
    assert not sock.is_connected()


def test_rolled_back_logout_keeps_the_socket(app, socket_client, login, make_user, db):
    from achats.auth import services

    user = make_user()
    sock = socket_client(flask_client=signed_in_client(app, login, user))
    services.end_sessions(db.session, user, "logout")
    db.session.rollback()
    make_user()  # a later commit must not run the dropped disconnect
    assert sock.is_connected()


# --- rooms ------------------------------------------------------------------------------------


@pytest.fixture
def test_room(app, monkeypatch):
    """A room kind (declared on this app only) that lets users join only their own id."""
    from achats.platform.features import RoomKind, registry

    monkeypatch.setitem(registry(app).rooms, "essai",
                        RoomKind("essai", load=lambda object_id: object_id, may_read=lambda user, oid: oid == user.id))
    return "essai"


@pytest.mark.parametrize("payload", [
    {"room": "inconnu:1"}, {"room": "user:1"}, {"room": "essai"}, {"room": "essai:abc"}, {"room": "essai:-1"},
    {"room": "essai:" + "1" * 100}, {"room": "essai:2147483648"}, {"room": "essai:\u00b2"},
    {"room": "essai:\u0661"}, {"room": 12}, {}, "essai:1", None,
])
def test_join_refuses_unknown_or_malformed_rooms(app, socket_client, login, make_user, test_room, payload):
    sock = socket_client(flask_client=signed_in_client(app, login, make_user()))
    answer = sock.emit("join", payload, callback=True)
    assert answer == {"ok": False, "error": "salon inconnu"}


def test_join_asks_the_rooms_authoriser(app, socket_client, login, make_user, test_room):
    from achats.platform.extensions import socketio

    user, other = make_user(), make_user()
    sock = socket_client(flask_client=signed_in_client(app, login, user))
    assert sock.emit("join", {"room": f"essai:{other.id}"}, callback=True) == {"ok": False, "error": "accès refusé"}
    assert sock.emit("join", {"room": f"essai:{user.id}"}, callback=True) == {"ok": True}
    sock.get_received()
    socketio.emit("ping_test", {"n": 1}, to=f"essai:{user.id}")
    assert [m["name"] for m in sock.get_received()] == ["ping_test"]
    assert sock.emit("leave", {"room": f"essai:{user.id}"}, callback=True) == {"ok": True}
    socketio.emit("ping_test", {"n": 2}, to=f"essai:{user.id}")
    assert sock.get_received() == []


def test_socket_events_are_rate_limited_per_connection(app, socket_client, login, make_user, test_room):
    sock = socket_client(flask_client=signed_in_client(app, login, make_user()))
    answers = [sock.emit("join", {"room": "essai:1"}, callback=True) for _ in range(40)]
    assert {"ok": False, "error": "trop de messages, ralentissez"} in answers
