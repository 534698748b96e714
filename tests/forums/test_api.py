"""The forum API: shapes per API.md and the OpenAPI document, status codes, problem+json, robustness."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from sqlalchemy import select

from achats.forums import services
from achats.forums.models import Post
from tests.forums.helpers import *  # noqa: F403

PROBLEM = "application/problem+json"


@pytest.fixture
def openapi(client: Any) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").get_json()


def check_schema(doc: dict[str, Any], path: str, method: str, response: Any) -> None:
    """The response body matches what the OpenAPI document promises for that status."""
    op = doc["paths"]["/api/v1" + path][method.lower()]
    spec = op["responses"].get(str(response.status_code))
    assert spec is not None, f"status {response.status_code} not documented for {method} {path}"
    content = spec.get("content", {})
    media = response.mimetype
    if media not in content:
        return
    schema = {**content[media]["schema"], "components": doc["components"]}
    jsonschema.validate(response.get_json(), schema, format_checker=None)


def opening(db: Any, thread: Any) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


# --- authentication and errors -----------------------------------------------------------------


def test_anonymous_gets_401_problem(api, forum):
    response = api(None).get("/categories")
    assert response.status_code == 401 and response.mimetype == PROBLEM
    assert response.get_json()["detail"]


def test_categories_list(api, forum, make_user, make_thread, openapi):
    make_thread()
    response = api(make_user(status="pending")).get("/categories")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [c["slug"] for c in items] == ["guichet-vert", "vie-du-reseau", "energie-et-batiment"]
    assert {"id", "slug", "name", "description"} <= set(items[0])
    assert items[1]["thread_count"] == 1 and items[1]["last_thread"]["title"]
    check_schema(openapi, "/categories", "GET", response)


def test_tags_list(api, forum, make_user):
    items = api(make_user()).get("/tags").get_json()["items"]
    assert {"slug": "cpv-45", "name": "45 — Travaux de construction", "facet": "cpv"} in items


# --- threads -----------------------------------------------------------------------------------


def test_create_thread_returns_thread_with_first_post(api, forum, make_user, openapi):
    user = make_user()
    response = api(user).post("/threads", json={
        "category_id": forum.general.id, "title": "Critère environnemental minimal en MAPA",
        "body": "Quelle pondération **minimale** ?", "kind": "question", "tags": ["mapa", "fournitures"],
    })
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["title"] == "Critère environnemental minimal en MAPA" and data["kind"] == "question"
    assert data["tags"] == ["mapa", "fournitures"] and data["author"] == {"id": user.id, "name": user.name}
    assert data["state"] == {"open": True, "locked": False, "pinned": False, "archived": False, "hidden": False}
    assert data["url"] == f"http://localhost/forums/sujets/{data['id']}"
    assert data["first_post"]["number"] == 1 and data["posts"] == [data["first_post"]]
    assert "<strong>minimale</strong>" in data["first_post"]["body_html"]
    assert data["first_post"]["attachments"] == []
    check_schema(openapi, "/threads", "POST", response)


@pytest.mark.parametrize("payload,status,field", [
    ({"category_id": 999999, "title": "Un titre assez long", "body": "Texte"}, 422, "category_id"),
    ({"category_id": 2**40, "title": "Un titre assez long", "body": "Texte"}, 422, "category_id"),
    ({"title": "Un titre assez long", "body": "Texte"}, 422, "category_id"),
    ({"category_id": 1, "title": "court", "body": "Texte"}, 422, "title"),
    ({"category_id": 1, "title": "Un titre assez long", "body": "Texte", "tags": ["nope"]}, 422, "tags"),
    ({"category_id": 1, "title": "Un titre assez long", "body": "Texte", "author_id": 1}, 422, "author_id"),
    ({"category_id": 1, "title": "Un titre assez long", "body": "Texte", "kind": "sondage"}, 422, "kind"),
    ({"category_id": 1, "title": "Un titre \x00 long", "body": "\ud800\x00"}, 422, "body"),
])
def test_create_thread_validation(api, forum, make_user, payload, status, field):
    response = api(make_user()).post("/threads", json=payload)
    assert response.status_code == status and response.mimetype == PROBLEM
    assert field in response.get_json()["errors"]


def test_create_thread_needs_json(api, forum, make_user):
    response = api(make_user()).post("/threads", data="title=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_pending_account_gets_403_in_french(api, forum, make_user, make_thread):
    pending = api(make_user(status="pending"))
    response = pending.post("/threads", json={"category_id": forum.general.id, "title": "Un titre assez long",
                                              "body": "Texte"})
    assert response.status_code == 403 and "attente de validation" in response.get_json()["detail"]
    thread = make_thread()
    assert pending.post(f"/threads/{thread.id}/posts", json={"body": "Bonjour"}).status_code == 403
    assert pending.get(f"/threads/{thread.id}").status_code == 200


def test_get_thread_fields(api, forum, make_user, make_thread, make_post, db, openapi):
    asker = make_user()
    thread = make_thread(asker, kind="question", tags=("mapa",))
    answer = make_post(make_user(), thread)
    services.accept_post(db.session, asker, answer)
    db.session.commit()
    response = api(make_user()).get(f"/threads/{thread.id}")
    data = response.get_json()
    for key in ("id", "url", "title", "kind", "category_id", "tags", "author", "state", "solved",
                "accepted_post_ids", "post_count", "created_at", "last_activity_at", "desk_status"):
        assert key in data
    assert data["solved"] is True and data["accepted_post_ids"] == [answer.id] and data["post_count"] == 2
    assert data["created_at"].endswith("+00:00") or data["created_at"].endswith("Z")
    check_schema(openapi, "/threads/{thread_id}", "GET", response)


@pytest.mark.parametrize("thread_id", [0, 999999, 2**31, 2**63, 2**70])
def test_unknown_or_huge_ids_are_404(api, forum, make_user, thread_id):
    client = api(make_user())
    for path in (f"/threads/{thread_id}", f"/threads/{thread_id}/posts", f"/posts/{thread_id}",
                 f"/posts/{thread_id}/revisions"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == PROBLEM, path
    assert client.post(f"/threads/{thread_id}/posts", json={"body": "x"}).status_code == 404
    assert client.post(f"/posts/{thread_id}/accept").status_code == 404


def test_hidden_thread_404_for_members_visible_to_moderators(api, forum, make_user, make_thread, db):
    thread = make_thread()
    services.set_thread_flags(db.session, make_user(role="moderator"), thread, hidden=True)
    db.session.commit()
    assert api(make_user()).get(f"/threads/{thread.id}").status_code == 404
    data = api(make_user(role="moderator")).get(f"/threads/{thread.id}").get_json()
    assert data["state"]["hidden"] is True


def test_list_threads_filters_and_pagination(api, forum, make_user, make_thread, make_post, db, openapi):
    asker = make_user()
    q1 = make_thread(asker, kind="question", title="Cantine et EGalim en zone rurale", tags=("alimentation-egalim",))
    make_thread(kind="discussion", title="Retour sur les Assises de Dijon")
    q3 = make_thread(asker, kind="question", title="Ordinateurs reconditionnés", category=forum.energy)
    answer = make_post(make_user(), q3)
    services.accept_post(db.session, asker, answer)
    db.session.commit()
    client = api(make_user())

    def ids(**params: Any) -> list[int]:
        response = client.get("/threads", query_string=params)
        assert response.status_code == 200, response.get_json()
        check_schema(openapi, "/threads", "GET", response)
        return [t["id"] for t in response.get_json()["items"]]

    assert ids()[0] == q3.id  # newest activity first
    assert ids(category="energie-et-batiment") == [q3.id]
    assert ids(category=str(forum.energy.id)) == [q3.id]
    assert ids(category="inconnue") == []
    assert ids(tag="alimentation-egalim") == [q1.id]
    assert set(ids(kind="question")) == {q1.id, q3.id}
    assert ids(solved="true") == [q3.id]
    assert ids(solved="false") == [q1.id]
    assert ids(q="egalim") == [q1.id]
    first = client.get("/threads", query_string={"limit": 2}).get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get("/threads", query_string={"limit": 2, "cursor": first["next_cursor"]}).get_json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert {t["id"] for t in first["items"] + rest["items"]} == set(ids())


@pytest.mark.parametrize("params", [
    {"cursor": "%%%"}, {"cursor": "WzFd"}, {"cursor": "WyJ4IiwxXQ"}, {"limit": 0}, {"limit": 1000},
    {"author_id": 2**40}, {"solved": "peut-être"}, {"kind": "sondage"}, {"q": "\x00"}, {"category": "\x00"},
    {"q": "%_\\"}, {"cursor": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwgMV0"}, {"cursor": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgOTk5OTk5OTk5OTk5OV0"},
])
def test_list_threads_bad_parameters_never_500(api, forum, make_user, make_thread, params):
    make_thread()
    response = api(make_user()).get("/threads", query_string=params)
    assert response.status_code in (200, 400), (params, response.get_json())
    if response.status_code == 400:
        assert response.mimetype == PROBLEM


def test_similar_titles_endpoint(api, forum, make_user, make_thread):
    t = make_thread(title="Clause de tri des déchets de chantier")
    items = api(make_user()).get("/threads/similar", query_string={"title": "tri des déchets de chantier"}).get_json()["items"]
    assert [i["id"] for i in items] == [t.id]


# --- posts -------------------------------------------------------------------------------------


def test_reply_and_list_posts(api, forum, make_user, make_thread, db, openapi):
    thread = make_thread()
    client = api(make_user())
    first = opening(db, thread)
    response = client.post(f"/threads/{thread.id}/posts", json={"body": "Ma réponse", "reply_to_id": first.id})
    assert response.status_code == 201, response.get_json()
    check_schema(openapi, "/threads/{thread_id}/posts", "POST", response)
    post = response.get_json()
    assert post["number"] == 2 and post["reply_to_id"] == first.id and post["body"] == "Ma réponse"
    for i in range(3):
        client.post(f"/threads/{thread.id}/posts", json={"body": f"Suite {i}"})
    page = client.get(f"/threads/{thread.id}/posts", query_string={"limit": 3}).get_json()
    assert [p["number"] for p in page["items"]] == [1, 2, 3]
    page2 = client.get(f"/threads/{thread.id}/posts", query_string={"limit": 3, "cursor": page["next_cursor"]})
    check_schema(openapi, "/threads/{thread_id}/posts", "GET", page2)
    assert [p["number"] for p in page2.get_json()["items"]] == [4, 5]
    item = page["items"][0]
    for key in ("id", "author", "body", "body_html", "created_at", "edited_at", "reply_to_id", "attachments",
                "number", "accepted", "useful_count", "up_to_date_on", "needs_review"):
        assert key in item


def test_reply_to_a_post_of_another_thread_is_refused(api, forum, make_user, make_thread, db):
    a, b = make_thread(), make_thread()
    response = api(make_user()).post(f"/threads/{a.id}/posts", json={"body": "x y", "reply_to_id": opening(db, b).id})
    assert response.status_code == 422 and "reply_to_id" in response.get_json()["errors"]


def test_locked_thread_answers_409(api, forum, make_user, make_thread, db):
    thread = make_thread()
    services.set_thread_flags(db.session, make_user(role="moderator"), thread, locked=True)
    db.session.commit()
    response = api(make_user()).post(f"/threads/{thread.id}/posts", json={"body": "Encore une chose"})
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert "verrouillé" in response.get_json()["detail"]
    data = api(make_user()).get(f"/threads/{thread.id}").get_json()
    assert data["state"]["open"] is False and data["state"]["locked"] is True


def test_edit_keeps_revisions_listed_oldest_first(api, forum, make_user, make_thread, db, openapi):
    author = make_user()
    thread = make_thread(author, body="Texte d'origine")
    post_id = opening(db, thread).id
    client = api(author)
    response = client.patch(f"/posts/{post_id}", json={"body": "Texte corrigé", "reason": "précision"})
    assert response.status_code == 200 and response.get_json()["edited_at"]
    client.patch(f"/posts/{post_id}", json={"body": "Texte final"})
    revisions = client.get(f"/posts/{post_id}/revisions")
    check_schema(openapi, "/posts/{post_id}/revisions", "GET", revisions)
    data = revisions.get_json()
    assert [r["body"] for r in data["items"]] == ["Texte d'origine", "Texte corrigé"]
    assert data["items"][1]["reason"] == "précision" and data["current"]["body"] == "Texte final"
    assert api(make_user()).patch(f"/posts/{post_id}", json={"body": "Pirate"}).status_code == 403
    assert client.patch(f"/posts/{post_id}", json={"reason": "rien"}).status_code == 422


def test_expert_dates_and_flags_answers_for_review(api, forum, make_user, make_thread, make_post):
    expert = make_user(role="expert")
    thread = make_thread(kind="question")
    answer = make_post(expert, thread)
    response = api(expert).patch(f"/posts/{answer.id}", json={"up_to_date_on": "2026-11-02", "needs_review": True})
    assert response.status_code == 200
    assert response.get_json()["up_to_date_on"] == "2026-11-02" and response.get_json()["needs_review"] is True
    assert api(make_user()).patch(f"/posts/{answer.id}", json={"needs_review": False}).status_code == 403


def test_delete_within_grace_shows_placeholder(api, forum, make_user, make_thread, make_post):
    author = make_user()
    thread = make_thread()
    post = make_post(author, thread, body="Oups")
    assert api(author).delete(f"/posts/{post.id}").status_code == 200
    items = api(make_user()).get(f"/threads/{thread.id}/posts").get_json()["items"]
    assert items[1]["deleted"] is True and items[1]["body"] == "" and "supprimé par son auteur" in items[1]["body_html"]


def test_accept_and_unaccept(api, forum, make_user, make_thread, make_post, openapi):
    asker = make_user()
    thread = make_thread(asker, kind="question")
    answer = make_post(make_user(), thread)
    assert api(make_user()).post(f"/posts/{answer.id}/accept").status_code == 403
    response = api(asker).post(f"/posts/{answer.id}/accept")
    assert response.status_code == 200 and response.get_json()["accepted"] is True
    check_schema(openapi, "/posts/{post_id}/accept", "POST", response)
    assert api(asker).get(f"/threads/{thread.id}").get_json()["solved"] is True
    assert api(make_user(role="expert")).delete(f"/posts/{answer.id}/accept").get_json()["accepted"] is False
    discussion = make_thread(asker)
    reply = make_post(make_user(), discussion)
    assert api(asker).post(f"/posts/{reply.id}/accept").status_code == 409


def test_flag_once_per_user(api, forum, make_user, make_thread, make_post, openapi):
    post = make_post(make_user(), make_thread())
    client = api(make_user())
    response = client.post(f"/posts/{post.id}/flags", json={"reason": "spam", "detail": "Publicité"})
    assert response.status_code == 201
    check_schema(openapi, "/posts/{post_id}/flags", "POST", response)
    assert client.post(f"/posts/{post.id}/flags", json={"reason": "other"}).status_code == 409
    assert client.post(f"/posts/{post.id}/flags", json={"reason": "boring"}).status_code == 422


def test_flags_reach_the_moderation_queue_and_hiding_settles_them(api, forum, make_user, make_thread, make_post):
    post = make_post(make_user(), make_thread())
    api(make_user()).post(f"/posts/{post.id}/flags", json={"reason": "confidential"})
    moderator = api(make_user(role="moderator"))
    flags = moderator.get("/moderation/queue").get_json()["flags"]
    assert flags[0]["post"]["id"] == post.id and flags[0]["reason"] == "confidential"
    response = moderator.post("/moderation/actions", json={"action": "hide", "target_type": "post",
                                                          "target_id": post.id, "reason": "Données personnelles"})
    assert response.status_code == 200 and response.get_json()["state"]["hidden"] is True
    assert moderator.get("/moderation/queue").get_json()["flags"] == []
    assert api(make_user()).get(f"/posts/{post.id}").status_code == 404


@pytest.mark.parametrize("action,field,value", [
    ("lock", "locked", True), ("pin", "pinned", True), ("archive", "archived", True), ("hide", "hidden", True),
])
def test_moderation_actions_on_threads(api, forum, make_user, make_thread, action, field, value):
    thread = make_thread()
    moderator = api(make_user(role="moderator"))
    response = moderator.post("/moderation/actions", json={"action": action, "target_type": "thread",
                                                          "target_id": thread.id, "reason": "test"})
    assert response.status_code == 200 and response.get_json()["state"][field] is value
    # A member may not act: 403, or 404 once the thread is hidden (it does not exist for them).
    assert api(make_user()).post("/moderation/actions", json={"action": action, "target_type": "thread",
                                                               "target_id": thread.id}).status_code == (
        404 if field == "hidden" else 403)


def test_move_action(api, forum, make_user, make_thread):
    thread = make_thread()
    moderator = api(make_user(role="moderator"))
    body = {"action": "move", "target_type": "thread", "target_id": thread.id, "category_id": forum.energy.id}
    assert moderator.post("/moderation/actions", json=body).get_json()["state"]["category_id"] == forum.energy.id
    body["category_id"] = 2**40
    assert moderator.post("/moderation/actions", json=body).status_code == 422


def test_watch_levels(api, forum, make_user, make_thread, openapi):
    thread = make_thread()
    client = api(make_user())
    response = client.put(f"/threads/{thread.id}/watch", json={"level": "muted"})
    assert response.status_code == 200 and response.get_json() == {"thread_id": thread.id, "level": "muted"}
    check_schema(openapi, "/threads/{thread_id}/watch", "PUT", response)
    assert client.get(f"/threads/{thread.id}/watch").get_json()["level"] == "muted"
    assert client.put(f"/threads/{thread.id}/watch", json={"level": "loud"}).status_code == 422


def test_useful_toggle(api, forum, make_user, make_thread, make_post):
    post = make_post(make_user(), make_thread())
    client = api(make_user())
    assert client.post(f"/posts/{post.id}/useful").get_json() == {"post_id": post.id, "active": True, "useful_count": 1}
    assert client.post(f"/posts/{post.id}/useful").get_json()["useful_count"] == 0
    assert api(post.author).post(f"/posts/{post.id}/useful").status_code == 403


def test_expert_takes_a_desk_question(api, forum, make_user, make_thread):
    thread = make_thread(category=forum.desk, kind="question")
    assert api(make_user()).post(f"/threads/{thread.id}/take").status_code == 403
    expert = make_user(role="expert")
    response = api(expert).post(f"/threads/{thread.id}/take")
    assert response.status_code == 200
    data = response.get_json()
    assert data["desk_status"] == "prise_en_charge" and data["assigned_expert"]["id"] == expert.id
    assert api(expert).post(f"/threads/{thread.id}/take").status_code == 409
    assert api(expert).post(f"/threads/{make_thread().id}/take").status_code == 409


def test_desk_stats_endpoints(api, forum, make_user, make_thread, openapi):
    make_thread(category=forum.desk, kind="question")
    month = services.stats.today_paris().strftime("%Y-%m")
    assert api(make_user()).get("/desk/stats").status_code == 403
    expert = api(make_user(role="expert"))
    response = expert.get("/desk/stats", query_string={"month": month})
    assert response.status_code == 200 and response.get_json()["received"] == 1
    check_schema(openapi, "/desk/stats", "GET", response)
    assert expert.get("/desk/stats", query_string={"month": "2026-13"}).status_code == 400
    assert expert.get("/desk/stats", query_string={"month": "novembre"}).status_code == 400
    csv_response = expert.get("/desk/stats.csv", query_string={"month": month})
    assert csv_response.mimetype == "text/csv" and "attachment" in csv_response.headers["Content-Disposition"]


def test_mention_autocomplete(api, forum, make_user, db):
    user = make_user(name="Nathalie Girard")
    user.handle = "nathalie.girard"
    db.session.commit()
    items = api(make_user()).get("/mentions", query_string={"q": "@nath"}).get_json()["items"]
    assert [i["handle"] for i in items] == ["nathalie.girard"]
    assert api(make_user()).get("/mentions", query_string={"q": "girard"}).get_json()["items"][0]["id"] == user.id


def test_session_writes_need_csrf(client, login, csrf, forum, make_user, make_thread):
    thread = make_thread()
    login(make_user())
    path = f"/api/v1/threads/{thread.id}/posts"
    assert client.post(path, json={"body": "Sans jeton"}).status_code == 400
    response = client.post(path, json={"body": "Avec jeton"}, headers={"X-CSRFToken": csrf()})
    assert response.status_code == 201


@pytest.mark.parametrize("body", [
    {"body": "\ud800"}, {"body": "\x00\x00"}, {"body": 12}, {"body": None}, {"body": "x", "reply_to_id": 2**63},
    {"body": "x", "reply_to_id": -1}, {"body": "x", "up_to_date_on": "2026-02-30"}, {"body": "x" * 40_000}, [],
])
def test_reply_with_weird_bodies_never_500(api, forum, make_user, make_thread, body):
    thread = make_thread()
    response = api(make_user()).post(f"/threads/{thread.id}/posts", json=body)
    assert 400 <= response.status_code < 500 and response.mimetype == PROBLEM


def test_forum_api_survives_schemathesis(app, db, forum, make_user, make_thread, make_post, make_token):
    """Generated requests on every forum operation: never a 5xx, always a documented status and shape."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    user = make_user(role="expert")
    thread = make_thread(user, kind="question")
    make_post(make_user(), thread)
    token = make_token(user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).include(tag="Forums")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures: list[str] = []
    def runner(operation: Any) -> Any:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            try:
                case.validate_response(response, checks=checks)
            except BaseException as exc:  # noqa: BLE001 - collected, reported below
                failures.append(f"{operation.label}: {str(exc)[:300]}")

        return run

    for result in schema.get_all_operations():
        runner(result.ok())()
    assert not failures, failures[:5]


def test_posting_is_rate_limited(api, forum, make_user, make_thread):
    thread = make_thread()
    client = api(make_user())
    statuses = [client.post(f"/threads/{thread.id}/posts", json={"body": f"Message {i}"}).status_code
                for i in range(31)]
    assert statuses[:30] == [201] * 30 and statuses[30] == 429
