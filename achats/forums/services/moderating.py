"""Moderation of forum content: thread states, moves, hiding posts, flags and the review queue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from achats.forums import permissions as perms
from achats.forums.models import Category, DeskStatus, Post, Thread, ThreadKind
from achats.forums.services.content import author_name, clean_text, excerpt
from achats.forums.services.errors import AlreadyFlagged, InvalidInput, NotAllowed
from achats.forums.services.notifying import notify_new_post
from achats.forums.services.posting import _require_writer
from achats.forums.services.stats import (
    index_post,
    post_path,
    refresh_thread_stats,
    thread_path,
    valid_id,
)
from achats.platform import search
from achats.platform.db import utcnow
from achats.platform.moderation.audit import audit
from achats.platform.moderation.models import Flag, FlagReason, FlagStatus

_FLAG_FIELDS = ("pinned", "locked", "archived", "hidden")


def set_thread_flags(session: Session, moderator: Any, thread: Thread, *, pinned: bool | None = None,
                     locked: bool | None = None, archived: bool | None = None, hidden: bool | None = None,
                     reason: str | None = None) -> Thread:
    """Pin, lock, archive or hide a thread (None leaves a flag as it is); each change is audited."""
    if not perms.can_moderate_category(moderator, thread.category):
        raise NotAllowed("Réservé à la modération.")
    wanted = {"pinned": pinned, "locked": locked, "archived": archived, "hidden": hidden}
    for name in _FLAG_FIELDS:
        value = wanted[name]
        if value is None or bool(getattr(thread, name)) == bool(value):
            continue
        setattr(thread, name, bool(value))
        audit(session, f"forum.thread.{name}" if value else f"forum.thread.un{name}", actor=moderator,
              target_type="thread", target_id=thread.id, reason=reason or None)
        if name == "hidden":
            search.update_thread_fields(session, thread.id, visible=not value)
    session.flush()
    return thread


def move_thread(session: Session, moderator: Any, thread: Thread, category: Category,
                reason: str | None = None) -> Thread:
    """Move a thread to another category; into the desk, a question becomes a new desk question."""
    if category is None:
        raise InvalidInput("category_id", "Catégorie inconnue.")
    if not (perms.can_moderate_category(moderator, thread.category)
            and perms.can_moderate_category(moderator, category)):
        raise NotAllowed("Réservé à la modération.")
    if category.id == thread.category_id:
        return thread
    previous = thread.category_id
    thread.category_id = category.id
    thread.category = category
    entering_desk = category.is_desk and thread.desk_status is None
    if category.is_desk:
        thread.kind = ThreadKind.QUESTION
        if thread.desk_status is None:
            thread.desk_status = DeskStatus.NEW
    else:
        thread.desk_status = None
    audit(session, "forum.thread.move", actor=moderator, target_type="thread", target_id=thread.id,
          from_category=previous, to_category=category.id, reason=reason or None)
    refresh_thread_stats(session, thread)
    search.update_thread_fields(session, thread.id, category_id=category.id)
    if entering_desk:
        opening = session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))
        if opening is not None:
            notify_new_post(session, thread, opening, [], new_question=True)
    return thread


def _set_post_hidden(session: Session, moderator: Any, post: Post, hidden: bool, reason: str | None) -> Post:
    if not perms.can_moderate_category(moderator, post.thread.category):
        raise NotAllowed("Réservé à la modération.")
    if post.hidden == hidden:
        return post
    post.hidden = hidden
    audit(session, "forum.post.hide" if hidden else "forum.post.restore", actor=moderator,
          target_type="post", target_id=post.id, reason=reason or None)
    if hidden:
        # The reports on this post are settled by hiding it.
        session.execute(
            update(Flag)
            .where(Flag.target_type == "post", Flag.target_id == post.id, Flag.status == FlagStatus.OPEN)
            .values(status=FlagStatus.UPHELD, handled_by_id=moderator.id, handled_at=utcnow(),
                    resolution=reason or "Message masqué")
            .execution_options(synchronize_session=False)
        )
    refresh_thread_stats(session, post.thread)
    index_post(session, post.thread, post)
    return post


def hide_post(session: Session, moderator: Any, post: Post, reason: str | None = None) -> Post:
    return _set_post_hidden(session, moderator, post, True, reason)


def restore_post(session: Session, moderator: Any, post: Post, reason: str | None = None) -> Post:
    """Undo a moderator's hiding (and a withdrawal, when a moderator restores it)."""
    if post.deleted_at is not None and perms.can_moderate_category(moderator, post.thread.category):
        post.deleted_at = None
        audit(session, "forum.post.undelete", actor=moderator, target_type="post", target_id=post.id,
              reason=reason or None)
        refresh_thread_stats(session, post.thread)
        index_post(session, post.thread, post)
    return _set_post_hidden(session, moderator, post, False, reason)


