"""Writing to the search index: upserts, thread-wide updates, removals and reindexing.

SQLite: `search_entry_fts` (FTS5, external content) follows `search_entry` through triggers
(migration 0003_search). PostgreSQL: `search_vector` is written here, in the same statement as
the row: setweight(to_tsvector('french', title), 'A') || setweight(to_tsvector('french', body),
'B'), both from accent-stripped text, so the `unaccent` extension is not needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from achats.platform.db import utcnow
from achats.platform.search import text as t
from achats.platform.search.models import SearchEntry, SearchKind

TABLE = SearchEntry.__table__
FTS_TABLE = "search_entry_fts"
PG_CONFIG = "french"
BATCH = 500

Reindexer = Callable[[Session], int]
_reindexers: dict[str, Reindexer] = {}


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def _tags_text(tags: Iterable[str] | None) -> str:
    slugs = [s.strip() for s in (tags or ()) if s and s.strip()]
    return " " + " ".join(dict.fromkeys(s.replace(" ", "-") for s in slugs)) + " " if slugs else " "


def entry_row(*, kind: str, object_id: int, title: str, body: str, url: str, thread_id: int | None = None,
              category_id: int | None = None, author_id: int | None = None, tags: Iterable[str] = (),
              solved: bool | None = None, created_at: datetime, visible: bool = True,
              thread_visible: bool | None = None) -> dict[str, Any]:
    """One index row from index_entry's arguments (validated, body reduced to plain text)."""
    search_kind = SearchKind(kind)
    kind = search_kind.value
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    title = t.plain_text(title or "")[:300]
    body = t.plain_text(body or "")
    return {
        "kind": kind, "object_id": int(object_id), "title": title, "body": body, "url": url[:500],
        "thread_id": thread_id, "category_id": category_id, "author_id": author_id,
        "tags": _tags_text(tags), "solved": solved, "visible": bool(visible), "created_at": created_at,
        "indexed_at": utcnow(), "parent_thread_id": thread_id, "given_thread_visible": thread_visible,
        "v_title": t.fold(title) if search_kind.indexes_title else "", "v_body": t.fold(body),
    }


_UPDATED = ("title", "body", "url", "thread_id", "category_id", "author_id", "tags", "solved", "visible",
            "created_at", "indexed_at")


def _thread_visible_insert() -> Any:
    # Given, or else inherited: a new entry of a hidden thread starts hidden.
    other = sa.alias(TABLE, "other")
    inherited = (
        sa.select(other.c.thread_visible)
        .where(other.c.thread_id == sa.bindparam("parent_thread_id"))
        .limit(1)
        .scalar_subquery()
    )
    return sa.func.coalesce(sa.bindparam("given_thread_visible", type_=sa.Boolean), inherited, sa.true())


def _thread_visible_update(excluded: Any) -> Any:
    # Given: take it; not given: keep the entry's current value.
    return sa.case((sa.bindparam("given_thread_visible", type_=sa.Boolean).is_(None), TABLE.c.thread_visible),
                   else_=excluded.thread_visible)


def _upsert_sqlite(session: Session, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(TABLE).values(thread_visible=_thread_visible_insert())
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "object_id"],
        set_={**{c: stmt.excluded[c] for c in _UPDATED}, "thread_visible": _thread_visible_update(stmt.excluded)},
    )
    session.execute(stmt, [{k: v for k, v in r.items() if not k.startswith("v_")} for r in rows])


def _pg_vector(title_param: str = "v_title", body_param: str = "v_body") -> Any:
    config = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    title = sa.func.setweight(sa.func.to_tsvector(config, sa.bindparam(title_param, type_=sa.Text)), sa.literal_column("'A'"))
    body = sa.func.setweight(sa.func.to_tsvector(config, sa.bindparam(body_param, type_=sa.Text)), sa.literal_column("'B'"))
    return title.op("||")(body)


_PG_TABLE = sa.table("search_entry", *(sa.column(c.name, c.type) for c in TABLE.c), sa.column("search_vector"))


def _upsert_postgresql(session: Session, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy.dialects.postgresql import insert

    stmt = insert(_PG_TABLE).values(search_vector=_pg_vector(), thread_visible=_thread_visible_insert())
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "object_id"],
        set_={**{c: stmt.excluded[c] for c in _UPDATED}, "search_vector": stmt.excluded.search_vector,
              "thread_visible": _thread_visible_update(stmt.excluded)},
    )
    session.execute(stmt, rows)


