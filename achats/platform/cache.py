"""Derived data kept in each server process, dropped when the data it comes from changes.

Two kinds: derived values checked against a namespace version (`memo`), and rendered HTML
fragments whose key names all their inputs (`FragmentCache`, at the end of this module).

Some answers are costly to compute and identical for many requests: the category list's counts,
who moderates which category, a thread's related threads. `memo(namespace, key, compute)` keeps
such a value in the process and recomputes it when its *namespace* has changed.

A namespace ("content": what the pages show, forums and people) is a version number. Committing
a change to a model whose class declares `__cache_namespace__ = "content"` bumps it after the
commit (a class may list bookkeeping columns in `__cache_ignore__`: a change to those alone, such
as a last-login time, bumps nothing), whichever code path made the change
(ORM objects, or ORM-enabled `update()`/`delete()` statements): no call site has to remember to
invalidate. When several processes serve (ACHATS_REDIS_URL set), the version lives in Redis
(`INCR` on commit, one `GET` per lookup), so a change in one worker is seen by the others at their
next lookup. Without Redis, `achats serve` runs one process and the version is a counter in it.
Changes made outside the ORM session (raw SQL, another program on the database without Redis)
are seen after `ttl` seconds at most.

Values must be plain data (tuples, dataclasses of ids and strings), never ORM objects: those
belong to the session of the request that loaded them. If Redis is unreachable the cache steps
aside and every lookup computes (the page stays right, only slower).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import Flask, current_app
from markupsafe import Markup

log = logging.getLogger("achats.cache")
T = TypeVar("T")
_SESSION_KEY = "achats_cache_namespaces"
UNAVAILABLE = object()


class DerivedCache:
    """Per-process memo of derived values, keyed by (namespace, key), checked against versions."""

    def __init__(self, redis_url: str | None, *, prefix: str = "achats", max_entries: int = 5000,
                 enabled: bool = True) -> None:
        self._entries: OrderedDict[tuple[str, Hashable], tuple[Any, float, Any]] = OrderedDict()
        self._local: dict[str, int] = {}
        self._lock = threading.Lock()
        self._prefix = prefix
        self._max = max_entries
        self._enabled = enabled
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def _key(self, namespace: str) -> str:
        return f"{self._prefix}:cache-version:{namespace}"

    def version(self, namespace: str) -> Any:
        """The namespace's current version, or UNAVAILABLE when the shared store cannot say.

        With Redis, asked once per request and namespace (a page asks many times: each
        permission check on each post); a commit of this request's own changes asks again."""
        if self._redis is None:
            return self._local.get(namespace, 0)
        seen = _request_dict(_G_VERSIONS)
        if seen is not None and namespace in seen:
            return seen[namespace]
        try:
            raw = self._redis.get(self._key(namespace))
        except Exception:  # noqa: BLE001 - Redis down: compute instead of serving stale data
            log.warning("derived cache: Redis unavailable, computing without cache")
            return UNAVAILABLE
        version = int(raw or 0)
        if seen is not None:
            seen[namespace] = version
        return version

    def bump(self, namespace: str) -> None:
        seen = _request_dict(_G_VERSIONS)
        if seen is not None:
            seen.pop(namespace, None)
        # Entries of the old version need no sweep: memo() recomputes them on their next use.
        with self._lock:
            self._local[namespace] = self._local.get(namespace, 0) + 1
        if self._redis is not None:
            try:
                self._redis.incr(self._key(namespace))
            except Exception:  # noqa: BLE001
                log.warning("derived cache: Redis unavailable, version of %s not shared", namespace)

    def memo(self, namespace: str, key: Hashable, compute: Callable[[], T], ttl: float = 60.0) -> T:
        version = self.version(namespace)
        if version is UNAVAILABLE or not self._enabled:
            return compute()
        now = time.monotonic()
        entry = self._entries.get((namespace, key))
        if entry is not None and entry[0] == version and entry[1] > now:
            return entry[2]
        value = compute()
        with self._lock:
            self._entries[(namespace, key)] = (version, now + ttl, value)
            self._entries.move_to_end((namespace, key))
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_G_VERSIONS = "achats_cache_versions"
_G_MEMO = "achats_request_memo"


def _request_dict(name: str) -> dict[Any, Any] | None:
    """A dict living as long as the current request (None outside a request)."""
    from flask import g, has_request_context

    if not has_request_context():
        return None
    found = g.get(name)
    if found is None:
        found = {}
        setattr(g, name, found)
    return found


def per_request(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per request for `key` (a thread page asks the same permission 60 times)."""
    seen = _request_dict(_G_MEMO)
    if seen is None:
        return compute()
    try:
        return seen[key]
    except KeyError:
        value = seen[key] = compute()
        return value


def forget_request_memo() -> None:
    """Drop this request's memo (after a change that may alter its answers, e.g. a role change)."""
    from flask import g, has_request_context

    if has_request_context():
        g.pop(_G_MEMO, None)


def derived_cache(app: Flask | None = None) -> DerivedCache:
    return (app or current_app).extensions["achats_cache"]


def memo(namespace: str, key: Hashable, compute: Callable[[], T], ttl: float = 60.0) -> T:
    """`compute()`'s value, kept in this process until `namespace` changes or `ttl` seconds pass."""
    return derived_cache().memo(namespace, key, compute, ttl)


def _displayed_change(obj: Any) -> bool:
    from sqlalchemy import inspect

    ignored = getattr(type(obj), "__cache_ignore__", ())
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in ignored)


