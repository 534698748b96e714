"""Who may do what: a role x action table, each cell proven over HTTP; a URL-map walk of the staff
routes; no mass assignment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from

ROLES = ["anonymous", "pending", "member", "expert", "moderator", "admin"]

# action -> the roles allowed to do it.
ALLOWED = {
    "view_directory": {"pending", "member", "expert", "moderator", "admin"},
    "moderate_accounts": {"moderator", "admin"},
    "change_role": {"admin"},
    "suspend_member": {"moderator", "admin"},
    "suspend_moderator": {"admin"},
}
TABLE = [(role, action, role in allowed) for action, allowed in ALLOWED.items() for role in ROLES]


def actor_client(app, login, make_user, role: str) -> tuple[Any, Any]:
    client = app.test_client()
    if role == "anonymous":
        return client, None
    user = make_user(role="member", status="pending") if role == "pending" else make_user(role=role)
    login(user, client)
    return client, user


def refused(response, anonymous: bool) -> bool:
    if anonymous and response.status_code == 302:
        return "/compte/connexion" in response.headers["Location"]
    return response.status_code in (401, 403)


@pytest.mark.parametrize("role, action, allowed", TABLE, ids=[f"{r}-{a}" for r, a, _ in TABLE])
def test_role_action_table(app, db, login, make_user, role, action, allowed):
    from achats.auth import permissions
    from achats.auth.models import User

    client, actor = actor_client(app, login, make_user, role)
    token = csrf_token_from(client)
    member = make_user()
    moderator = make_user(role="moderator")

    if action == "view_directory":
        response = client.get("/membres/")
        ok = response.status_code == 200
        predicate = permissions.can_view_members(actor)
    elif action == "moderate_accounts":
        make_user(status="pending", name="Demandeur")
        page = client.get("/moderation/comptes")
        pending = db.session.scalar(select(User).where(User.name == "Demandeur"))
        response = client.post(f"/moderation/comptes/{pending.id}/approuver", data={"csrf_token": token, "reason": ""})
        db.session.expire_all()
        ok = page.status_code == 200 and db.session.get(User, pending.id).status == "active"
        assert ok or refused(page, actor is None) and refused(response, actor is None)
        predicate = permissions.can_moderate_accounts(actor)
    elif action == "change_role":
        response = client.post(f"/membres/{member.id}/role", data={"csrf_token": token, "role": "expert"})
        db.session.expire_all()
        ok = db.session.get(User, member.id).role == "expert"
        predicate = permissions.can_change_role(actor, member)
    else:
        target = member if action == "suspend_member" else moderator
        response = client.post(f"/membres/{target.id}/suspendre", data={"csrf_token": token, "reason": "test"})
        db.session.expire_all()
        ok = db.session.get(User, target.id).status == "suspended"
        predicate = permissions.can_suspend(actor, target)

    assert ok is allowed, (role, action, response.status_code)
    assert predicate is allowed  # the page shows exactly what the server allows
    if not allowed:
        assert refused(response, actor is None), (role, action, response.status_code)


def test_the_api_applies_the_same_table(api, make_user):
    member, moderator = make_user(), make_user(role="moderator")
    for role, allowed in (("member", False), ("expert", False), ("moderator", True), ("admin", True)):
        caller = api(make_user(role=role))
        assert (caller.get("/moderation/queue").status_code == 200) is allowed, role
    mod_api = api(moderator)
    response = mod_api.post("/moderation/actions", json={"action": "suspend", "target_type": "user",
                                                          "target_id": make_user(role="moderator").id, "reason": "x"})
    assert response.status_code == 403  # only admins suspend staff
    response = mod_api.post("/moderation/actions", json={"action": "suspend", "target_type": "user",
                                                          "target_id": member.id, "reason": "x"})
    assert response.status_code == 200 and response.json["state"] == {"status": "suspended"}
    assert api(make_user()).post("/moderation/actions", json={
        "action": "reinstate", "target_type": "user", "target_id": member.id, "reason": "x"}).status_code == 403


def test_moderators_see_pending_accounts_in_the_api_queue(api, make_user):
    applicant = make_user(status="pending", name="Paul Nouveau")
    queue = api(make_user(role="moderator")).get("/moderation/queue").json
    assert [a["id"] for a in queue["pending_accounts"]] == [applicant.id]


def test_nobody_suspends_themself(api, make_user):
    admin = make_user(role="admin")
    response = api(admin).post("/moderation/actions", json={"action": "suspend", "target_type": "user",
                                                            "target_id": admin.id, "reason": "x"})
    assert response.status_code == 403


# --- the URL map walk -------------------------------------------------------------------------

# Staff-only endpoints outside /moderation (moderators or admins).
STAFF_ENDPOINTS = {"auth.set_role", "auth.suspend_user", "forums.moderate_post", "forums.moderate_thread",
                   "forums.move_thread"}


def staff_rules(app) -> list[Any]:
    return [
        rule for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/moderation", "/api/v1/moderation")) or rule.endpoint in STAFF_ENDPOINTS
    ]


def concrete_urls(rule, ids: dict[str, int]) -> list[str]:
    urls = [rule.rule]
    for match in re.finditer(r"<(?:([a-z]+)(\(([^)]*)\))?:)?([a-z_]+)>", rule.rule):
        converter, args, name = match.group(1), match.group(3), match.group(4)
        if converter == "any":
            options = [o.strip() for o in args.split(",")]
        elif converter == "int":
            options = [str(ids.get(name, 1))]
        else:
            options = ["x"]
        urls = [u.replace(match.group(0), option) for u in urls for option in options]
    return urls


@pytest.fixture
def forum_objects(db, make_user):
    """A thread and its opening post, so that forum moderation routes reach their permission check."""
    try:
        from achats.forums import services as forum_services
        from achats.forums.models import Category, Post
    except ImportError:  # pragma: no cover - forums not there yet
        return {}
    category = Category(slug="permissions", name="Permissions", description="")
    db.session.add(category)
    db.session.flush()
    thread = forum_services.create_thread(db.session, make_user(), category=category, title="Sujet de test",
                                          body="Premier message", kind="discussion", tags=[])
    db.session.commit()
    post_id = db.session.scalar(select(Post.id).where(Post.thread_id == thread.id))
    return {"thread_id": thread.id, "post_id": post_id}


@pytest.mark.parametrize("role", ["anonymous", "pending", "member", "expert"])
def test_staff_routes_refuse_anonymous_and_members(app, db, login, make_user, forum_objects, role):
    client, actor = actor_client(app, login, make_user, role)
    token = csrf_token_from(client)
    target = make_user()
    ids = {"user_id": target.id, **forum_objects}
    rules = staff_rules(app)
    assert any(r.endpoint == "auth.moderation_accounts" for r in rules)
    assert any(r.endpoint == "moderation_api.moderation_action" for r in rules)
    checked = 0
    for rule in rules:
        for url in concrete_urls(rule, ids):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                headers = {"X-CSRFToken": token}
                kwargs: dict[str, Any] = {"headers": headers}
                if method != "GET":
                    if url.startswith("/api/"):
                        kwargs["json"] = {"action": "suspend", "target_type": "user", "target_id": target.id,
                                          "reason": "x"}
                    else:
                        kwargs["data"] = {"csrf_token": token, "reason": "x", "role": "admin",
                                          "category_id": "1", "action": "hide"}
                response = client.open(url, method=method, **kwargs)
                assert refused(response, actor is None) or (role != "anonymous" and response.status_code == 404), (
                    role, method, url, response.status_code)
                checked += 1
    assert checked >= 5
    from achats.auth.models import User

    db.session.expire_all()
    fresh = db.session.get(User, target.id)
    assert fresh.status == "active" and fresh.role == "member"


def test_admin_pages_are_not_linked_for_members(client, login, make_user):
    login(make_user())
    html = client.get("/").get_data(as_text=True)
    assert "/moderation/comptes" not in html
    login(make_user(role="moderator"))
    assert "/moderation/comptes" in client.get("/").get_data(as_text=True)


# --- mass assignment --------------------------------------------------------------------------


@pytest.mark.parametrize("path, body", [
    ("/tokens", {"name": "x", "role": "admin"}),
    ("/tokens", {"name": "x", "user_id": 1}),
    ("/notifications/read", {"all": True, "role": "admin"}),
    ("/notifications/read", {"all": True, "recipient_id": 1}),
    ("/moderation/actions", {"action": "approve", "target_type": "user", "target_id": 1, "role": "admin"}),
])
def test_api_bodies_with_unknown_fields_are_refused(api, make_user, path, body):
    admin = make_user(role="admin")
    response = api(admin).post(path, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    extra = next(k for k in body if k in ("role", "user_id", "recipient_id"))
    assert response.json["errors"][extra] == ["Ce champ n'est pas accepté."]


def test_patching_a_post_cannot_change_its_author_or_role(api, make_user, forum_objects):
    if not forum_objects:
        pytest.skip("forums not available")
    from achats.forums.models import Post
    from achats.platform.extensions import db

    author = db.session.get(Post, forum_objects["post_id"]).author
    response = api(author).patch(f"/posts/{forum_objects['post_id']}",
                                 json={"body": "Corrigé", "role": "admin", "author_id": make_user().id})
    assert response.status_code == 422
    assert api(author).get("/me").json["role"] == "member"


def test_html_forms_ignore_role_and_status_fields(client, csrf, db, mailbox, login, make_user):
    from achats.auth.models import User

    client.post("/compte/inscription", data={
        "csrf_token": csrf(), "name": "Eve Pirate", "email": "eve@mairie-test.fr", "organisation_name": "Commune X",
        "organisation_kind": "commune", "siret": "21390000400010", "departement": "39",
        "password": "cheval agrafe batterie correcte", "accept": "y",
        "role": "admin", "status": "active", "approved_by_id": "1"})
    eve = db.session.scalar(select(User).where(User.email == "eve@mairie-test.fr"))
    assert eve.role == "member" and eve.status == "unconfirmed" and eve.approved_by_id is None

    member = make_user()
    login(member)
    client.post("/compte/profil", data={"csrf_token": csrf(), "name": "Membre", "role": "admin",
                                        "status": "active", "organisation_id": "999"})
    db.session.expire_all()
    fresh = db.session.get(User, member.id)
    assert fresh.role == "member" and fresh.organisation_id == member.organisation_id
