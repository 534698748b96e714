"""Socket.IO: authenticated connections, per-user and per-object rooms, emits after commit.

Rooms "<prefix>:<id>" are declared by features (`RoomKind`). Access is asked when a socket
joins and again when something is delivered to the room: `emit_to_room` sends to each member
socket whose user may still read the object at that moment, so a member who joined a thread
that was hidden, moved out of their reach, or who was suspended since, receives nothing more.

Who is in which room is kept by `SocketRegistry`, in this process and, when several processes
serve, in Redis, so that the process that emits knows every member wherever it is connected.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import Flask, g, request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from achats.platform.db import on_commit
from achats.platform.extensions import app_object, db, socketio
from achats.platform.features import RoomKind, registry
from achats.platform.ids import parse_id

log = logging.getLogger("achats.realtime")

ROOM_TTL = 24 * 3600  # a crashed process's memberships expire from Redis on their own


# --- Redis outages: the database stays the truth; open pages are told to re-fetch -----------------

RESYNC_EVENT = "resync"
HEALTH_PERIOD = 5.0  # seconds between the watcher's checks of Redis
RESYNC_PERIOD = 20.0  # while Redis is down, local pages are told to re-fetch this often


def _resync_local_sockets(reason: str) -> None:
    """Tell every socket of this process to re-fetch its notifications (GET /notifications): the
    Redis channel lost messages, or may have. Local delivery only: Redis may be what failed."""
    with contextlib.suppress(Exception):
        socketio.server.manager.emit(RESYNC_EVENT, {"reason": reason}, namespace="/", ignore_queue=True)


def redis_manager_class() -> type:
    """python-socketio's Redis manager, telling this process's pages to re-fetch when a publish
    was given up (the message is lost: the other processes' sockets never get it)."""
    import socketio as python_socketio

    class Manager(python_socketio.RedisManager):
        def _publish(self, data: Any) -> Any:
            result = super()._publish(data)
            if result is None:  # the manager gave up after its retries
                log.warning("realtime: a message could not go through Redis; pages will re-fetch")
                _resync_local_sockets("publish-failed")
            return result

    return Manager


class RedisWatcher:
    """In each process that has sockets: checks Redis every HEALTH_PERIOD seconds. Down, it tells
    the local pages to re-fetch at once and every RESYNC_PERIOD seconds; back up, once more (the
    messages published meanwhile by other processes were lost). Ends when no socket is left."""

    def __init__(self, url: str, has_sockets: Callable[[], bool]) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._has_sockets = has_sockets
        self._running = False
        self._lock = threading.Lock()
        self.down = False

    def ensure_running(self) -> None:
        with self._lock:
            if self._running:
                return
            self._running = True
        socketio.start_background_task(self._watch)

    def _up(self) -> bool:
        try:
            return bool(self._client.ping())
        except Exception:  # noqa: BLE001 - unreachable is what we look for
            return False

    def _watch(self) -> None:
        last_hint = 0.0
        try:
            while self._has_sockets():
                up = self._up()
                now = time.monotonic()
                if not up and (not self.down or now - last_hint >= RESYNC_PERIOD):
                    log.warning("realtime: Redis unreachable; local pages re-fetch their notifications")
                    _resync_local_sockets("redis-down")
                    last_hint = now
                elif up and self.down:
                    log.info("realtime: Redis is back; local pages re-fetch what they missed")
                    _resync_local_sockets("redis-back")
                self.down = not up
                socketio.sleep(HEALTH_PERIOD)
        finally:
            with self._lock:
                self._running = False


def socket_sid() -> str:
    """The current socket's id (in a Socket.IO handler)."""
    return request.sid  # type: ignore[attr-defined]  # Flask-SocketIO sets it on the request


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def emit_after_commit(event: str, data: Any, room: str) -> None:
    """Queue an emit to a room the server manages (a user's own room); sent after commit."""
    on_commit(db.session(), lambda: socketio.emit(event, data, to=room))


def emit_to_room_after_commit(event: str, data: Any, room: str) -> None:
    """Queue an emit to a feature's room; delivered after commit to the members who may read it."""
    app = app_object()

    def run() -> None:
        with app.app_context():
            emit_to_room(event, data, room)

    on_commit(db.session(), run)


# --- which sockets belong to whom, and which are in which room ---------------------------------


class SocketRegistry:
    """user id -> socket ids and room -> {socket id: user id}, shared through Redis when set."""

    def __init__(self, redis_url: str | None) -> None:
        self._local: dict[int, set[str]] = defaultdict(set)
        self._rooms: dict[str, dict[str, int]] = defaultdict(dict)
        self._sid_rooms: dict[str, set[str]] = defaultdict(set)
        self._sid_users: dict[str, int] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)

    def _key(self, user_id: int) -> str:
        return f"achats:sockets:{user_id}"

    def _room_key(self, room: str) -> str:
        return f"achats:room:{room}"

    def _redis_call(self, fn: Callable[[Any], Any], default: Any = None) -> Any:
        if self._redis is None:
            return default
        try:
            return fn(self._redis)
        except Exception:  # noqa: BLE001 - Redis down: this process's knowledge still works
            log.warning("socket registry: Redis unavailable")
            return default

    # connections
    def add(self, user_id: int, sid: str) -> None:
        with self._lock:
            self._local[user_id].add(sid)
            self._sid_users[sid] = user_id

        def store(r: Any) -> None:
            pipe = r.pipeline()
            pipe.sadd(self._key(user_id), sid)
            pipe.expire(self._key(user_id), 7 * 24 * 3600)
            pipe.execute()

        self._redis_call(store)

    def remove(self, sid: str) -> int | None:
        """Forget a socket (disconnected): its user and its rooms. Returns its user id."""
        with self._lock:
            user_id = self._sid_users.pop(sid, None)
            rooms = self._sid_rooms.pop(sid, set())
            self._buckets.pop(sid, None)
            if user_id is not None:
                self._local[user_id].discard(sid)
                if not self._local[user_id]:
                    self._local.pop(user_id, None)
            for room in rooms:
                self._rooms[room].pop(sid, None)
                if not self._rooms[room]:
                    self._rooms.pop(room, None)

        def forget(r: Any) -> None:
            pipe = r.pipeline()
            if user_id is not None:
                pipe.srem(self._key(user_id), sid)
            for room in rooms:
                pipe.hdel(self._room_key(room), sid)
            pipe.execute()

        self._redis_call(forget)
        return user_id

    def user_of(self, sid: str) -> int | None:
        return self._sid_users.get(sid)

    def has_local(self) -> bool:
        return bool(self._sid_users)

    def sids(self, user_id: int) -> set[str]:
        with self._lock:
            found = set(self._local.get(user_id, ()))
        shared = self._redis_call(lambda r: r.smembers(self._key(user_id)), set())
        return found | {s.decode() if isinstance(s, bytes) else s for s in shared}

    # rooms
    def join(self, room: str, sid: str, user_id: int) -> None:
        with self._lock:
            self._rooms[room][sid] = user_id
            self._sid_rooms[sid].add(room)

        def store(r: Any) -> None:
            pipe = r.pipeline()
            pipe.hset(self._room_key(room), sid, user_id)
            pipe.expire(self._room_key(room), ROOM_TTL)
            pipe.execute()

        self._redis_call(store)

    def leave(self, room: str, sid: str) -> None:
        with self._lock:
            self._rooms.get(room, {}).pop(sid, None)
            self._sid_rooms.get(sid, set()).discard(room)
        self._redis_call(lambda r: r.hdel(self._room_key(room), sid))

    def members(self, room: str) -> dict[str, int]:
        """{socket id: user id} of the room, in every process (this process's only without Redis)."""
        with self._lock:
            found = dict(self._rooms.get(room, {}))
        shared = self._redis_call(lambda r: r.hgetall(self._room_key(room)), {})
        for sid, user_id in (shared or {}).items():
            sid_text = sid.decode() if isinstance(sid, bytes) else str(sid)
            with contextlib.suppress(ValueError):
                found.setdefault(sid_text, int(user_id))
        return found

    # per-connection rate limit
    def allow(self, sid: str) -> bool:
        with self._lock:
            bucket = self._buckets.setdefault(sid, _Bucket(BURST))
        now = time.monotonic()
        bucket.tokens = min(BURST, bucket.tokens + (now - bucket.stamp) * EVENTS_PER_SECOND)
        bucket.stamp = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True