def _namespace_of_table(table: Any) -> str | None:
    if table is None:
        return None
    from achats.platform.db import Base

    # By name: a statement may target a lightweight `sa.table("search_entry", …)` of the same table.
    name = getattr(table, "name", None)
    for mapper in Base.registry.mappers:
        if mapper.local_table is table or getattr(mapper.local_table, "name", None) == name:
            return _namespace_of(mapper.class_)
    return None


def _namespace_of(target: Any) -> str | None:
    cls = target if isinstance(target, type) else type(target)
    return getattr(cls, "__cache_namespace__", None)


_listening: set[int] = set()


def install(app: Flask, session_target: Any) -> None:
    """Create the app's cache and bump namespaces after the commits that change their models."""
    enabled = bool(app.config.get("ACHATS_DERIVED_CACHE", True))
    app.extensions["achats_cache"] = DerivedCache(
        app.config.get("ACHATS_REDIS_URL"), prefix=app.config.get("ACHATS_CACHE_PREFIX", "achats"), enabled=enabled)
    app.extensions["achats_fragments"] = FragmentCache(max_chars=24_000_000 if enabled else 0)
    @app.before_request
    def _fresh_versions() -> None:
        # g can outlive a request (an app context held across requests, as tests do).
        from flask import g

        g.pop(_G_VERSIONS, None)
        g.pop(_G_MEMO, None)

    # Flask-SQLAlchemy's scoped session is one object for every app of the process (tests build
    # many): listen once, and bump the cache of the app whose context commits.
    if id(session_target) not in _listening:
        _listening.add(id(session_target))
        _listen(session_target)


def _listen(session_target: Any) -> None:
    from flask import has_app_context
    from sqlalchemy import event

    def _touch(session: Any, namespace: str | None) -> None:
        if namespace:
            session.info.setdefault(_SESSION_KEY, set()).add(namespace)

    @event.listens_for(session_target, "after_flush")
    def _changed_objects(session: Any, _context: Any) -> None:
        # Still the pre-flush state here: new/dirty/deleted and attribute histories are readable.
        for obj in (*session.new, *session.deleted):
            _touch(session, _namespace_of(obj))
        for obj in session.dirty:
            namespace = _namespace_of(obj)
            if namespace and _displayed_change(obj):
                _touch(session, namespace)

    @event.listens_for(session_target, "do_orm_execute")
    def _changed_by_statement(state: Any) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            mapper = state.bind_mapper
            if mapper is not None:
                _touch(state.session, _namespace_of(mapper.class_))
            else:  # a Core statement on a mapped class's table (bulk index writes)
                _touch(state.session, _namespace_of_table(getattr(state.statement, "table", None)))

    @event.listens_for(session_target, "after_commit")
    def _bump(session: Any) -> None:
        namespaces = session.info.pop(_SESSION_KEY, None)
        if namespaces:
            forget_request_memo()
        if namespaces and has_app_context() and "achats_cache" in current_app.extensions:
            cache = derived_cache()
            for namespace in sorted(namespaces):
                cache.bump(namespace)

    @event.listens_for(session_target, "after_soft_rollback")
    def _forget(session: Any, previous_transaction: Any) -> None:
        if previous_transaction.parent is None:
            session.info.pop(_SESSION_KEY, None)


# --- rendered fragments --------------------------------------------------------------------------


class FragmentCache:
    """Rendered HTML kept by a key that names everything the fragment shows (no invalidation needed:
    a change of any input is a new key). Bounded by total size; least recently used goes first.

    Fragments are shared between viewers, so they must not contain a viewer's CSRF token: render
    `csrf_placeholder` instead and pass the finished page through `with_csrf_token()`."""

    def __init__(self, max_chars: int = 24_000_000) -> None:
        import secrets

        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._size = 0
        self._max = max_chars
        self._lock = threading.Lock()
        # Unpredictable, so no post body can carry it.
        self.csrf_placeholder = "csrf-" + secrets.token_hex(12)

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """`render()`'s HTML (a rendered template or macro: escaped already), kept under `key`."""
        found = self._entries.get(key)
        if found is not None:
            return Markup(found)  # noqa: S704 - stored from render(), which autoescaped it
        value = str(render())
        with self._lock:
            if key not in self._entries:
                self._entries[key] = value
                self._size += len(value)
                while self._size > self._max and self._entries:
                    _, dropped = self._entries.popitem(last=False)
                    self._size -= len(dropped)
        return Markup(value)  # noqa: S704 - see above

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


def fragments(app: Flask | None = None) -> FragmentCache:
    return (app or current_app).extensions["achats_fragments"]


def fragment_for(namespace: str, key: Hashable, render: Callable[[], str], ttl: float = 60.0) -> Markup:
    """HTML that depends on `namespace`'s data: kept in the fragment cache under the namespace's
    current version (a change gives new keys; the old ones age out), for at most `ttl` seconds.
    `ttl` 0, or the version store unreachable: rendered every time."""
    cache = derived_cache()
    version = cache.version(namespace)
    if not ttl or version is UNAVAILABLE:
        return Markup(render())  # noqa: S704 - a rendered template, autoescaped
    bucket = int(time.monotonic() // ttl)  # bounds the age without a timestamp per entry
    return fragments().get_or_render((namespace, version, bucket, key), render)


def with_csrf_token(html: str) -> str:
    """The page with this viewer's CSRF token in place of the shared fragments' placeholder."""
    from flask_wtf.csrf import generate_csrf

    placeholder = fragments().csrf_placeholder
    return html.replace(placeholder, generate_csrf()) if placeholder in html else html
