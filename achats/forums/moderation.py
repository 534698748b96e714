"""Posts, threads and flags as moderation targets (POST /moderation/actions) and the flags section
of the queue. Every action calls the service the pages call, which asks `can_moderate_category`:
the agency's moderators everywhere, a category's own moderators in their category."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from achats.forums import permissions as perms
from achats.forums import services
from achats.forums.models import Category, Post, Thread
from achats.forums.services.content import author_name, excerpt
from achats.forums.services.stats import post_path, thread_path
from achats.platform.db import utcnow
from achats.platform.features import ModerationTarget, QueueSection
from achats.platform.ids import valid_id
from achats.platform.moderation import Invalid, NotFound, Refused
from achats.platform.moderation.audit import audit
from achats.platform.moderation.models import Flag, FlagReason, FlagStatus

THREAD_ACTIONS: dict[str, dict[str, bool]] = {
    "hide": {"hidden": True}, "restore": {"hidden": False},
    "lock": {"locked": True}, "unlock": {"locked": False},
    "pin": {"pinned": True}, "unpin": {"pinned": False},
    "archive": {"archived": True}, "unarchive": {"archived": False},
}


def act_on_post(session: Session, actor: Any, request: Any) -> dict[str, Any]:
    """hide, restore."""
    post = session.get(Post, request.target_id) if valid_id(request.target_id) else None
    if post is None or not perms.can_view_post(actor, post):
        raise NotFound("Ce message n'existe pas.")  # a hidden post does not exist for who may not see it
    try:
        if request.action == "hide":
            services.hide_post(session, actor, post, request.reason)
        else:
            services.restore_post(session, actor, post, request.reason)
    except services.NotAllowed as exc:
        raise Refused(str(exc)) from None
    return {"hidden": post.hidden, "deleted": post.deleted_at is not None, "thread_id": post.thread_id}


def act_on_thread(session: Session, actor: Any, request: Any) -> dict[str, Any]:
    """hide/restore, lock/unlock, pin/unpin, archive/unarchive, move (with category_id)."""
    thread = session.get(Thread, request.target_id) if valid_id(request.target_id) else None
    if thread is None or not perms.can_read_thread(actor, thread):
        raise NotFound("Ce sujet n'existe pas.")
    try:
        if request.action == "move":
            if request.category_id is None:
                raise Invalid("Indiquez la catégorie de destination (category_id).", "category_id")
            category = session.get(Category, request.category_id) if valid_id(request.category_id) else None
            if category is None:
                raise Invalid("Catégorie inconnue.", "category_id")
            services.move_thread(session, actor, thread, category, request.reason)
        else:
            services.set_thread_flags(session, actor, thread, reason=request.reason, **THREAD_ACTIONS[request.action])
    except services.NotAllowed as exc:
        raise Refused(str(exc)) from None
    return {"pinned": thread.pinned, "locked": thread.locked, "archived": thread.archived,
            "hidden": thread.hidden, "category_id": thread.category_id}


def _flagged_post(session: Session, flag: Flag) -> Post | None:
    if flag.target_type != "post" or not valid_id(flag.target_id):
        return None
    return session.get(Post, flag.target_id)


def act_on_flag(session: Session, actor: Any, request: Any) -> dict[str, Any]:
    """dismiss (the content stays): whoever may moderate the flagged post's category."""
    flag = session.get(Flag, request.target_id) if valid_id(request.target_id) else None
    post = _flagged_post(session, flag) if flag is not None else None
    if flag is None or (post is None and not perms.is_moderator(actor)):
        raise NotFound("Ce signalement n'existe pas.")
    if post is not None and not perms.can_moderate_category(actor, post.thread.category):
        raise Refused("Réservé à la modération de cette catégorie.")
    if flag.status == FlagStatus.OPEN:
        flag.status = FlagStatus.DISMISSED
        flag.handled_by_id = actor.id
        flag.handled_at = utcnow()
        flag.resolution = request.reason or "Signalement écarté"
        audit(session, "moderation.flag.dismiss", actor=actor, target_type="flag", target_id=flag.id)
    return {"status": str(flag.status)}


def flags_queue(session: Session, actor: Any) -> list[dict[str, Any]]:
    """Open flags the actor may handle, oldest first, with the flagged post's context."""
    flags = list(session.scalars(
        select(Flag).where(Flag.status == FlagStatus.OPEN).order_by(Flag.created_at, Flag.id).limit(500)
    ))
    post_ids = [f.target_id for f in flags if f.target_type == "post" and valid_id(f.target_id)]
    posts = {
        p.id: p for p in session.scalars(select(Post).where(Post.id.in_(post_ids)).options(joinedload(Post.thread)))
    } if post_ids else {}
    items = []
    for f in flags:
        post = posts.get(f.target_id) if f.target_type == "post" else None
        if post is not None and not perms.can_moderate_category(actor, post.thread.category):
            continue
        if post is None and not perms.is_moderator(actor):
            continue
        item: dict[str, Any] = {
            "id": f.id, "target_type": f.target_type, "target_id": f.target_id, "reason": str(f.reason),
            "reason_label": FlagReason(f.reason).label, "detail": f.detail,
            "created_at": f.created_at.isoformat(),
            "reporter": {"id": f.reporter.id, "name": f.reporter.name} if f.reporter is not None else None,
        }
        if post is not None:
            item["post"] = {
                "id": post.id, "thread_id": post.thread_id, "thread_title": post.thread.title,
                "number": post.number, "excerpt": excerpt(post.body), "author": author_name(post.author),
                "hidden": post.hidden, "url": post_path(post),
            }
            item["url"] = post_path(post)
        elif f.target_type == "thread":
            item["url"] = thread_path(f.target_id)
        items.append(item)
        if len(items) >= 200:
            break
    return items


def moderation_targets() -> list[ModerationTarget]:
    return [
        ModerationTarget("post", "un message", ("hide", "restore"), act_on_post),
        ModerationTarget("thread", "un sujet", (*THREAD_ACTIONS, "move"), act_on_thread),
        ModerationTarget("flag", "un signalement", ("dismiss",), act_on_flag),
    ]


def queue_sections() -> list[QueueSection]:
    return [QueueSection("flags", "Signalements", flags_queue, perms.moderates_something)]