class _Bucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, capacity: float) -> None:
        self.tokens = capacity
        self.stamp = time.monotonic()


EVENTS_PER_SECOND = 5.0
BURST = 20.0


def sockets(app: Flask | None = None) -> SocketRegistry:
    return registry(app).state["sockets"]


def disconnect_user(user_id: int) -> None:
    """Close every socket of a user (logout, password change, suspension), in every process."""
    for sid in sockets().sids(user_id):
        with contextlib.suppress(Exception):  # already gone
            socketio.server.disconnect(sid, namespace="/")


def disconnect_user_after_commit(user_id: int) -> None:
    app = app_object()

    def run() -> None:
        with app.app_context():
            disconnect_user(user_id)

    on_commit(db.session(), run)


# --- delivery to a feature's room ---------------------------------------------------------------


def _room_kind(room: str) -> tuple[RoomKind, int] | None:
    prefix, _, raw_id = room.partition(":")
    kind = registry().rooms.get(prefix)
    object_id = parse_id(raw_id)
    if kind is None or object_id is None:
        return None
    return kind, object_id


def may_join(user: Any, room: str) -> bool:
    found = _room_kind(room)
    if found is None or user is None or not getattr(user, "is_active", False):
        return False
    kind, object_id = found
    return bool(kind.may_join(user, object_id))


