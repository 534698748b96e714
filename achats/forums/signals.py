"""The forums' side of platform hooks: personal-data export, account deletion, search reindexing."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from achats.auth.models import User
from achats.forums.models import Post, PostRevision, Thread
from achats.forums.services.content import DELETED_AUTHOR, render_post
from achats.forums.services.stats import index_post, index_thread, post_path


def export_posts(session: Session, user: User) -> list[dict[str, Any]]:
    """My posts, for the self-service export of personal data."""
    rows = session.execute(
        select(Post, Thread.title)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == user.id)
        .order_by(Post.id)
    ).all()
    return [
        {
            "id": post.id, "thread_id": post.thread_id, "thread_title": title, "number": post.number,
            "url": post_path(post), "created_at": post.created_at.isoformat(),
            "edited_at": post.edited_at.isoformat() if post.edited_at else None,
            "deleted": post.deleted_at is not None, "body": post.body,
        }
        for post, title in rows
    ]


def anonymise_mentions(sender: Any, session: Session | None = None, **_: Any) -> None:
    """On account deletion, drop the person's @handle and name from quote headers in other posts."""
    user = sender
    if session is None or user is None:
        return
    patterns: list[tuple[re.Pattern[str], str]] = []
    needles = []
    if user.handle:
        patterns.append((re.compile(r"(?<![\w@/.])@" + re.escape(user.handle) + r"(?![\w.]*[a-z0-9])"), "@compte-supprime"))
        needles.append("@" + user.handle)
    if user.name:
        patterns.append((re.compile(r"\*\*" + re.escape(user.name) + r"\*\* a écrit"), f"**{DELETED_AUTHOR}** a écrit"))
        needles.append(f"**{user.name}** a écrit")
    if not needles:
        return
    for post in session.scalars(select(Post).where(or_(*[Post.body.contains(n, autoescape=True) for n in needles]))):
        body = post.body
        for pattern, replacement in patterns:
            body = pattern.sub(replacement, body)
        if body != post.body:
            post.body = body
            post.body_html = render_post(session, body).html
    for revision in session.scalars(
        select(PostRevision).where(or_(*[PostRevision.body.contains(n, autoescape=True) for n in needles]))
    ):
        body = revision.body
        for pattern, replacement in patterns:
            body = pattern.sub(replacement, body)
        revision.body = body


_connected = False


def connect() -> None:
    global _connected
    if _connected:
        return
    from achats.auth.signals import account_deleted

    account_deleted.connect(anonymise_mentions, weak=False)
    _connected = True


def reindex_threads(session: Session) -> int:
    """Rebuild the search entries of every thread (title and opening post)."""
    count = 0
    threads = list(session.scalars(select(Thread).options(selectinload(Thread.tags)).order_by(Thread.id)))
    for start in range(0, len(threads), 500):
        chunk = threads[start:start + 500]
        ids = [t.id for t in chunk]
        openings = {p.thread_id: p for p in session.scalars(
            select(Post).where(Post.thread_id.in_(ids), Post.number == 1))}
        for thread in chunk:
            index_thread(session, thread, openings.get(thread.id))
            count += 1
    return count


def reindex_posts(session: Session) -> int:
    """Rebuild the search entries of every reply."""
    count = 0
    threads = {t.id: t for t in session.scalars(select(Thread).options(selectinload(Thread.tags)))}
    for post in session.scalars(select(Post).where(Post.number > 1).order_by(Post.id)):
        thread = threads.get(post.thread_id)
        if thread is not None:
            index_post(session, thread, post)
            count += 1
    return count
