"""Moderation of forum content: thread states, moves, hiding posts, flags and the review queue."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.forums import permissions as perms
from achats.forums.models import Category, DeskStatus, Post, Thread, ThreadKind
from achats.forums.services.content import clean_text
from achats.forums.services.errors import AlreadyFlagged, InvalidInput, NotAllowed
from achats.forums.services.posting import _require_writer
from achats.forums.services.stats import refresh_thread_stats
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.moderation.audit import audit
from achats.platform.moderation.models import Flag, FlagReason, FlagStatus

_FLAG_FIELDS = ("pinned", "locked", "archived", "hidden")


def set_thread_flags(session: Session, moderator: User, thread: Thread, *, pinned: bool | None = None,
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
            record(session, "thread_changed", thread=thread)
    session.flush()
    return thread


def move_thread(session: Session, moderator: User, thread: Thread, category: Category,
                reason: str | None = None) -> Thread:
    """Move a thread to another category; into the desk, a question becomes a new desk question."""
    if category is None:
        raise InvalidInput("category_id", "Catégorie inconnue.")
    if not perms.can_move_thread(moderator, thread, category):
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
    record(session, "thread_changed", thread=thread)
    record(session, "thread_moved", thread=thread, entering_desk=entering_desk)
    return thread


def _set_post_hidden(session: Session, moderator: User, post: Post, hidden: bool, reason: str | None) -> Post:
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
    record(session, "post_moderated", post=post)
    return post


def hide_post(session: Session, moderator: User, post: Post, reason: str | None = None) -> Post:
    return _set_post_hidden(session, moderator, post, True, reason)


def restore_post(session: Session, moderator: User, post: Post, reason: str | None = None) -> Post:
    """Undo a moderator's hiding (and a withdrawal, when a moderator restores it)."""
    if post.deleted_at is not None and perms.can_moderate_category(moderator, post.thread.category):
        post.deleted_at = None
        audit(session, "forum.post.undelete", actor=moderator, target_type="post", target_id=post.id,
              reason=reason or None)
        refresh_thread_stats(session, post.thread)
        record(session, "post_moderated", post=post)
    return _set_post_hidden(session, moderator, post, False, reason)


def flag_post(session: Session, reporter: User, post: Post, reason: str, detail: str | None = None) -> Flag:
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
