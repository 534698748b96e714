"""The one place that recomputes a thread's derived figures, and keeps the search index in step."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from achats.forums.models import DeskStatus, Post, Thread
from achats.platform import search
from achats.platform.dates import PARIS
from achats.platform.db import utcnow

# Ids are 32-bit integers in the database: anything larger names nothing (and must not reach SQL).
MAX_ID = 2**31 - 1


def valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def thread_path(thread_id: int) -> str:
    return f"/forums/sujets/{thread_id}"


def post_path(post: Post) -> str:
    return f"/forums/sujets/{post.thread_id}#message-{post.number}"


def today_paris() -> date:
    return utcnow().astimezone(PARIS).date()


def visible_post():  # noqa: ANN201 - a SQL expression
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
        search.update_thread_fields(session, thread.id, solved=thread.solved)
    session.flush()
    return thread


def index_thread(session: Session, thread: Thread, opening: Post | None) -> None:
    """Index the thread as its title plus opening post (kind "thread")."""
    search.index_entry(
        session, kind="thread", object_id=thread.id, title=thread.title,
        body=opening.body if opening is not None and opening.visible else "",
        url=thread_path(thread.id), thread_id=thread.id, category_id=thread.category_id,
        author_id=thread.author_id, tags=[t.slug for t in thread.tags],
        solved=thread.solved if thread.is_question else None, created_at=thread.created_at,
        visible=not thread.hidden and (opening is None or opening.visible),
    )


def index_post(session: Session, thread: Thread, post: Post) -> None:
    """Index a reply (kind "post"); the opening post is indexed with its thread."""
    if post.number == 1:
        index_thread(session, thread, post)
        return
    if not post.visible:
        search.remove_entry(session, "post", post.id)
        return
    search.index_entry(
        session, kind="post", object_id=post.id, title=thread.title, body=post.body,
        url=post_path(post), thread_id=thread.id, category_id=thread.category_id,
        author_id=post.author_id, tags=[t.slug for t in thread.tags],
        solved=thread.solved if thread.is_question else None, created_at=post.created_at,
        visible=not thread.hidden,
    )
