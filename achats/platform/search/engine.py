"""Writing to and querying the search index, on SQLite (FTS5) and PostgreSQL (tsvector).

SQLite: `search_entry_fts` is an external-content FTS5 table over (title, body), tokenizer
`unicode61 remove_diacritics 2`, kept in step with `search_entry` by triggers (migration
0003_search). Queries are the folded words of the user's text, each quoted and, from three
letters on, used as the prefix of a light root ('clauses' → "claus"*). Ranking: bm25 with the
title weighing ten times the body.

PostgreSQL: `search_entry.search_vector` = setweight(to_tsvector('french', title), 'A') ||
setweight(to_tsvector('french', body), 'B'), both computed here from accent-stripped text (so no
`unaccent` extension), GIN-indexed. Queries: plainto_tsquery('french', folded words) — Snowball
stemming and stop words, no syntax from user input; ranking ts_rank_cd with the title weighing
most. Snippets are built in Python from the original text on both engines (escaped, then <mark>).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from achats.platform.dates import PARIS
from achats.platform.db import utcnow
from achats.platform.search import text as t
from achats.platform.search.models import SearchEntry, SearchKind

TABLE = SearchEntry.__table__
FTS_TABLE = "search_entry_fts"
PG_CONFIG = "french"
COUNT_CAP = 1000  # counting every match of a frequent word is what makes searches slow
MAX_OFFSET = 1000
BATCH = 500
# ts_rank_cd weights for {D, C, B, A}: the title (A) far above the body (B).
PG_WEIGHTS = "{0.05, 0.1, 0.2, 1.0}"
SQLITE_BM25 = (10.0, 1.0)  # title, body

Reindexer = Callable[[Session], int]
_reindexers: dict[str, Reindexer] = {}


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    snippet_html: Markup
    score: float
    created_at: datetime
    thread_id: int | None
    title_html: Markup = Markup("")
    category_id: int | None = None
    author_id: int | None = None
    solved: bool | None = None


@dataclass(frozen=True)
class SearchResults:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # exact up to COUNT_CAP; `capped` says there are more
    capped: bool = False
    has_more: bool = False  # another page exists after this one
    terms: tuple[str, ...] = ()


# --- writing ---------------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _tags_text(tags: Iterable[str] | None) -> str:
    slugs = [s.strip() for s in (tags or ()) if s and s.strip()]
    return " " + " ".join(dict.fromkeys(s.replace(" ", "-") for s in slugs)) + " " if slugs else " "


def entry_row(*, kind: str, object_id: int, title: str, body: str, url: str, thread_id: int | None = None,
              category_id: int | None = None, author_id: int | None = None, tags: Iterable[str] = (),
              solved: bool | None = None, created_at: datetime, visible: bool = True) -> dict[str, Any]:
    """One index row from index_entry's arguments (validated, body reduced to plain text)."""
    kind = SearchKind(kind).value
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    title = t.plain_text(title or "")[:300]
    body = t.plain_text(body or "")
    return {
        "kind": kind, "object_id": int(object_id), "title": title, "body": body, "url": url[:500],
        "thread_id": thread_id, "category_id": category_id, "author_id": author_id,
        "tags": _tags_text(tags), "solved": solved, "visible": bool(visible), "created_at": created_at,
        "indexed_at": utcnow(), "parent_thread_id": thread_id, "v_title": t.fold(title), "v_body": t.fold(body),
    }


_UPDATED = ("title", "body", "url", "thread_id", "category_id", "author_id", "tags", "solved", "visible",
            "created_at", "indexed_at")


def _thread_visible_default() -> Any:
    # A new entry of a hidden thread starts hidden: it inherits the thread's visibility.
    other = sa.alias(TABLE, "other")
    inherited = (
        sa.select(other.c.thread_visible)
        .where(other.c.thread_id == sa.bindparam("parent_thread_id"))
        .limit(1)
        .scalar_subquery()
    )
    return sa.func.coalesce(inherited, sa.true())


def _upsert_sqlite(session: Session, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(TABLE).values(thread_visible=_thread_visible_default())
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "object_id"], set_={c: stmt.excluded[c] for c in _UPDATED}
    )
    session.execute(stmt, [{k: v for k, v in r.items() if not k.startswith("v_")} for r in rows])


