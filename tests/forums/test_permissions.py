"""Who may do what: each rule as a role × action table on the predicates, and the same table over HTTP."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from achats.forums import permissions as perms
from achats.forums import services
from achats.forums.models import Post
from tests.forums.helpers import *  # noqa: F403

ROLES = ("pending", "member", "author", "expert", "moderator", "category_moderator", "admin")


@pytest.fixture
def world(db: Any, forum: Any, make_user: Any, make_thread: Any, make_post: Any) -> SimpleNamespace:
    """One account per role, an open question with a reply by `author`, and the other thread states."""
    users = {
        "pending": make_user(status="pending"),
        "member": make_user(),
        "author": make_user(),
        "expert": make_user(role="expert"),
        "moderator": make_user(role="moderator"),
        "category_moderator": make_user(),
        "admin": make_user(role="admin"),
    }
    forum.general.moderators.append(users["category_moderator"])
    db.session.commit()
    asker = make_user()
    question = make_thread(asker, kind="question")
    reply = make_post(users["author"], question, body="Réponse de l'auteur")
    old_reply = make_post(users["author"], question, body="Réponse ancienne")
    old_reply.created_at -= timedelta(hours=1)
    asked_by_author = make_thread(users["author"], kind="question")
    peer_answer = make_post(asker, asked_by_author)
    locked = make_thread(asker)
    archived = make_thread(asker)
    hidden = make_thread(asker)
    desk = make_thread(asker, category=forum.desk, kind="question")
    staff = make_user(role="moderator")
    services.set_thread_flags(db.session, staff, locked, locked=True)
    services.set_thread_flags(db.session, staff, archived, archived=True)
    services.set_thread_flags(db.session, staff, hidden, hidden=True)
    db.session.commit()
    return SimpleNamespace(users=users, question=question, reply=reply, old_reply=old_reply, locked=locked,
                           archived=archived, hidden=hidden, desk=desk, asked_by_author=asked_by_author,
                           peer_answer=peer_answer, forum=forum)


def opening(db: Any, thread: Any) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))


# action -> (predicate call on the world, allowed roles)
RULES: dict[str, tuple[Any, set[str]]] = {
    "read_thread": (lambda w, u: perms.can_read_thread(u, w.question), set(ROLES)),
    "read_hidden_thread": (lambda w, u: perms.can_read_thread(u, w.hidden),
                           {"moderator", "category_moderator", "admin"}),
    "create_thread": (lambda w, u: perms.can_create_thread(u, w.forum.general), set(ROLES) - {"pending"}),
    "post": (lambda w, u: perms.can_post(u, w.question), set(ROLES) - {"pending"}),
    "post_locked": (lambda w, u: perms.can_post(u, w.locked), {"moderator", "category_moderator", "admin"}),
    "post_archived": (lambda w, u: perms.can_post(u, w.archived), set()),
    "edit_post": (lambda w, u: perms.can_edit_post(u, w.reply), {"author", "moderator", "category_moderator", "admin"}),
    "delete_post_in_grace": (lambda w, u: perms.can_delete_post(u, w.reply),
                             {"author", "moderator", "category_moderator", "admin"}),
    "delete_post_after_grace": (lambda w, u: perms.can_delete_post(u, w.old_reply),
                                {"moderator", "category_moderator", "admin"}),
    "accept_on_own_question": (lambda w, u: perms.can_accept(u, w.peer_answer),
                               {"author", "expert", "moderator", "category_moderator", "admin"}),
    "take_question": (lambda w, u: perms.can_take_question(u, w.desk), {"expert", "moderator", "admin"}),
    "mark_review": (lambda w, u: perms.can_mark_review(u, w.reply), {"expert", "moderator", "admin"}),
    "flag": (lambda w, u: perms.can_flag(u, w.reply), set(ROLES) - {"pending", "author"}),
    "react": (lambda w, u: perms.can_react(u, w.reply), set(ROLES) - {"pending", "author"}),
    "watch": (lambda w, u: perms.can_watch(u, w.question), set(ROLES) - {"pending"}),
    "view_desk_stats": (lambda w, u: perms.can_view_desk_stats(u), {"expert", "moderator", "admin"}),
    "moderate_category": (lambda w, u: perms.can_moderate_category(u, w.forum.general),
                          {"moderator", "category_moderator", "admin"}),
}

TABLE = [(action, role, role in allowed) for action, (_, allowed) in RULES.items() for role in ROLES]


@pytest.mark.parametrize("action", list(RULES))
def test_permission_table(world, action):
    check, allowed = RULES[action]
    for role in ROLES:
        assert check(world, world.users[role]) is (role in allowed), (action, role)


def test_anonymous_may_do_nothing(world):
    from flask_login import AnonymousUserMixin

    anonymous = AnonymousUserMixin()
    for action, (check, _) in RULES.items():
        assert not check(world, anonymous), action


# --- the same rules over HTTP ------------------------------------------------------------------


def http_call(world: Any, db: Any, client: Any, action: str) -> Any:
    w = world
    if action == "read_thread":
        return client.get(f"/threads/{w.question.id}")
    if action == "read_hidden_thread":
        return client.get(f"/threads/{w.hidden.id}")
    if action == "create_thread":
        return client.post("/threads", json={"category_id": w.forum.general.id, "title": "Un sujet de permission",
                                             "body": "Texte"})
    if action == "post":
        return client.post(f"/threads/{w.question.id}/posts", json={"body": "Réponse"})
    if action == "post_locked":
        return client.post(f"/threads/{w.locked.id}/posts", json={"body": "Réponse"})
    if action == "post_archived":
        return client.post(f"/threads/{w.archived.id}/posts", json={"body": "Réponse"})
    if action == "edit_post":
        return client.patch(f"/posts/{w.reply.id}", json={"body": "Texte modifié", "reason": "test"})
    if action == "delete_post_in_grace":
        return client.delete(f"/posts/{w.reply.id}")
    if action == "delete_post_after_grace":
        return client.delete(f"/posts/{w.old_reply.id}")
    if action == "accept_on_own_question":
        return client.post(f"/posts/{w.peer_answer.id}/accept")
    if action == "take_question":
        return client.post(f"/threads/{w.desk.id}/take")
    if action == "mark_review":
        return client.patch(f"/posts/{w.reply.id}", json={"needs_review": True})
    if action == "flag":
        return client.post(f"/posts/{w.reply.id}/flags", json={"reason": "other"})
    if action == "react":
        return client.post(f"/posts/{w.reply.id}/useful")
    if action == "watch":
        return client.put(f"/threads/{w.question.id}/watch", json={"level": "watching"})
    if action == "view_desk_stats":
        return client.get("/desk/stats")
    if action == "moderate_category":
        return client.post("/moderation/actions", json={"action": "pin", "target_type": "thread",
                                                        "target_id": w.question.id, "reason": "test"})
    raise AssertionError(action)


# A refusal is 403, except what one may not see (404) and a closed thread (409).
REFUSAL = {"read_hidden_thread": 404, "post_locked": 409, "post_archived": 409}
# Known differences between the predicate and the HTTP entry point.
HTTP_EXCEPTIONS = {
    # A pending account is told it cannot write yet, before anything about the thread's state.
    ("post_locked", "pending"): 403,
    ("post_archived", "pending"): 403,
}


@pytest.mark.parametrize("action,role,allowed", TABLE)
def test_permission_table_over_http(world, db, api, action, role, allowed):
    response = http_call(world, db, api(world.users[role]), action)
    expected = HTTP_EXCEPTIONS.get((action, role))
    if expected is not None:
        assert response.status_code == expected
    elif allowed:
        assert response.status_code in (200, 201), (action, role, response.get_json())
    else:
        assert response.status_code == REFUSAL.get(action, 403), (action, role, response.get_json())
        assert response.mimetype == "application/problem+json" and response.get_json()["detail"]


def test_post_actions_agree_with_each_predicate(db: Any, world: Any, make_user: Any) -> None:
    # The thread page asks post_actions() once per post instead of six predicates: same answers,
    # for every role and post state (own, others', in grace or not, opening, hidden, withdrawn).
    hidden_post = services.get_post(db.session, world.peer_answer.id, world.users["moderator"])
    posts = [world.reply, world.old_reply, world.peer_answer, opening(db, world.question),
             opening(db, world.locked), opening(db, world.archived), opening(db, world.desk)]
    withdrawn = posts[0]
    predicates = [getattr(perms, f"can_{name}") for name in perms.POST_ACTIONS]
    users = [*world.users.values(), None, make_user(status="suspended")]
    for post in [*posts, hidden_post]:
        for user in users:
            assert perms.post_actions(user, post) == tuple(bool(p(user, post)) for p in predicates), (user, post)
    withdrawn.deleted_at = withdrawn.created_at
    hidden_post.hidden = True
    for post in (withdrawn, hidden_post):
        for user in users:
            assert perms.post_actions(user, post) == tuple(bool(p(user, post)) for p in predicates), (user, post)
    db.session.rollback()
