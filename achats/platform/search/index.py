"""Writing to the search index: upserts, container-wide updates, removals and reindexing.

SQLite: `search_entry_fts` (FTS5, external content) follows `search_entry` through triggers
(migrations 0003 and 0004). PostgreSQL: `search_vector` is written here, in the same statement
as the row: setweight(to_tsvector('french', title), 'A') || setweight(to_tsvector('french',
body), 'B'), both from accent-stripped text, so the `unaccent` extension is not needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Session

from achats.platform.db import utcnow
from achats.platform.features import SearchType, registry
from achats.platform.search import text as t
from achats.platform.search.audience import MEMBERS, checked
from achats.platform.search.models import SearchEntry

TABLE = cast(sa.Table, SearchEntry.__table__)
FTS_TABLE = "search_entry_fts"
PG_CONFIG = "french"
BATCH = 500

FacetValue = str | int | bool | Iterable[str] | None


class UnknownSearchType(ValueError):
    """No feature of this app declares the type."""


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def search_type(kind: str) -> SearchType | None:
    """The declared type (None outside an app: the index then trusts its callers)."""
    if not has_app_context():
        return None
    found = registry().search_types.get(kind)
    if found is None:
        raise UnknownSearchType(f"type d'entrée de recherche non déclaré : {kind}")
    return found


def _token_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).strip().replace(" ", "-")


def facet_tokens(facets: Mapping[str, FacetValue] | None) -> str:
    """{"category": 3, "tag": ["a", "b"], "solved": True} → " category:3 tag:a tag:b solved:1 "."""
    tokens: list[str] = []
    for key, value in (facets or {}).items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        for item in values:
            text = _token_value(item)
            if text:
                token = f"{key}:{text}"
                if token not in tokens:
                    tokens.append(token)
    return " " + " ".join(tokens) + " " if tokens else " "


def facet_token(key: str, value: Any) -> str:
    return f"{key}:{_token_value(value)}"


def entry_row(*, kind: str, object_id: int, title: str, body: str, url: str, created_at: datetime,
              container: tuple[str, int | None] | None = None, facets: Mapping[str, FacetValue] | None = None,
              owner_id: int | None = None, audience: str = MEMBERS, container_audience: str = MEMBERS,
              shadow: bool = False, pages: bool = False) -> dict[str, Any]:
    """One index row (validated; body reduced to plain text). `body` may be plain text or
    sanitised HTML (markup is stripped: pass a post's body_html rather than its Markdown).
    `pages`: the body is plain text already, its pages separated by form feeds (kept, so that a
    snippet can say on which page it was found; see text.page_snippet)."""
    declared = search_type(kind)
    if not kind or len(kind) > 30:
        raise UnknownSearchType(f"type d'entrée de recherche invalide : {kind!r}")
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    title = t.plain_text(title or "")[:300]
    body = t.page_text(body or "") if pages else t.plain_text(body or "")
    title_indexed = declared.indexes_title if declared is not None else True
    container_type, container_id = container if container is not None else (None, None)
    return {
        "kind": kind, "object_id": int(object_id), "title": title, "title_indexed": title_indexed, "body": body,
        "url": url[:500], "container_type": container_type, "container_id": container_id,
        "facets": facet_tokens(facets), "owner_id": owner_id, "audience": checked(audience),
        "container_audience": checked(container_audience), "shadow": bool(shadow), "created_at": created_at,
        "indexed_at": utcnow(),
        "v_title": t.fold(title) if title_indexed else "", "v_body": t.fold(body),
    }


_UPDATED = ("title", "title_indexed", "body", "url", "container_type", "container_id", "facets", "owner_id",
            "audience", "container_audience", "shadow", "created_at", "indexed_at")


def _upsert_sqlite(session: Session, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(TABLE)
    stmt = stmt.on_conflict_do_update(index_elements=["kind", "object_id"],
                                      set_={c: stmt.excluded[c] for c in _UPDATED})
    session.execute(stmt, [{k: v for k, v in r.items() if not k.startswith("v_")} for r in rows])


def _pg_vector(title_param: str = "v_title", body_param: str = "v_body") -> Any:
    config: Any = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    title = sa.func.setweight(sa.func.to_tsvector(config, sa.bindparam(title_param, type_=sa.Text)), sa.literal_column("'A'"))
    body = sa.func.setweight(sa.func.to_tsvector(config, sa.bindparam(body_param, type_=sa.Text)), sa.literal_column("'B'"))
    return title.op("||")(body)


_PG_TABLE = sa.table("search_entry", *(sa.column(c.name, c.type) for c in TABLE.c), sa.column("search_vector"))


def _upsert_postgresql(session: Session, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy.dialects.postgresql import insert

    stmt = insert(_PG_TABLE).values(search_vector=_pg_vector())
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "object_id"],
        set_={**{c: stmt.excluded[c] for c in _UPDATED}, "search_vector": stmt.excluded.search_vector},
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


def index_entry(session: Session, **fields: Any) -> None:
    """Insert or update the entry (kind, object_id); see `entry_row` for the fields.

    Two audiences, both required for an entry to be found: `audience` is the object's own (a
    hidden post: "role:moderator"; a pending document: "owner"); `container_audience` its
    container's (a hidden thread's), also set for all the container's entries at once by
    `update_container(audience=…)`."""
    index_entries(session, [entry_row(**fields)])


def remove_entry(session: Session, kind: str, object_id: int) -> None:
    session.execute(sa.delete(TABLE).where(TABLE.c.kind == kind, TABLE.c.object_id == object_id))


def remove_container(session: Session, container_type: str, container_id: int) -> None:
    session.execute(sa.delete(TABLE).where(TABLE.c.container_type == container_type,
                                           TABLE.c.container_id == container_id))


def update_container(session: Session, container_type: str, container_id: int, *,
                     facets: Mapping[str, FacetValue] | None = None, audience: str | None = None) -> int:
    """Change every entry of a container at once (a thread moved, retagged, solved or hidden).

    `facets` replaces the entries' facets (a container's entries share them); `audience` is the
    container's: hiding then showing a thread again leaves its individually hidden posts hidden.
    None leaves a field as it is. Returns the number of entries changed."""
    values: dict[str, Any] = {}
    if facets is not None:
        values["facets"] = facet_tokens(facets)
    if audience is not None:
        values["container_audience"] = checked(audience)
    if not values:
        return 0
    result = session.execute(sa.update(TABLE).where(
        TABLE.c.container_type == container_type, TABLE.c.container_id == container_id).values(**values))
    return int(getattr(result, "rowcount", 0) or 0)


# --- reindexing --------------------------------------------------------------------------------


def reindexable_types() -> dict[str, SearchType]:
    return {name: st for name, st in registry().search_types.items() if st.reindex is not None}


def reindex(session: Session, only: Iterable[str] | None = None) -> dict[str, int]:
    """Run the declared types' reindexers, then drop the entries of the types they refreshed that
    they did not write again (objects deleted meanwhile). Flushes, does not commit."""
    started = utcnow()
    wanted = set(only) if only is not None else None
    chosen = {k: st for k, st in reindexable_types().items() if wanted is None or k in wanted}
    counts = {name: st.reindex(session) for name, st in chosen.items() if st.reindex is not None}
    if chosen:
        session.execute(sa.delete(TABLE).where(TABLE.c.kind.in_(list(chosen)), TABLE.c.indexed_at < started))
    if dialect_name(session) == "sqlite":
        session.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))  # noqa: S608 - constant
    else:
        session.execute(sa.text("ANALYZE search_entry"))
    return counts


def entry_for(session: Session, kind: str, object_id: int) -> sa.RowMapping | None:
    """The stored row of an object (tests and diagnostics)."""
    row = session.execute(sa.select(TABLE).where(TABLE.c.kind == kind, TABLE.c.object_id == object_id)).first()
    return None if row is None else row._mapping