def _pg_vector(title_param: str = "v_title", body_param: str = "v_body") -> Any:
    config = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    title = sa.func.setweight(sa.func.to_tsvector(config, sa.bindparam(title_param, type_=sa.Text)), "A")
    body = sa.func.setweight(sa.func.to_tsvector(config, sa.bindparam(body_param, type_=sa.Text)), "B")
    return title.op("||")(body)


_PG_TABLE = sa.table("search_entry", *(sa.column(c.name, c.type) for c in TABLE.c), sa.column("search_vector"))


def _upsert_postgresql(session: Session, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy.dialects.postgresql import insert

    stmt = insert(_PG_TABLE).values(search_vector=_pg_vector(), thread_visible=_thread_visible_default())
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "object_id"],
        set_={**{c: stmt.excluded[c] for c in _UPDATED}, "search_vector": stmt.excluded.search_vector},
    )
    session.execute(stmt, rows)


def index_entries(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Upsert many rows made by `entry_row` (for reindexers); returns how many."""
    upsert = _upsert_postgresql if _dialect(session) == "postgresql" else _upsert_sqlite
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
                visible: bool = True) -> None:
    """Insert or update the entry (kind, object_id). `body` may be plain text or sanitised HTML
    (markup is stripped). `visible` is the object's own state (a hidden or deleted post → False);
    a hidden thread is handled by update_thread_fields(visible=False), which new entries of that
    thread inherit."""
    index_entries(session, [entry_row(
        kind=kind, object_id=object_id, title=title, body=body, url=url, thread_id=thread_id,
        category_id=category_id, author_id=author_id, tags=tags, solved=solved, created_at=created_at,
        visible=visible,
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
    started = utcnow() - timedelta(seconds=1)
    chosen = {k: fn for k, fn in _reindexers.items() if only is None or k in set(only)}
    counts = {name: fn(session) for name, fn in chosen.items()}
    refreshed = session.scalars(sa.select(TABLE.c.kind).where(TABLE.c.indexed_at >= started).distinct()).all()
    if refreshed:
        session.execute(sa.delete(TABLE).where(TABLE.c.kind.in_(refreshed), TABLE.c.indexed_at < started))
    if _dialect(session) == "sqlite":
        session.execute(sa.text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
    else:
        session.execute(sa.text("ANALYZE search_entry"))
    return counts


# --- searching ---------------------------------------------------------------------------------


def _day_start(value: date | datetime, *, next_day: bool = False) -> datetime:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=PARIS)
        return aware.astimezone(UTC)
    day = value + timedelta(days=1) if next_day else value
    return datetime.combine(day, time.min, tzinfo=PARIS).astimezone(UTC)


def _filters(*, types: Iterable[str] | None, category_id: int | None, tag: str | None, author_id: int | None,
             solved: bool | None, date_from: date | datetime | None, date_to: date | datetime | None,
             include_hidden: bool) -> list[Any]:
    c = TABLE.c
    where: list[Any] = []
    if types:
        kinds = sorted({SearchKind(k).value for k in types})
        where.append(c.kind.in_(kinds))
    if category_id is not None:
        where.append(c.category_id == category_id)
    if tag:
        slug = tag.strip().replace("\\", "").replace("%", "").replace("_", "\\_")
        where.append(c.tags.like(f"% {slug} %", escape="\\"))
    if author_id is not None:
        where.append(c.author_id == author_id)
    if solved is not None:
        where.append(c.solved.is_(solved))
    if date_from is not None:
        where.append(c.created_at >= _day_start(date_from))
    if date_to is not None:
        # A date is inclusive (the whole day, Paris time); a datetime is an exclusive bound.
        where.append(c.created_at < _day_start(date_to, next_day=True))
    if not include_hidden:
        where.extend([c.visible.is_(True), c.thread_visible.is_(True)])
    return where


_COLUMNS = ("kind", "object_id", "title", "body", "url", "created_at", "thread_id", "category_id",
            "author_id", "solved")


def _sqlite_query(terms: list[str], where: list[Any]) -> tuple[Any, Any, list[t.Root]]:
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    fts_name = sa.literal_column(FTS_TABLE)
    match = fts_name.op("MATCH")(sa.bindparam("match", t.fts5_match(terms), type_=sa.Text))
    base = sa.select().select_from(fts.join(TABLE, TABLE.c.id == fts.c.rowid)).where(match, *where)
    score = (-sa.func.bm25(fts_name, *SQLITE_BM25)).label("score")
    page = base.add_columns(*(TABLE.c[n] for n in _COLUMNS), score).order_by(
        sa.text("score DESC"), TABLE.c.created_at.desc(), TABLE.c.id.desc())
    return page, base, t.sqlite_roots(terms)


def _pg_query(terms: list[str], where: list[Any]) -> tuple[Any, Any, list[t.Root]]:
    config = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    tsquery = sa.func.plainto_tsquery(config, sa.bindparam("q", " ".join(terms), type_=sa.Text))
    vector = sa.literal_column("search_entry.search_vector")
    base = sa.select().select_from(TABLE).where(vector.op("@@")(tsquery), *where)
    score = sa.func.ts_rank_cd(sa.literal_column(f"'{PG_WEIGHTS}'::float4[]"), vector, tsquery).label("score")
    page = base.add_columns(*(TABLE.c[n] for n in _COLUMNS), score).order_by(
        sa.text("score DESC"), TABLE.c.created_at.desc(), TABLE.c.id.desc())
    return page, base, []


_LEXEME = re.compile(r"'((?:[^']|'')*)'")


def _pg_roots(session: Session, terms: list[str]) -> list[t.Root]:
    """Highlight rules on PostgreSQL: the Snowball stems of the query (as prefixes of folded
    words) plus the light roots, so 'énergies' marks 'énergie' and 'énergétique'."""
    raw = session.scalar(sa.select(sa.cast(
        sa.func.plainto_tsquery(sa.literal_column(f"'{PG_CONFIG}'::regconfig"), " ".join(terms)), sa.Text)))
    stems = [m.replace("''", "'") for m in _LEXEME.findall(raw or "")]
    roots = [t.Root(s, prefix=len(s) >= 3) for s in stems]
    return roots + [r for r in t.sqlite_roots(terms) if r not in roots]


def search(session: Session, q: str | None, *, types: Iterable[str] | None = None, category_id: int | None = None,
           tag: str | None = None, author_id: int | None = None, solved: bool | None = None,
           date_from: date | datetime | None = None, date_to: date | datetime | None = None,
           include_hidden: bool = False, limit: int = 20, offset: int = 0) -> SearchResults:
    """Ranked hits for a user's free text (any text: no syntax is interpreted); empty → none."""
    terms = t.query_terms(q)
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    if not terms or offset >= MAX_OFFSET:
        return SearchResults(terms=tuple(terms))
    where = _filters(types=types, category_id=category_id, tag=tag, author_id=author_id, solved=solved,
                     date_from=date_from, date_to=date_to, include_hidden=include_hidden)
    pg = _dialect(session) == "postgresql"
    page, base, roots = (_pg_query if pg else _sqlite_query)(terms, where)
    rows = session.execute(page.limit(limit + 1).offset(offset)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not rows and offset == 0:
        return SearchResults(terms=tuple(terms))
    if not has_more:
        total, capped = offset + len(rows), False
    else:
        counted = session.scalar(
            sa.select(sa.func.count()).select_from(base.add_columns(sa.literal(1)).limit(COUNT_CAP + 1).subquery()))
        total = min(int(counted or 0), COUNT_CAP)
        capped = int(counted or 0) > COUNT_CAP
    if pg and rows:
        roots = _pg_roots(session, terms)
    hits = [
        Hit(kind=r.kind, object_id=r.object_id, title=r.title, url=r.url,
            snippet_html=t.snippet(r.body or "", roots), score=round(float(r.score or 0.0), 6),
            created_at=r.created_at, thread_id=r.thread_id, title_html=t.highlight(r.title, roots),
            category_id=r.category_id, author_id=r.author_id, solved=r.solved)
        for r in rows
    ]
    return SearchResults(hits=hits, total=total, capped=capped, has_more=has_more, terms=tuple(terms))


def entry_for(session: Session, kind: str, object_id: int) -> Mapping[str, Any] | None:
    """The stored row of an object (tests and diagnostics)."""
    row = session.execute(sa.select(TABLE).where(TABLE.c.kind == kind, TABLE.c.object_id == object_id)).first()
    return None if row is None else row._mapping
