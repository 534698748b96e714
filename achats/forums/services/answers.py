"""Questions and answers: accepted answers, the desk's hand-over, "à jour au", "à revoir", reactions."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.forums import permissions as perms
from achats.forums.models import (
    Bookmark,
    DeskStatus,
    Post,
    Reaction,
    Thread,
    ThreadWatch,
    WatchLevel,
)
from achats.forums.services.content import check_up_to_date
from achats.forums.services.errors import InvalidInput, NotAllowed
from achats.forums.services.posting import _require_writer
from achats.forums.services.stats import refresh_thread_stats
from achats.platform.db import utcnow
from achats.platform.events import record


def accept_post(session: Session, actor: User, post: Post) -> Post:
    """Mark an answer as accepted (several may be); the thread becomes solved."""
    _require_writer(actor)
    thread = post.thread
    if thread.kind != "question" or post.number == 1:
        raise InvalidInput("post", "Seules les réponses à une question peuvent être acceptées.")
    if not perms.can_accept(actor, post):
        raise NotAllowed("Seuls l'auteur de la question, les experts et les modérateurs acceptent une réponse.")
    if post.accepted:
        return post
    post.accepted = True
    post.accepted_by_id = actor.id
    post.accepted_at = utcnow()
    refresh_thread_stats(session, thread)
    record(session, "answer_accepted", post=post, actor=actor)
    return post


def unaccept_post(session: Session, actor: User, post: Post) -> Post:
    _require_writer(actor)
    if not perms.can_accept(actor, post):
        raise NotAllowed("Seuls l'auteur de la question, les experts et les modérateurs gèrent les réponses acceptées.")
    if not post.accepted:
        return post
    post.accepted = False
    post.accepted_by_id = None
    post.accepted_at = None
    refresh_thread_stats(session, post.thread)
    return post


def take_question(session: Session, expert: User, thread: Thread) -> Thread:
    """An expert takes a desk question: status "prise en charge", the asker is told (and mailed)."""
    _require_writer(expert)
    if not perms.can_take_question(expert, thread):
        raise NotAllowed("Seuls les experts du guichet vert prennent en charge une question nouvelle.")
    thread.assigned_expert_id = expert.id
    thread.assigned_expert = expert
    thread.taken_at = utcnow()
    if thread.desk_status in (None, DeskStatus.NEW):
        thread.desk_status = DeskStatus.TAKEN
    session.flush()
    record(session, "question_taken", thread=thread, expert=expert)
    return thread


def set_up_to_date(session: Session, actor: User, post: Post, on: date | None) -> Post:
    """Date-stamp an answer ("à jour au"); a fresh date clears its "à revoir" mark."""
    _require_writer(actor)
    if not perms.can_set_up_to_date(actor, post):
        raise NotAllowed("Seuls les experts et les modérateurs datent une réponse.")
    check_up_to_date(on)
    changed = on != post.up_to_date_on
    post.up_to_date_on = on
    if changed and on is not None and post.needs_review:
        post.needs_review = False
        post.review_marked_by_id = actor.id
        post.review_marked_at = utcnow()
    session.flush()
    return post


def mark_needs_review(session: Session, actor: User, post: Post, needs_review: bool) -> Post:
    """Flag an answer "à revoir" when the law has changed (or clear the flag)."""
    _require_writer(actor)
    if not perms.can_mark_review(actor, post):
        raise NotAllowed("Seuls les experts et les modérateurs marquent une réponse « à revoir ».")
    if post.needs_review != bool(needs_review):
        post.needs_review = bool(needs_review)
        post.review_marked_by_id = actor.id
        post.review_marked_at = utcnow()
        session.flush()
    return post


def toggle_useful(session: Session, user: User, post: Post) -> bool:
    """Add or remove the user's "utile" on a post; returns whether it is now marked useful."""
    _require_writer(user)
    if not perms.can_react(user, post):
        raise NotAllowed("Vous ne pouvez pas marquer ce message comme utile.")
    existing = session.get(Reaction, (post.id, user.id))
    if existing is not None:
        session.delete(existing)
        now_useful = False
    else:
        try:
            with session.begin_nested():
                session.add(Reaction(post_id=post.id, user_id=user.id))
        except IntegrityError:
            pass  # a double click raced us: it is marked either way
        now_useful = True
    session.flush()
    post.useful_count = session.scalar(select(func.count()).select_from(Reaction).where(Reaction.post_id == post.id)) or 0
    session.flush()
    return now_useful


def toggle_bookmark(session: Session, user: User, post: Post) -> bool:
    """Add or remove a bookmark; returns whether the post is now bookmarked."""
    _require_writer(user)
    if not perms.can_bookmark(user, post):
        raise NotAllowed()
    existing = session.get(Bookmark, (user.id, post.id))
    if existing is not None:
        session.delete(existing)
        session.flush()
        return False
    try:
        with session.begin_nested():
            session.add(Bookmark(user_id=user.id, post_id=post.id))
    except IntegrityError:
        pass
    return True


def set_watch(session: Session, user: User, thread: Thread, level: str | WatchLevel) -> ThreadWatch:
    """Set the user's notification level on a thread (watching, tracking, normal, muted)."""
    _require_writer(user)
    if not perms.can_watch(user, thread):
        raise NotAllowed()
    try:
        level = WatchLevel(level)
    except ValueError:
        raise InvalidInput("level", "Niveau inconnu : watching, tracking, normal ou muted.") from None
    watch = session.get(ThreadWatch, (user.id, thread.id))
    if watch is None:
        watch = ThreadWatch(user_id=user.id, thread_id=thread.id, level=level)
        session.add(watch)
    else:
        watch.level = level
        watch.updated_at = utcnow()
    session.flush()
    return watch


def watch_level(session: Session, user: User, thread: Thread) -> WatchLevel:
    watch = session.get(ThreadWatch, (user.id, thread.id))
    return WatchLevel(watch.level) if watch is not None else WatchLevel.NORMAL


def bookmarks_query(user: User) -> Any:
    """The user's bookmarks, newest first (a Select to paginate)."""
    return select(Bookmark).where(Bookmark.user_id == user.id).order_by(Bookmark.created_at.desc())


def clear_reactions_of(session: Session, post: Post) -> None:
    session.execute(delete(Reaction).where(Reaction.post_id == post.id))