def flag_post(session: Session, reporter: Any, post: Post, reason: str, detail: str | None = None) -> Flag:
    """Report a post to the moderators; one report per person and post."""
    _require_writer(reporter)
    if not perms.can_flag(reporter, post):
        raise NotAllowed("Vous ne pouvez pas signaler ce message.")
    try:
        reason = FlagReason(reason)
    except ValueError:
        raise InvalidInput("reason", "Motif inconnu.") from None
    detail = clean_text(detail)[:1000] or None
    existing = session.scalar(select(Flag.id).where(
        Flag.target_type == "post", Flag.target_id == post.id, Flag.reporter_id == reporter.id))
    if existing is not None:
        raise AlreadyFlagged()
    flag = Flag(target_type="post", target_id=post.id, reporter_id=reporter.id, reason=reason, detail=detail)
    try:
        with session.begin_nested():
            session.add(flag)
    except IntegrityError:
        raise AlreadyFlagged() from None
    return flag


# --- the platform's moderation entry point ---------------------------------------------------


def _api_error(status: int, detail: str, field: str | None = None) -> Exception:
    from achats.platform.api import ApiError

    return ApiError(status, detail, errors={field: [detail]} if field else None)


def post_action(session: Session, actor: Any, body: Any) -> dict[str, Any]:
    """POST /moderation/actions on a post: hide, restore."""
    post = session.get(Post, body.target_id) if valid_id(body.target_id) else None
    if post is None:
        raise _api_error(404, "Ce message n'existe pas.")
    try:
        if body.action == "hide":
            hide_post(session, actor, post, body.reason)
        elif body.action == "restore":
            restore_post(session, actor, post, body.reason)
        else:
            raise _api_error(422, "Action impossible sur un message : hide ou restore.", "action")
    except NotAllowed as exc:
        raise _api_error(403, str(exc)) from None
    return {"hidden": post.hidden, "deleted": post.deleted_at is not None, "thread_id": post.thread_id}


_THREAD_ACTIONS = {
    "hide": {"hidden": True}, "restore": {"hidden": False},
    "lock": {"locked": True}, "unlock": {"locked": False},
    "pin": {"pinned": True}, "unpin": {"pinned": False},
    "archive": {"archived": True}, "unarchive": {"archived": False},
}


def thread_action(session: Session, actor: Any, body: Any) -> dict[str, Any]:
    """POST /moderation/actions on a thread: hide/restore, lock/unlock, pin/unpin, archive/unarchive, move."""
    thread = session.get(Thread, body.target_id) if valid_id(body.target_id) else None
    if thread is None:
        raise _api_error(404, "Ce sujet n'existe pas.")
    try:
        if body.action == "move":
            if body.category_id is None:
                raise _api_error(422, "Indiquez la catégorie de destination (category_id).", "category_id")
            category = session.get(Category, body.category_id) if valid_id(body.category_id) else None
            if category is None:
                raise _api_error(422, "Catégorie inconnue.", "category_id")
            move_thread(session, actor, thread, category, body.reason)
        elif body.action in _THREAD_ACTIONS:
            set_thread_flags(session, actor, thread, reason=body.reason, **_THREAD_ACTIONS[body.action])
        else:
            raise _api_error(422, "Action impossible sur un sujet.", "action")
    except NotAllowed as exc:
        raise _api_error(403, str(exc)) from None
    return {"pinned": thread.pinned, "locked": thread.locked, "archived": thread.archived,
            "hidden": thread.hidden, "category_id": thread.category_id}


def flag_action(session: Session, actor: Any, body: Any) -> dict[str, Any]:
    """POST /moderation/actions on a flag: dismiss (the content stays)."""
    flag = session.get(Flag, body.target_id) if valid_id(body.target_id) else None
    if flag is None:
        raise _api_error(404, "Ce signalement n'existe pas.")
    if body.action != "dismiss":
        raise _api_error(422, "Action impossible sur un signalement : dismiss.", "action")
    if flag.status == FlagStatus.OPEN:
        flag.status = FlagStatus.DISMISSED
        flag.handled_by_id = actor.id
        flag.handled_at = utcnow()
        flag.resolution = body.reason or "Signalement écarté"
        audit(session, "moderation.flag.dismiss", actor=actor, target_type="flag", target_id=flag.id)
    return {"status": str(flag.status)}


def flags_queue(session: Session, actor: Any) -> list[dict[str, Any]]:
    """Open flags, oldest first, with the flagged post's context (two queries)."""
    flags = list(session.scalars(
        select(Flag).where(Flag.status == FlagStatus.OPEN).order_by(Flag.created_at, Flag.id).limit(200)
    ))
    post_ids = [f.target_id for f in flags if f.target_type == "post" and valid_id(f.target_id)]
    posts = {
        p.id: p for p in session.scalars(select(Post).where(Post.id.in_(post_ids)).options(joinedload(Post.thread)))
    } if post_ids else {}
    items = []
    for f in flags:
        item: dict[str, Any] = {
            "id": f.id, "target_type": f.target_type, "target_id": f.target_id, "reason": str(f.reason),
            "reason_label": FlagReason(f.reason).label, "detail": f.detail,
            "created_at": f.created_at.isoformat(),
            "reporter": {"id": f.reporter.id, "name": f.reporter.name} if f.reporter is not None else None,
        }
        post = posts.get(f.target_id) if f.target_type == "post" else None
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
    return items
