"""One rule, one place: the moderation pages and POST /moderation/actions ask the same predicate.

A role × action table, each cell driven through the HTML form and through the JSON API, and both
compared with `can_moderate_category` (a category's own moderator acts in that category only)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.forums.helpers import *  # noqa: F403  (forum, make_thread, make_post, count_queries)

ROLES = ("member", "expert", "category_moderator", "other_category_moderator", "moderator", "admin")
ACTIONS = ("hide_post", "restore_post", "lock", "pin", "hide_thread", "move")
ALLOWED = {
    # The agency's staff act everywhere; a category moderator in their category (move: both ends).
    "moderator": set(ACTIONS), "admin": set(ACTIONS),
    "category_moderator": {"hide_post", "restore_post", "lock", "pin", "hide_thread"},
}


@pytest.fixture
def scene(db: Any, forum: Any, make_user: Any, make_thread: Any, make_post: Any) -> SimpleNamespace:
    """Accounts of every role, and two threads of the general category (one for the form, one for
    the API), each with a reply."""
    from achats.forums.models import CategoryModerator

    users = {role: make_user(role=role if role in ("expert", "moderator", "admin") else "member") for role in ROLES}
    db.session.add(CategoryModerator(category_id=forum.general.id, user_id=users["category_moderator"].id))
    db.session.add(CategoryModerator(category_id=forum.energy.id, user_id=users["other_category_moderator"].id))
    db.session.commit()
    targets = []
    for n in range(2):
        thread = make_thread(make_user(), category=forum.general, title=f"Un sujet à modérer n°{n}")
        targets.append(SimpleNamespace(thread=thread, post=make_post(make_user(), thread, body="À modérer.")))
    return SimpleNamespace(users=users, html=targets[0], api=targets[1], destination=forum.energy)


def _prepare(db: Any, target: SimpleNamespace, action: str) -> None:
    if action == "restore_post":
        target.post.hidden = True
        db.session.commit()


def _took_effect(db: Any, target: SimpleNamespace, destination: Any, action: str) -> bool:
    db.session.expire_all()
    return {
        "hide_post": lambda: target.post.hidden, "restore_post": lambda: not target.post.hidden,
        "lock": lambda: target.thread.locked, "pin": lambda: target.thread.pinned,
        "hide_thread": lambda: target.thread.hidden, "move": lambda: target.thread.category_id == destination.id,
    }[action]()


def _html(client: Any, csrf: Any, target: SimpleNamespace, destination: Any, action: str) -> Any:
    token = csrf()
    if action in ("hide_post", "restore_post"):
        return client.post(f"/forums/messages/{target.post.id}/moderation",
                           data={"csrf_token": token, "action": action.split("_")[0], "raison": "test"})
    if action == "move":
        return client.post(f"/forums/sujets/{target.thread.id}/deplacer",
                           data={"csrf_token": token, "category": str(destination.id)})
    return client.post(f"/forums/sujets/{target.thread.id}/moderation",
                       data={"csrf_token": token, "action": {"hide_thread": "hide"}.get(action, action)})


def _api(client: Any, target: SimpleNamespace, destination: Any, action: str) -> Any:
    if action in ("hide_post", "restore_post"):
        body = {"action": action.split("_")[0], "target_type": "post", "target_id": target.post.id}
    elif action == "move":
        body = {"action": "move", "target_type": "thread", "target_id": target.thread.id,
                "category_id": destination.id}
    else:
        body = {"action": {"hide_thread": "hide"}.get(action, action), "target_type": "thread",
                "target_id": target.thread.id}
    return client.post("/moderation/actions", json={**body, "reason": "test"})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_pages_and_api_ask_the_same_predicate(db, scene, client, csrf, login, api, role, action) -> None:
    from achats.forums import permissions as perms

    user = scene.users[role]
    expected = action in ALLOWED.get(role, set())
    predicate = perms.can_moderate_category(user, scene.html.thread.category) and (
        action != "move" or perms.can_moderate_category(user, scene.destination))
    assert predicate is expected  # the table is the predicate's

    _prepare(db, scene.html, action)
    login(user)
    page = _html(client, csrf, scene.html, scene.destination, action)
    assert (page.status_code == 302) is expected, page.status_code
    # A refusal is 403, or 404 where the target is hidden from the actor (it does not exist for them).
    refusal = 404 if action == "restore_post" and not perms.can_view_post(user, scene.html.post) else 403
    if not expected:
        assert page.status_code == refusal
    assert _took_effect(db, scene.html, scene.destination, action) is expected

    _prepare(db, scene.api, action)
    response = _api(api(user), scene.api, scene.destination, action)
    assert (response.status_code == 200) is expected, (response.status_code, response.get_json())
    if not expected:
        assert response.status_code == refusal and response.mimetype == "application/problem+json"
    assert _took_effect(db, scene.api, scene.destination, action) is expected
