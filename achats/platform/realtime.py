"""Socket.IO: authenticated connections, per-user and per-object rooms, emits after commit."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from achats.platform.db import on_commit
from achats.platform.extensions import db, socketio

log = logging.getLogger("achats.realtime")

# Room authorisers registered by features: prefix -> (user, object id) -> may join?
_room_authorisers: dict[str, Callable[[Any, int], bool]] = {}
# Token authentication for sockets, registered by the auth feature: token -> user or None.
_token_loader: Callable[[str], Any] | None = None
# Called on connect to send the initial state (e.g. the unread count): user -> None.
_connect_hooks: dict[str, Callable[[Any], None]] = {}


def register_room(prefix: str, authoriser: Callable[[Any, int], bool]) -> None:
    _room_authorisers[prefix] = authoriser


def set_token_loader(loader: Callable[[str], Any]) -> None:
    global _token_loader
    _token_loader = loader


def user_for_token(secret: str) -> Any:
    """The active account behind a personal API token, or None (auth supplies the lookup)."""
    return _token_loader(secret) if _token_loader is not None else None


def on_connect(name: str, hook: Callable[[Any], None]) -> None:
    _connect_hooks[name] = hook


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def emit_after_commit(event: str, data: Any, room: str) -> None:
    """Queue an emit on the current session; sent when the transaction commits, dropped on rollback."""
    on_commit(db.session(), lambda: socketio.emit(event, data, to=room))


# --- which sockets belong to whom -----------------------------------------------------------


class SocketRegistry:
    """user id -> socket ids, shared through Redis when several processes serve."""

    def __init__(self, redis_url: str | None) -> None:
        self._local: dict[int, set[str]] = defaultdict(set)
        self._lock = threading.Lock()
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=2)

    def _key(self, user_id: int) -> str:
        return f"achats:sockets:{user_id}"

    def add(self, user_id: int, sid: str) -> None:
        with self._lock:
            self._local[user_id].add(sid)
        if self._redis is not None:
            try:
                self._redis.sadd(self._key(user_id), sid)
                self._redis.expire(self._key(user_id), 7 * 24 * 3600)
            except Exception:  # noqa: BLE001 - Redis down: local knowledge still works
                log.warning("socket registry: Redis unavailable")

    def remove(self, user_id: int, sid: str) -> None:
        with self._lock:
            self._local[user_id].discard(sid)
            if not self._local[user_id]:
                self._local.pop(user_id, None)
        if self._redis is not None:
            try:
                self._redis.srem(self._key(user_id), sid)
            except Exception:  # noqa: BLE001 - Redis down: the key expires on its own
                log.warning("socket registry: Redis unavailable")

    def sids(self, user_id: int) -> set[str]:
        with self._lock:
            found = set(self._local.get(user_id, ()))
        if self._redis is not None:
            try:
                found |= {s.decode() for s in self._redis.smembers(self._key(user_id))}
            except Exception:  # noqa: BLE001 - Redis down: this process's sockets only
                log.warning("socket registry: Redis unavailable")
        return found


def disconnect_user(user_id: int) -> None:
    """Close every socket of a user (logout, password change, suspension), in every process."""
    registry: SocketRegistry = current_app.extensions["achats_sockets"]
    for sid in registry.sids(user_id):
        with contextlib.suppress(Exception):  # already gone
            socketio.server.disconnect(sid, namespace="/")


def disconnect_user_after_commit(user_id: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        with app.app_context():
            disconnect_user(user_id)

    on_commit(db.session(), run)


# --- per-connection rate limit --------------------------------------------------------------


class _Bucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, capacity: float) -> None:
        self.tokens = capacity
        self.stamp = time.monotonic()


EVENTS_PER_SECOND = 5.0
BURST = 20.0
_buckets: dict[str, _Bucket] = {}


def _allow(sid: str) -> bool:
    bucket = _buckets.setdefault(sid, _Bucket(BURST))
    now = time.monotonic()
    bucket.tokens = min(BURST, bucket.tokens + (now - bucket.stamp) * EVENTS_PER_SECOND)
    bucket.stamp = now
    if bucket.tokens < 1:
        return False
    bucket.tokens -= 1
    return True


# --- handlers ---------------------------------------------------------------------------------


def _socket_user(auth: Any) -> Any:
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    if isinstance(auth, dict) and isinstance(auth.get("token"), str):
        return user_for_token(auth["token"])
    return None


def init_realtime(app: Flask) -> None:
    app.extensions["achats_sockets"] = SocketRegistry(app.config.get("ACHATS_REDIS_URL"))

    @socketio.on("connect")
    def handle_connect(auth: Any = None) -> None:
        # A connection is a new request, but no before_request hook ran: never reuse a user that
        # Flask-Login cached on `g` for an earlier one (an outer application context keeps `g`).
        g.pop("_login_user", None)
        user = _socket_user(auth)
        if user is None or not user.is_active:
            raise ConnectionRefusedError("authentification requise")
        request.environ["achats.user_id"] = user.id
        _socket_users[request.sid] = user.id  # type: ignore[attr-defined]
        join_room(user_room(user.id))
        current_app.extensions["achats_sockets"].add(user.id, request.sid)  # type: ignore[attr-defined]
        for hook in _connect_hooks.values():
            hook(user)
        db.session.remove()

    @socketio.on("disconnect")
    def handle_disconnect(*_: Any) -> None:
        sid = request.sid  # type: ignore[attr-defined]
        user_id = _socket_users.pop(sid, None)
        _buckets.pop(sid, None)
        if user_id is not None:
            current_app.extensions["achats_sockets"].remove(user_id, sid)

    @socketio.on("join")
    def handle_join(data: Any) -> dict[str, Any]:
        return _room_request(data, join=True)

    @socketio.on("leave")
    def handle_leave(data: Any) -> dict[str, Any]:
        return _room_request(data, join=False)


_socket_users: dict[str, int] = {}


def socket_user_id() -> int | None:
    return _socket_users.get(request.sid)  # type: ignore[attr-defined]


def rate_limited_handler(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a client -> server event: refused past the per-connection budget."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _allow(request.sid):  # type: ignore[attr-defined]
            return {"ok": False, "error": "trop de messages, ralentissez"}
        try:
            return fn(*args, **kwargs)
        finally:
            db.session.remove()

    wrapped.__name__ = fn.__name__
    return wrapped


def _load_socket_user() -> Any:
    user_id = socket_user_id()
    if user_id is None:
        return None
    from flask_login import current_user as cu

    if cu and cu.is_authenticated and cu.id == user_id:
        return cu._get_current_object()
    return current_app.extensions["achats_user_getter"](user_id)


@rate_limited_handler
def _room_request(data: Any, join: bool) -> dict[str, Any]:
    room = data.get("room") if isinstance(data, dict) else None
    if not isinstance(room, str) or ":" not in room or len(room) > 80:
        return {"ok": False, "error": "salon inconnu"}
    prefix, _, raw_id = room.partition(":")
    authoriser = _room_authorisers.get(prefix)
    # ASCII digits within the INTEGER range only: "²".isdigit() is true but int("²") fails.
    if authoriser is None or not (raw_id.isascii() and raw_id.isdigit()) or int(raw_id) > 2**31 - 1:
        return {"ok": False, "error": "salon inconnu"}
    if join:
        user = _load_socket_user()
        if user is None or not authoriser(user, int(raw_id)):
            return {"ok": False, "error": "accès refusé"}
    try:
        (join_room if join else leave_room)(room)
    except ValueError:
        # The socket went away while its request waited (a page left mid-handshake): nothing to do.
        return {"ok": False, "error": "connexion fermée"}
    return {"ok": True}
