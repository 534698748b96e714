"""Live reading: the room kind "thread:<id>" (who may follow a thread), and `post_created` sent
there after commit to the members who may still read the thread."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from achats.forums.models import Post, Thread
from achats.forums.permissions import can_read_thread
from achats.platform.extensions import db
from achats.platform.features import RoomKind
from achats.platform.ids import valid_id
from achats.platform.realtime import emit_to_room_after_commit

ROOM_PREFIX = "thread"


def thread_room(thread_id: int) -> str:
    return f"{ROOM_PREFIX}:{thread_id}"


def load_thread(thread_id: int) -> Thread | None:
    """The thread whatever its state (hidden ones too): may_read decides who follows it."""
    return db.session.get(Thread, thread_id) if valid_id(thread_id) else None


def room_kind() -> RoomKind:
    return RoomKind(ROOM_PREFIX, load=load_thread, may_read=can_read_thread)


def on_post_created(session: Session, *, post: Post, **_: Any) -> None:
    """Queue `post_created` {thread_id, post} for the thread's room; delivered once committed."""
    from achats.forums.api.schemas import post_payload

    payload = {"thread_id": post.thread_id, "post": post_payload(post)}
    emit_to_room_after_commit("post_created", payload, thread_room(post.thread_id))
