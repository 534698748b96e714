"""The API base: bearer and session authentication, CSRF for session writes, problem+json, /me."""

from __future__ import annotations

from datetime import datetime

import pytest


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    return body


def test_me_with_a_bearer_token(api, make_user, make_organisation):
    org = make_organisation(name="Commune de Quingey", siret="21390000400010")
    user = make_user(role="expert", name="Élise Fournier", email="elise@quingey.fr", organisation=org,
                     themes=("dechets",))
    response = api(user).get("/me")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == {
        "id": user.id, "name": "Élise Fournier", "email": "elise@quingey.fr", "role": "expert", "status": "active",
        "organisation": {"id": org.id, "name": "Commune de Quingey", "kind": "commune", "siret": "21390000400010",
                         "departement": "21"},
        "themes": ["dechets"],
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_me_with_the_browser_session(client, login, make_user):
    user = make_user()
    login(user)
    assert client.get("/api/v1/me").json["id"] == user.id


def test_anonymous_api_calls_are_401_problems_with_a_challenge(client):
    response = client.get("/api/v1/me")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer ach_nimportequoi", "Bearer pas-un-jeton", "Bearer " + "x" * 500,
                                    "Bearer ach_\u00e9\u00e9"])
def test_invalid_bearer_tokens_are_401(client, header):
    assert_problem(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_an_invalid_bearer_token_is_refused_even_with_a_valid_session(client, login, make_user):
    login(make_user())
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer ach_revoque"})
    assert_problem(response, 401)


def test_tokens_of_suspended_and_deleted_accounts_stop_working(api, make_user, db):
    from achats.auth import services

    user = make_user()
    admin = make_user(role="admin")
    caller = api(user)
    assert caller.get("/me").status_code == 200
    services.suspend_account(db.session, admin, user, "abus")
    db.session.commit()
    assert_problem(caller.get("/me"), 401)


def test_pending_accounts_read_through_the_api(api, make_user):
    pending = make_user(status="pending")
    response = api(pending).get("/me")
    assert response.status_code == 200 and response.json["status"] == "pending"


def test_session_writes_need_the_csrf_header_and_bearer_writes_do_not(client, login, csrf, make_user, api):
    user = make_user()
    login(user)
    refused = client.post("/api/v1/tokens", json={"name": "script"})
    assert_problem(refused, 400)
    assert "CSRF" in refused.json["detail"]
    accepted = client.post("/api/v1/tokens", json={"name": "script"}, headers={"X-CSRFToken": csrf()})
    assert accepted.status_code == 201
    assert api(user).post("/tokens", json={"name": "autre"}).status_code == 201


def test_anonymous_writes_are_401_not_csrf_errors(client):
    assert_problem(client.post("/api/v1/tokens", json={"name": "x"}), 401)


def test_bodies_must_be_json_objects_with_known_fields(api, make_user):
    caller = api(make_user())
    assert_problem(caller.post("/tokens", data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert_problem(caller.post("/tokens", data="{pas du json", headers={"Content-Type": "application/json"}), 400)
    body = assert_problem(caller.post("/tokens", json=["liste"]), 422)
    assert body["errors"] == {"body": ["Un objet JSON est attendu."]}
    body = assert_problem(caller.post("/tokens", json={}), 422)
    assert body["errors"]["name"] == ["Ce champ est obligatoire."]
    body = assert_problem(caller.post("/tokens", json={"name": "x", "user_id": 1}), 422)
    assert body["errors"]["user_id"] == ["Ce champ n'est pas accepté."]
    body = assert_problem(caller.post("/tokens", json={"name": "x" * 81}), 422)
    assert "80" in body["errors"]["name"][0]


def test_unknown_routes_and_methods_are_problems(api, make_user):
    caller = api(make_user())
    assert_problem(caller.get("/nulle-part"), 404)
    assert_problem(caller.put("/me", json={}), 405)


def test_too_large_bodies_are_413_problems(app, api, make_user):
    caller = api(make_user())
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = caller.post("/tokens", data="{" + " " * 5000 + "}", headers={"Content-Type": "application/json"})
    assert_problem(response, 413)


def test_api_times_are_iso_8601_with_an_offset(api, make_user):
    caller = api(make_user())
    caller.get("/me")  # sets last_used_at
    token = caller.get("/tokens").json["items"][0]
    for key in ("created_at", "last_used_at"):
        parsed = datetime.fromisoformat(token[key])
        assert parsed.utcoffset() is not None, token[key]


def test_tokens_api_create_list_revoke(api, make_user, client):
    user = make_user()
    caller = api(user)
    created = caller.post("/tokens", json={"name": "  tableau de bord  "})
    assert created.status_code == 201
    assert created.json["name"] == "tableau de bord"
    secret = created.json["token"]
    assert secret.startswith("ach_")
    listed = caller.get("/tokens").json
    assert listed["next_cursor"] is None
    names = {t["name"]: t for t in listed["items"]}
    assert "tableau de bord" in names
    assert all("token" not in t and "token_hash" not in t for t in listed["items"])  # the secret is shown once
    assert names["tableau de bord"]["prefix"] == secret[:10]

    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert caller.delete(f"/tokens/{created.json['id']}").status_code == 204
    assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert_problem(caller.delete(f"/tokens/{created.json['id']}"), 404)  # already revoked


def test_another_users_token_cannot_be_revoked(api, make_user, make_token, db):
    from achats.auth.models import ApiToken

    victim = make_user()
    victim_secret = make_token(victim, "victime")
    token_id = db.session.query(ApiToken.id).filter(ApiToken.user_id == victim.id).scalar()
    assert_problem(api(make_user()).delete(f"/tokens/{token_id}"), 404)
    assert api(victim).get("/me").status_code == 200
    assert victim_secret.startswith("ach_")


def test_tokens_are_stored_hashed(api, make_user, db):
    from achats.auth.models import ApiToken

    secret = api(make_user()).post("/tokens", json={"name": "hash"}).json["token"]
    rows = db.session.query(ApiToken.token_hash).all()
    assert all(secret not in row.token_hash for row in rows)
    import hashlib

    assert (hashlib.sha256(secret.encode()).hexdigest(),) in [tuple(r) for r in rows]


def test_no_more_than_twenty_active_tokens(api, make_user):
    caller = api(make_user())  # token 1
    for i in range(19):
        assert caller.post("/tokens", json={"name": f"t{i}"}).status_code == 201
    body = assert_problem(caller.post("/tokens", json={"name": "de trop"}), 422)
    assert "20" in body["errors"]["name"][0]


def test_healthz_reports_database_and_realtime(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "realtime": "single-process"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_with_a_working_redis_says_realtime_ok(app_factory):
    app = app_factory(redis=True)
    assert app.test_client().get("/healthz").json["realtime"] == "ok"


def test_api_errors_never_leak_a_traceback(app_factory):
    app = app_factory()

    @app.get("/api/v1/boom-test")
    def boom():  # pragma: no cover - exercised below
        raise RuntimeError("détail secret")

    response = app.test_client().get("/api/v1/boom-test")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["detail"] == "Une erreur interne est survenue."
