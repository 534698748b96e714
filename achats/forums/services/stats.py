"""The one place that recomputes a thread's derived figures; paths of threads and posts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from achats.forums.models import DeskStatus, Post, Thread
from achats.platform.dates import PARIS
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.ids import valid_id

__all__ = ["post_path", "refresh_thread_stats", "thread_path", "today_paris", "valid_id", "visible_post"]


def thread_path(thread_id: int) -> str:
    return f"/forums/sujets/{thread_id}"


def post_path(post: Post) -> str:
    return f"/forums/sujets/{post.thread_id}#message-{post.number}"


def today_paris() -> date:
    return utcnow().astimezone(PARIS).date()


def visible_post() -> Any:
    """A post that counts: neither withdrawn by its author nor hidden by a moderator."""
    return and_(Post.deleted_at.is_(None), Post.hidden.is_(False))


def refresh_thread_stats(session: Session, thread: Thread) -> Thread:
    """Recompute post_count, last_post_id, last_activity_at, solved (and the desk status that follows).

    Nothing else writes these columns: every change (post, delete, hide, accept) calls this.
    """
    session.flush()
    count, solved = session.execute(
        select(
            func.count(Post.id),
            func.coalesce(func.max(case((Post.accepted.is_(True), 1), else_=0)), 0),
        ).where(Post.thread_id == thread.id, visible_post())
    ).one()
    last = session.execute(
        select(Post.id, Post.created_at)
        .where(Post.thread_id == thread.id, visible_post())
        .order_by(Post.number.desc())
        .limit(1)
    ).first()
    was_solved = thread.solved
    thread.post_count = int(count or 0)
    thread.solved = bool(solved) and thread.is_question
    thread.last_post_id = last[0] if last else None
    thread.last_activity_at = last[1] if last else thread.created_at
    if thread.desk_status is not None:
        if thread.solved:
            thread.desk_status = DeskStatus.SOLVED
        elif thread.desk_status == DeskStatus.SOLVED:
            thread.desk_status = (
                DeskStatus.ANSWERED if thread.first_expert_answer_at
                else DeskStatus.TAKEN if thread.assigned_expert_id else DeskStatus.NEW
            )
    if was_solved != thread.solved:
        record(session, "thread_changed", thread=thread)
    session.flush()
    return thread
