"""The security baseline: headers, CSRF, sessions ended on the server, safe redirects, errors."""

from __future__ import annotations

import re

import pytest

from tests.conftest import DEFAULT_PASSWORD


def sign_in(client, csrf, user, remember=False):
    data = {"csrf_token": csrf(), "email": user.email, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/compte/connexion", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def test_html_pages_send_a_nonce_csp_and_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    html = response.get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        assert f'nonce="{nonce}"' in tag
    assert "<style" not in html and " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None


@pytest.mark.parametrize("path", ["/", "/api/v1/me", "/page-qui-n-existe-pas", "/healthz"])
def test_headers_on_every_kind_of_response(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_private_pages_are_not_cached(client, make_user, login):
    login(make_user())
    assert client.get("/compte/parametres").headers["Cache-Control"] == "no-store"


def test_hsts_only_in_production(app_factory, monkeypatch):
    monkeypatch.setenv("ACHATS_BASE_URL", "https://achats.example")
    monkeypatch.setenv("ACHATS_ENV", "production")
    app = app_factory(TESTING=False)
    response = app.test_client().get("/healthz", base_url="https://localhost")
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_post_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/compte/connexion", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "formulaire" in response.get_data(as_text=True)


def test_logout_needs_post_and_csrf(client, csrf, make_user):
    user = make_user()
    sign_in(client, csrf, user)
    assert client.get("/compte/deconnexion").status_code == 405
    assert client.post("/compte/deconnexion").status_code == 400
    assert client.get("/api/v1/me").status_code == 200


def test_old_cookie_replayed_after_logout_is_anonymous(client, csrf, make_user, app):
    user = make_user()
    sign_in(client, csrf, user, remember=True)
    cookies = {c.key: c.value for c in client._cookies.values()}
    assert "achats_session" in cookies and "achats_remember" in cookies
    assert client.post("/compte/deconnexion", data={"csrf_token": csrf()}).status_code == 302

    replay = app.test_client()
    for key, value in cookies.items():
        replay.set_cookie(key, value, domain="localhost")
    assert replay.get("/api/v1/me").status_code == 401
    # The remember-me cookie alone is dead too.
    only_remember = app.test_client()
    only_remember.set_cookie("achats_remember", cookies["achats_remember"], domain="localhost")
    assert only_remember.get("/api/v1/me").status_code == 401


def test_password_change_ends_other_sessions(client, csrf, make_user, app):
    user = make_user()
    other = app.test_client()
    sign_in(other, lambda: __import__("tests.conftest", fromlist=["x"]).csrf_token_from(other), user)
    sign_in(client, csrf, user)
    new = "une toute nouvelle phrase de passe solide"
    response = client.post("/compte/parametres/mot-de-passe",
                           data={"csrf_token": csrf(), "current_password": DEFAULT_PASSWORD, "password": new})
    assert response.status_code == 302
    assert client.get("/api/v1/me").status_code == 200  # this session continues
    assert other.get("/api/v1/me").status_code == 401


def test_suspension_and_role_change_end_sessions(client, make_user, login, db, app):
    from achats.auth import services

    user = make_user()
    admin = make_user(role="admin")
    login(user)
    assert client.get("/api/v1/me").status_code == 200
    services.change_role(db.session, admin, user, "expert")
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401
    login(user)
    assert client.get("/api/v1/me").json["role"] == "expert"
    services.suspend_account(db.session, admin, user, "test")
    db.session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_login_creates_a_new_session(client, csrf, make_user):
    user = make_user()
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    sign_in(client, csrf, user)
    with client.session_transaction() as sess:
        assert "planted" not in sess


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"])
def test_next_redirect_stays_on_site(client, csrf, make_user, target):
    user = make_user()
    response = client.post("/compte/connexion", data={"csrf_token": csrf(), "email": user.email,
                                                      "password": DEFAULT_PASSWORD, "next": target})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_local_next_redirect_is_followed(client, csrf, make_user):
    user = make_user()
    response = client.post("/compte/connexion", data={"csrf_token": csrf(), "email": user.email,
                                                      "password": DEFAULT_PASSWORD, "next": "/compte/parametres"})
    assert response.headers["Location"].endswith("/compte/parametres")


def test_login_answers_the_same_for_known_and_unknown_emails(client, csrf, make_user):
    user = make_user()
    known = client.post("/compte/connexion", data={"csrf_token": csrf(), "email": user.email, "password": "faux mot de passe"})
    unknown = client.post("/compte/connexion", data={"csrf_token": csrf(), "email": "inconnu@x.fr", "password": "faux mot de passe"})
    assert known.status_code == unknown.status_code
    strip = lambda r: re.sub(r'(nonce|value|content)="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)


def test_reset_answers_the_same_for_known_and_unknown_emails(client, csrf, make_user, mailbox):
    user = make_user()
    known = client.post("/compte/mot-de-passe-oublie", data={"csrf_token": csrf(), "email": user.email})
    unknown = client.post("/compte/mot-de-passe-oublie", data={"csrf_token": csrf(), "email": "inconnu@x.fr"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]


def test_thirty_bad_logins_are_throttled_and_owner_gets_back_after_the_window(client, csrf, make_user, app):
    from achats.platform.extensions import limiter

    user = make_user()
    token = csrf()
    statuses = [
        client.post("/compte/connexion", data={"csrf_token": token, "email": user.email, "password": f"mauvais {i}"}).status_code
        for i in range(30)
    ]
    assert 429 in statuses
    assert statuses[0] == 200
    blocked = client.post("/compte/connexion", data={"csrf_token": token, "email": user.email, "password": DEFAULT_PASSWORD})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    limiter.reset()  # the window passes
    assert client.post("/compte/connexion", data={"csrf_token": token, "email": user.email,
                                                   "password": DEFAULT_PASSWORD}).status_code == 302


def test_error_pages_are_french_and_show_no_trace(app_factory):
    app = app_factory()

    @app.get("/boom-test")
    def boom():  # pragma: no cover - exercised below
        raise RuntimeError("secret detail")

    client = app.test_client()
    response = client.get("/nulle-part")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page introuvable" in html and "Traceback" not in html
    response = client.get("/boom-test")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Erreur interne" in html and "secret detail" not in html and "Traceback" not in html


def test_api_errors_are_problem_json(client):
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404 and response.json["title"]


def test_bad_config_stops_startup_with_a_clear_message(monkeypatch, tmp_path, capsys):
    from achats import create_app

    monkeypatch.setenv("ACHATS_DATABASE_URL", "mysql://nope")
    with pytest.raises(SystemExit):
        create_app(instance_path=str(tmp_path))
    assert "ACHATS_DATABASE_URL" in capsys.readouterr().err


def test_secret_key_is_generated_once_into_instance(monkeypatch, tmp_path):
    from achats.platform.config import load_settings

    monkeypatch.delenv("ACHATS_SECRET_KEY", raising=False)
    first = load_settings(tmp_path, {}).secret_key
    assert len(first) >= 32
    assert load_settings(tmp_path, {}).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_crlf_and_control_characters_in_names_do_not_break_pages(client, make_user, login):
    user = make_user(name="Jean\r\nSet-Cookie: x=1")
    login(user)
    assert client.get(f"/membres/{user.id}").status_code == 200