def emit_to_room(event: str, data: Any, room: str) -> int:
    """Send `event` to each socket of `room` whose user may read the room's object now.

    Members who may no longer read it (the object was hidden or moved, the account suspended)
    are also taken out of the room. Returns how many sockets were sent the event."""
    found = _room_kind(room)
    if found is None:
        return 0
    kind, object_id = found
    registry_ = sockets()
    members = registry_.members(room)
    if not members:
        return 0
    identity = registry().identity
    users = identity.users_by_ids(sorted(set(members.values()))) if identity is not None else {}
    target = kind.load(object_id)
    allowed: dict[int, bool] = {}
    sent = 0
    for sid, user_id in members.items():
        if user_id not in allowed:
            user = users.get(user_id)
            allowed[user_id] = bool(target is not None and user is not None and user.is_active
                                    and kind.may_read(user, target))
        if allowed[user_id]:
            socketio.emit(event, data, to=sid)
            sent += 1
        else:
            registry_.leave(room, sid)
            with contextlib.suppress(Exception):
                socketio.server.leave_room(sid, room, namespace="/")
    db.session.remove()
    return sent


# --- handlers ---------------------------------------------------------------------------------


def _socket_user(auth: Any) -> Any:
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    identity = registry().identity
    if isinstance(auth, dict) and isinstance(auth.get("token"), str) and identity is not None:
        return identity.user_for_token(auth["token"])
    return None


def on_connect(app: Flask, hook: Callable[[Any], None]) -> None:
    """Run `hook(user)` when one of `user`'s sockets connects (e.g. to send the unread count)."""
    registry(app).state.setdefault("connect_hooks", []).append(hook)


def init_realtime(app: Flask) -> None:
    state = registry(app).state
    state["sockets"] = SocketRegistry(app.config.get("ACHATS_REDIS_URL"))
    redis_url = app.config.get("ACHATS_REDIS_URL")
    if redis_url:
        state["redis_watcher"] = RedisWatcher(redis_url, state["sockets"].has_local)

    # Handlers are registered on the one SocketIO object for each app built (Flask-SocketIO drops
    # them when init_app makes a new server); they read the app of the connection's request.
    @socketio.on("connect")
    def handle_connect(auth: Any = None) -> None:
        # A connection is a new request, but no before_request hook ran: never reuse a user that
        # Flask-Login cached on `g` for an earlier one (an outer application context keeps `g`).
        g.pop("_login_user", None)
        user = _socket_user(auth)
        if user is None or not user.is_active:
            raise ConnectionRefusedError("authentification requise")
        request.environ["achats.user_id"] = user.id
        join_room(user_room(user.id))
        sockets().add(user.id, socket_sid())
        watcher = registry().state.get("redis_watcher")
        if watcher is not None:
            watcher.ensure_running()
        for hook in registry().state.get("connect_hooks", ()):
            hook(user)
        db.session.remove()

    @socketio.on("disconnect")
    def handle_disconnect(*_: Any) -> None:
        sockets().remove(socket_sid())

    @socketio.on("join")
    def handle_join(data: Any) -> dict[str, Any]:
        return _room_request(data, join=True)

    @socketio.on("leave")
    def handle_leave(data: Any) -> dict[str, Any]:
        return _room_request(data, join=False)


def socket_user_id() -> int | None:
    return sockets().user_of(socket_sid())


def rate_limited_handler(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a client -> server event: refused past the per-connection budget."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not sockets().allow(socket_sid()):
            return {"ok": False, "error": "trop de messages, ralentissez"}
        try:
            return fn(*args, **kwargs)
        finally:
            db.session.remove()

    wrapped.__name__ = fn.__name__
    return wrapped


def load_socket_user() -> Any:
    """The account behind the current socket, loaded fresh (its status may have changed)."""
    user_id = socket_user_id()
    if user_id is None:
        return None
    if current_user and current_user.is_authenticated and current_user.id == user_id:
        return current_user._get_current_object()
    identity = registry().identity
    return identity.user_by_id(user_id) if identity is not None else None


@rate_limited_handler
def _room_request(data: Any, join: bool) -> dict[str, Any]:
    room = data.get("room") if isinstance(data, dict) else None
    if not isinstance(room, str) or ":" not in room or len(room) > 80 or _room_kind(room) is None:
        return {"ok": False, "error": "salon inconnu"}
    sid = socket_sid()
    if join:
        user = load_socket_user()
        if user is None or not may_join(user, room):
            return {"ok": False, "error": "accès refusé"}
    try:
        (join_room if join else leave_room)(room)
    except ValueError:
        # The socket went away while its request waited (a page left mid-handshake): nothing to do.
        return {"ok": False, "error": "connexion fermée"}
    if join:
        sockets().join(room, sid, user.id)
    else:
        sockets().leave(room, sid)
    return {"ok": True}
