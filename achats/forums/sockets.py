"""Live reading: who may join room "thread:<id>", and `post_created` sent there after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from achats.forums.models import Post
from achats.platform.db import on_commit
from achats.platform.extensions import db, socketio

ROOM_PREFIX = "thread"


def thread_room(thread_id: int) -> str:
    return f"{ROOM_PREFIX}:{thread_id}"


def authorise_thread_room(user: Any, thread_id: int) -> bool:
    """A socket may join a thread's room when its user may read the thread."""
    from achats.forums.services import get_thread

    return get_thread(db.session, thread_id, user) is not None


def emit_post_created(session: Session, post: Post) -> None:
    """Queue `post_created` {thread_id, post} for the thread's room; sent once the post is committed."""
    from achats.forums.api import post_payload

    payload = {"thread_id": post.thread_id, "post": post_payload(post)}
    room = thread_room(post.thread_id)
    on_commit(session, lambda: socketio.emit("post_created", payload, to=room))
