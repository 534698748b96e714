"""What the forums keep about a person: their export parts, and what deleting an account rewrites."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.forums.indexing import index_post
from achats.forums.models import Bookmark, Post, PostRevision, Reaction, Thread, ThreadWatch
from achats.forums.services.content import render_post
from achats.forums.services.stats import post_path
from achats.platform.accounts import DELETED_ACCOUNT_NAME
from achats.platform.moderation.models import Flag


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


def export_flags(session: Session, user: User) -> list[dict[str, Any]]:
    """The reports I filed."""
    return [
        {"id": f.id, "target_type": f.target_type, "target_id": f.target_id, "reason": str(f.reason),
         "detail": f.detail, "status": str(f.status), "created_at": f.created_at.isoformat()}
        for f in session.scalars(select(Flag).where(Flag.reporter_id == user.id).order_by(Flag.id))
    ]


def export_watches(session: Session, user: User) -> list[dict[str, Any]]:
    """My notification levels on threads."""
    return [
        {"thread_id": w.thread_id, "level": str(w.level), "updated_at": w.updated_at.isoformat()}
        for w in session.scalars(select(ThreadWatch).where(ThreadWatch.user_id == user.id)
                                 .order_by(ThreadWatch.thread_id))
    ]


def export_bookmarks(session: Session, user: User) -> list[dict[str, Any]]:
    return [
        {"post_id": b.post_id, "created_at": b.created_at.isoformat()}
        for b in session.scalars(select(Bookmark).where(Bookmark.user_id == user.id).order_by(Bookmark.post_id))
    ]


def export_useful(session: Session, user: User) -> list[dict[str, Any]]:
    """The posts I marked "utile"."""
    return [
        {"post_id": r.post_id, "created_at": r.created_at.isoformat()}
        for r in session.scalars(select(Reaction).where(Reaction.user_id == user.id).order_by(Reaction.post_id))
    ]


def anonymise_mentions(session: Session, user: User) -> None:
    """On account deletion, drop the person's @handle and name from other posts (quote headers,
    mentions, their earlier versions) and index the rewritten posts again, so that a search for
    the name finds nothing."""
    patterns: list[tuple[re.Pattern[str], str]] = []
    needles = []
    if user.handle:
        patterns.append((re.compile(r"(?<![\w@/.])@" + re.escape(user.handle) + r"(?![\w.]*[a-z0-9])"), "@compte-supprime"))
        needles.append("@" + user.handle)
    if user.name:
        patterns.append((re.compile(r"\*\*" + re.escape(user.name) + r"\*\* a écrit"), f"**{DELETED_ACCOUNT_NAME}** a écrit"))
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
            index_post(session, post.thread, post)
    for revision in session.scalars(
        select(PostRevision).where(or_(*[PostRevision.body.contains(n, autoescape=True) for n in needles]))
    ):
        body = revision.body
        for pattern, replacement in patterns:
            body = pattern.sub(replacement, body)
        revision.body = body
