"""What the black-box probe found on the shell (issue 11): access at delivery, integers from
requests, GET changes nothing, headers on every response."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import csrf_token_from, received
from tests.forums.helpers import *  # noqa: F403  (forum, make_thread, make_post)

# --- 1. access is checked at delivery -----------------------------------------------------------


def _following(app: Any, login: Any, socket_client: Any, user: Any, thread: Any) -> Any:
    flask_client = login(user, app.test_client())
    sock = socket_client(flask_client=flask_client)
    assert sock.emit("join", {"room": f"thread:{thread.id}"}, callback=True) == {"ok": True}
    sock.get_received()
    return sock


def test_a_hidden_thread_stops_reaching_the_members_who_joined_it(app, db, login, socket_client, make_user,
                                                                  make_thread, make_post) -> None:
    from achats.forums import services

    member, moderator = make_user(), make_user(role="moderator")
    thread = make_thread(title="Un sujet bientôt masqué")
    member_socket = _following(app, login, socket_client, member, thread)
    moderator_socket = _following(app, login, socket_client, moderator, thread)
    make_post(make_user(), thread, body="Visible de tous encore.")
    assert received(member_socket, "post_created") and received(moderator_socket, "post_created")

    services.set_thread_flags(db.session, moderator, thread, hidden=True, reason="doublon")
    db.session.commit()
    make_post(moderator, thread, body="Note de modération sur le sujet masqué.")
    assert received(member_socket, "post_created") == []  # nothing more, not even the body
    assert [p["post"]["body"] for p in received(moderator_socket, "post_created")] == [
        "Note de modération sur le sujet masqué."]


def test_a_suspended_member_receives_nothing_more(app, db, login, socket_client, make_user, make_thread,
                                                  make_post) -> None:
    from sqlalchemy import update

    from achats.auth.models import AccountStatus, User

    member = make_user()
    thread = make_thread()
    sock = _following(app, login, socket_client, member, thread)
    # As the next delivery sees it, whether or not anything closed the socket meanwhile.
    db.session.execute(update(User).where(User.id == member.id).values(status=AccountStatus.SUSPENDED))
    db.session.commit()
    make_post(make_user(), thread, body="Après la suspension.")
    assert received(sock, "post_created") == []


# --- 4. integers from requests: no 500, whatever the value ----------------------------------------

HOSTILE = ["9223372036854775808", "2147483648", "-1", "0", "abc", "1e3", "\u00b2", "1" * 400]
QUERY_INTS = ("page", "auteur", "categorie", "category", "author", "reply_to", "cite", "citer", "repondre", "limit",
              "user_id", "thread", "post")


SKIPPED = {"static", "auth.logout"}  # files; signing out would end the walk's session


def _path(rule: Any, value: str, slug: str) -> str:
    """The rule's path with `value` in every integer parameter (a real slug, any other text)."""
    path = rule.rule
    for name, converter in rule._converters.items():
        kind = converter.__class__.__name__
        replacement = (value or "x") if kind == "DatabaseIdConverter" else slug if name == "slug" else "x"
        path = re.sub(rf"<(?:[\w()., ]+:)?{name}>", replacement, path)
    return path


@pytest.mark.parametrize("role", [None, "member", "moderator", "admin"])
def test_no_integer_parameter_gives_a_500(app, client, login, make_user, make_thread, make_post, role) -> None:
    """Every route with an integer in its path, every GET with the integer query parameters the
    pages and the API read, as each role: huge, negative, non-numeric, non-ASCII digits."""
    thread = make_thread()
    make_post(make_user(), thread)
    if role is not None:
        login(make_user(role=role))
    failures = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if rule.endpoint in SKIPPED:
            continue
        for value in HOSTILE:
            path = _path(rule, value, thread.category.slug)
            for method in methods:
                if method == "GET":
                    query = "&".join(f"{q}={value}" for q in QUERY_INTS)
                    response = client.get(f"{path}?{query}")
                else:
                    token = csrf_token_from(client) if role is not None else ""
                    form = {"csrf_token": token, **{q: value for q in (*QUERY_INTS, "ids", "category")}}
                    response = client.open(path, method=method, data=form, headers={"X-CSRFToken": token})
                if response.status_code >= 500:
                    failures.append((method, path, value, response.status_code))
    assert failures == []


def test_the_notifications_page_numbers_and_ids_from_the_probe(client, login, csrf, make_user) -> None:
    login(make_user())
    for page in ("9223372036854775808", "9223372036854775807", "-5", "x"):
        assert client.get(f"/notifications/?page={page}").status_code == 200
        assert client.get(f"/membres/?page={page}").status_code == 200
    response = client.post("/notifications/lues", data={"csrf_token": csrf(),
                                                          "ids": ["9223372036854775808", "2147483648", "-1"]})
    assert response.status_code == 302
    assert client.get("/recherche?q=papier&auteur=9223372036854775808").status_code == 200
    assert client.get("/recherche?q=papier&auteur=2147483648").status_code == 200


# --- 11. headers on every response ----------------------------------------------------------------


def test_socket_io_long_polling_answers_carry_the_headers(client) -> None:
    response = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://localhost"})
    assert response.status_code == 200
    for name in ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"):
        assert response.headers.get(name), name
    refused = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 400 and refused.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_keep_their_own_stricter_policy(client) -> None:
    headers = client.get("/").headers
    assert len(headers.getlist("Content-Security-Policy")) == 1 and "nonce-" in headers["Content-Security-Policy"]
    assert headers.getlist("X-Frame-Options") == ["DENY"]


# --- NUL characters from the client (PostgreSQL refuses them in text: a 500 before) ---------------


def test_a_nul_character_in_a_query_a_form_or_json_is_dropped(client, login, csrf, api, make_user) -> None:
    login(make_user())
    for path in ("/membres/?q=a%00b", "/recherche?q=a%00b", "/bibliotheque/?q=%00", "/evenements/?q=a%00",
                 "/api/v1/threads?q=a%00b", "/api/v1/documents?q=clause%00"):
        assert client.get(path).status_code in (200, 404), path
    assert client.get("/membres/?q=%00").status_code == 200
    response = client.post("/compte/connexion", data={"csrf_token": csrf(), "email": "x\x00@y.fr", "password": "p"})
    assert response.status_code in (200, 400, 429)
    from flask import Flask

    from achats.platform.requests import CleanRequest

    app = Flask("t")
    app.request_class = CleanRequest
    with app.test_request_context("/?q=a%00b&q=c", method="POST", data={"f": "x\x00y"}):
        from flask import request

        assert request.args.getlist("q") == ["ab", "c"] and request.form["f"] == "xy"
    with app.test_request_context("/", method="POST", json={"t\x00": ["a\x00", {"b": "c\x00"}]}):
        from flask import request

        assert request.get_json() == {"t": ["a", {"b": "c"}]}
