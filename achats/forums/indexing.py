"""The forums in the search index: a thread (title and opening post) and each message.

Entries are written by subscriptions to the forums' domain events, in the transaction that
changed the content. A question's first message is indexed twice: inside its thread's entry, and
as a "post" shadow, so that a search restricted to messages finds its words too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from achats.forums.models import Post, Thread
from achats.forums.services.stats import post_path, thread_path
from achats.platform import search
from achats.platform.search import MEMBERS, MODERATORS

CONTAINER = "thread"


def thread_facets(thread: Thread) -> dict[str, Any]:
    """What the search filters on, shared by every entry of the thread."""
    return {
        "category": thread.category_id,
        "tag": [t.slug for t in thread.tags],
        "solved": thread.solved if thread.is_question else None,
    }


def thread_audience(thread: Thread) -> str:
    # A hidden thread is for moderators (and, in the pages, its category's moderators).
    return MODERATORS if thread.hidden else MEMBERS


def _post_audience(post: Post) -> str:
    return MEMBERS if post.visible else MODERATORS


def index_thread(session: Session, thread: Thread, opening: Post | None) -> None:
    """The thread's own entry (title plus opening post) and its opening post's shadow."""
    if opening is not None and opening.deleted_at is not None:
        search.remove_entry(session, "post", opening.id)
        opening = None  # withdrawn: the thread is found by its title only
    search.index_entry(
        session, kind="thread", object_id=thread.id, title=thread.title,
        body=opening.body if opening is not None else "",
        url=thread_path(thread.id), container=(CONTAINER, thread.id), facets=thread_facets(thread),
        owner_id=thread.author_id, audience=MODERATORS if opening is not None and opening.hidden else MEMBERS,
        container_audience=thread_audience(thread), created_at=thread.created_at,
    )
    if opening is not None:
        _index_message(session, thread, opening, shadow=True)


def _index_message(session: Session, thread: Thread, post: Post, *, shadow: bool) -> None:
    search.index_entry(
        session, kind="post", object_id=post.id, title=thread.title, body=post.body, url=post_path(post),
        container=(CONTAINER, thread.id), facets=thread_facets(thread), owner_id=post.author_id,
        audience=_post_audience(post), container_audience=thread_audience(thread), created_at=post.created_at,
        shadow=shadow,
    )


def index_post(session: Session, thread: Thread, post: Post) -> None:
    """A message: the opening post re-indexes its thread too; a withdrawn one leaves the index."""
    if post.number == 1:
        index_thread(session, thread, post)
        return
    if post.deleted_at is not None:
        search.remove_entry(session, "post", post.id)
        return
    _index_message(session, thread, post, shadow=False)


def refresh_thread(session: Session, thread: Thread) -> None:
    """After a move, a retag, a change of solved or hidden: every entry of the thread at once."""
    search.update_container(session, CONTAINER, thread.id, facets=thread_facets(thread),
                            audience=thread_audience(thread))


# --- domain events ---------------------------------------------------------------------------


def on_thread_created(session: Session, *, thread: Thread, post: Post, **_: Any) -> None:
    index_thread(session, thread, post)


def on_post_written(session: Session, *, post: Post, **_: Any) -> None:
    index_post(session, post.thread, post)


def on_thread_changed(session: Session, *, thread: Thread, **_: Any) -> None:
    refresh_thread(session, thread)


# --- achats reindex ---------------------------------------------------------------------------


def reindex_threads(session: Session) -> int:
    """Rebuild the search entries of every thread (title and opening post, and its shadow)."""
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
    """Rebuild the search entries of every message (replies, and the opening posts' shadows)."""
    count = 0
    threads = {t.id: t for t in session.scalars(select(Thread).options(selectinload(Thread.tags)))}
    for post in session.scalars(select(Post).where(Post.deleted_at.is_(None)).order_by(Post.id)):
        thread = threads.get(post.thread_id)
        if thread is not None:
            _index_message(session, thread, post, shadow=post.number == 1)
            count += 1
    return count