def index_entries(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Upsert many rows made by `entry_row` (for reindexers); returns how many."""
    upsert = _upsert_postgresql if dialect_name(session) == "postgresql" else _upsert_sqlite
    count = 0
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            upsert(session, batch)
            count += len(batch)
            batch = []
    if batch:
        upsert(session, batch)
        count += len(batch)
    return count


def index_entry(session: Session, *, kind: str, object_id: int, title: str, body: str, url: str,
                thread_id: int | None = None, category_id: int | None = None, author_id: int | None = None,
                tags: Iterable[str] = (), solved: bool | None = None, created_at: datetime,
                visible: bool = True, thread_visible: bool | None = None) -> None:
    """Insert or update the entry (kind, object_id). `body` may be plain text or sanitised HTML
    (markup is stripped: pass a post's body_html rather than its Markdown).

    Two visibilities, both required for an entry to be found: `visible` is the object's own
    state (a hidden or deleted post → False); `thread_visible` is its thread's (not thread.hidden),
    also set for all the thread's entries at once by update_thread_fields(visible=…). Left None,
    a new entry inherits it from the other entries of its thread and an existing one keeps it.
    """
    index_entries(session, [entry_row(
        kind=kind, object_id=object_id, title=title, body=body, url=url, thread_id=thread_id,
        category_id=category_id, author_id=author_id, tags=tags, solved=solved, created_at=created_at,
        visible=visible, thread_visible=thread_visible,
    )])


def remove_entry(session: Session, kind: str, object_id: int) -> None:
    session.execute(sa.delete(TABLE).where(TABLE.c.kind == SearchKind(kind).value, TABLE.c.object_id == object_id))


def update_thread_fields(session: Session, thread_id: int, *, category_id: int | None = None,
                         tags: Iterable[str] | None = None, solved: bool | None = None,
                         visible: bool | None = None) -> int:
    """Change every entry of a thread at once (moved, retagged, solved, hidden); None = unchanged.

    `visible` is the thread's visibility: hiding then showing a thread again leaves its
    individually hidden posts hidden. Returns the number of entries changed.
    """
    values: dict[str, Any] = {}
    if category_id is not None:
        values["category_id"] = category_id
    if tags is not None:
        values["tags"] = _tags_text(tags)
    if solved is not None:
        values["solved"] = solved
    if visible is not None:
        values["thread_visible"] = visible
    if not values:
        return 0
    result = session.execute(sa.update(TABLE).where(TABLE.c.thread_id == thread_id).values(**values))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- reindexing --------------------------------------------------------------------------------


def register_reindexer(kind: str, fn: Reindexer) -> None:
    """`fn(session) -> int` re-indexes every object of its feature (e.g. "forums": threads and posts)."""
    _reindexers[kind] = fn


def registered_reindexers() -> dict[str, Reindexer]:
    return dict(_reindexers)


def reindex(session: Session, only: Iterable[str] | None = None) -> dict[str, int]:
    """Run the reindexers, then drop the entries of the kinds they refreshed that they did not
    write again (objects deleted meanwhile). Flushes, does not commit."""
    started = utcnow()
    chosen = {k: fn for k, fn in _reindexers.items() if only is None or k in set(only)}
    counts = {name: fn(session) for name, fn in chosen.items()}
    refreshed = session.scalars(sa.select(TABLE.c.kind).where(TABLE.c.indexed_at >= started).distinct()).all()
    if refreshed:
        session.execute(sa.delete(TABLE).where(TABLE.c.kind.in_(refreshed), TABLE.c.indexed_at < started))
    if dialect_name(session) == "sqlite":
        session.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))  # noqa: S608 - constant
    else:
        session.execute(sa.text("ANALYZE search_entry"))
    return counts


def entry_for(session: Session, kind: str, object_id: int) -> Mapping[str, Any] | None:
    """The stored row of an object (tests and diagnostics)."""
    row = session.execute(sa.select(TABLE).where(TABLE.c.kind == kind, TABLE.c.object_id == object_id)).first()
    return None if row is None else row._mapping
