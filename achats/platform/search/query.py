"""Searching the index: ranked hits, filters, counts and highlighted snippets.

SQLite: the query's folded words, each quoted (no FTS5 syntax from user input) and, from three
letters on, used as the prefix of a light root ('clauses' → "claus"*), all required; ranked by
bm25 with the title weighing ten times the body.

PostgreSQL: plainto_tsquery('french', folded words) — Snowball stems, stop words dropped, no
syntax from user input, all words required — served by the GIN index on search_vector; ranked
by ts_rank_cd with the title (weight A) far above the body (B), within a window of the newest
matches (see _pg_rows).

Snippets are built in Python from the original text on both engines: escaped first, then the
matching words wrapped in <mark>, so accents display as written and markup never gets through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from markupsafe import Markup
from sqlalchemy.orm import Session

from achats.platform.cache import memo
from achats.platform.dates import PARIS
from achats.platform.search import text as t
from achats.platform.search.index import FTS_TABLE, PG_CONFIG, TABLE, dialect_name
from achats.platform.search.models import SearchKind

# PostgreSQL ranks the RANK_WINDOW newest matches (see _pg_rows), and totals are counted up to
# that many: beyond, "plus de 100 résultats". Counting every match of two frequent words costs
# as much as the search itself; a person refines the query rather than reading page 40.
RANK_WINDOW = 100
COUNT_CAP = RANK_WINDOW
MAX_OFFSET = 1000
# ts_rank_cd weights for {D, C, B, A}: the title (A) far above the body (B).
PG_WEIGHTS = "{0.05, 0.1, 0.2, 1.0}"
SQLITE_BM25 = (10.0, 1.0)  # title, body


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


# --- filters ---------------------------------------------------------------------------------


def _day_start(value: date | datetime, *, next_day: bool = False) -> datetime:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=PARIS)
        return aware.astimezone(UTC)
    day = value + timedelta(days=1) if next_day else value
    return datetime.combine(day, time.min, tzinfo=PARIS).astimezone(UTC)


@dataclass(frozen=True)
class _Shape:
    """Which filters a search uses: one prepared statement per shape (building and hashing a
    statement costs more Python time than the rest of a search)."""

    types: bool
    category: bool
    tag: bool
    author: bool
    solved: bool
    date_from: bool
    date_to: bool
    include_hidden: bool


def _where(shape: _Shape) -> list[Any]:
    c = TABLE.c
    where: list[Any] = []
    if shape.types:
        where.append(c.kind.in_(sa.bindparam("kinds", expanding=True)))
    if shape.category:
        where.append(c.category_id == sa.bindparam("category_id", type_=sa.Integer))
    if shape.tag:
        where.append(c.tags.like(sa.bindparam("tag_pattern", type_=sa.Text), escape="\\"))
    if shape.author:
        where.append(c.author_id == sa.bindparam("author_id", type_=sa.Integer))
    if shape.solved:
        where.append(c.solved == sa.bindparam("solved", type_=sa.Boolean))
    if shape.date_from:
        where.append(c.created_at >= sa.bindparam("date_from", type_=c.created_at.type))
    if shape.date_to:
        where.append(c.created_at < sa.bindparam("date_to", type_=c.created_at.type))
    if not shape.include_hidden:
        where.extend([c.visible.is_(True), c.thread_visible.is_(True)])
    return where


def _params(*, types: Iterable[str] | None, category_id: int | None, tag: str | None, author_id: int | None,
            solved: bool | None, date_from: date | datetime | None, date_to: date | datetime | None,
            include_hidden: bool) -> tuple[_Shape, dict[str, Any]]:
    params: dict[str, Any] = {}
    kinds = sorted({SearchKind(k).value for k in types}) if types else []
    if kinds:
        params["kinds"] = kinds
    if category_id is not None:
        params["category_id"] = category_id
    slug = (tag or "").strip()
    if slug:
        params["tag_pattern"] = "% " + slug.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " %"
    if author_id is not None:
        params["author_id"] = author_id
    if solved is not None:
        params["solved"] = solved
    if date_from is not None:
        params["date_from"] = _day_start(date_from)
    if date_to is not None:
        # A date is inclusive (the whole day, Paris time); a datetime is an exclusive bound.
        params["date_to"] = _day_start(date_to, next_day=True)
    shape = _Shape(types=bool(kinds), category=category_id is not None, tag=bool(slug),
                   author=author_id is not None, solved=solved is not None, date_from=date_from is not None,
                   date_to=date_to is not None, include_hidden=include_hidden)
    return shape, params


# --- statements ------------------------------------------------------------------------------

_COLUMNS = ("kind", "object_id", "title", "body", "url", "created_at", "thread_id", "category_id",
            "author_id", "solved")
_RECENT = (TABLE.c.created_at.desc(), TABLE.c.id.desc())
_LIMIT = sa.bindparam("limit", type_=sa.Integer)
_OFFSET = sa.bindparam("offset", type_=sa.Integer)


@lru_cache(maxsize=64)
def _sqlite_statements(shape: _Shape) -> tuple[Any, Any]:
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    fts_name = sa.literal_column(FTS_TABLE)
    match = fts_name.op("MATCH")(sa.bindparam("match", type_=sa.Text))
    base = sa.select().select_from(fts.join(TABLE, TABLE.c.id == fts.c.rowid)).where(match, *_where(shape))
    score = (-sa.func.bm25(fts_name, *SQLITE_BM25)).label("score")
    page = (base.add_columns(*(TABLE.c[n] for n in _COLUMNS), score)
            .order_by(sa.text("score DESC"), *_RECENT).limit(_LIMIT).offset(_OFFSET))
    capped = base.add_columns(sa.literal(1)).limit(sa.bindparam("cap", type_=sa.Integer)).subquery()
    count = sa.select(sa.func.count()).select_from(capped)
    return page, count


@lru_cache(maxsize=64)
def _pg_statements(shape: _Shape) -> tuple[Any, Any]:
    config = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    tsquery = sa.func.plainto_tsquery(config, sa.bindparam("q", type_=sa.Text))
    vector = sa.literal_column("search_entry.search_vector")
    base = sa.select().select_from(TABLE).where(vector.op("@@")(tsquery), *_where(shape))
    score = sa.func.ts_rank_cd(sa.literal_column(f"'{PG_WEIGHTS}'::float4[]"), vector, tsquery).label("score")
    columns = [*(TABLE.c[n] for n in _COLUMNS), score, sa.cast(tsquery, sa.Text).label("tsq")]
    # The newest RANK_WINDOW + 1 matches (the extra one only tells that more follow). The
    # planner reads them through the (created_at, id) index when the words are frequent, or
    # takes every match from the GIN index and keeps the newest when they are rare.
    newest = (base.add_columns(TABLE.c.id, TABLE.c.created_at).order_by(*_RECENT)
              .limit(sa.bindparam("window_plus_one", type_=sa.Integer)).subquery("newest"))
    window = sa.select(
        newest.c.id,
        sa.func.row_number().over(order_by=(newest.c.created_at.desc(), newest.c.id.desc())).label("position"),
        sa.func.count().over().label("matches"),
    ).cte("window")
    ranked = (
        sa.select(*columns, window.c.matches)
        .select_from(TABLE.join(window, window.c.id == TABLE.c.id))
        .where(window.c.position <= sa.bindparam("window", type_=sa.Integer))
        .order_by(sa.text("score DESC"), *_RECENT)
        .limit(_LIMIT).offset(_OFFSET)
    )
    tail = base.add_columns(*columns).order_by(*_RECENT).limit(_LIMIT).offset(_OFFSET)
    return ranked, tail


def _sqlite_rows(session: Session, terms: list[str], shape: _Shape, params: dict[str, Any], limit: int,
                 offset: int) -> tuple[list[Any], int | None, str | None]:
    """FTS5 ranks every match with bm25 (fast enough in SQLite's C code for a development base).
    Returns the rows, the matches counted up to COUNT_CAP + 1 when needed, no stems."""
    page, count = _sqlite_statements(shape)
    params = {**params, "match": t.fts5_match(terms)}
    rows = list(session.execute(page, {**params, "limit": limit, "offset": offset}).all())
    counted = None
    if len(rows) >= limit or offset > 0:
        counted = int(session.scalar(count, {**params, "cap": COUNT_CAP + 1}) or 0)
    return rows, counted, None


def _pg_rows(session: Session, terms: list[str], shape: _Shape, params: dict[str, Any], limit: int,
             offset: int) -> tuple[list[Any], int | None, str | None]:
    """Rank the RANK_WINDOW newest matches by ts_rank_cd; list any further ones newest first.

    Ranking reads every ranked row's tsvector: ranking all the matches of two frequent words
    (7,000–25,000 rows of 100,000) took 100–250 ms, ranking the 100 newest 5–25 ms. The order
    stays a total one — positions inside the window by relevance, after it by date — so
    offsets page through every match exactly once; a forum favours recent answers anyway (the
    law changes). Returns the rows, the matches counted up to RANK_WINDOW + 1 (from the window:
    no separate COUNT), and the tsquery as text (its stems, for highlighting).
    """
    ranked, tail = _pg_statements(shape)
    params = {**params, "q": " ".join(terms)}
    rows: list[Any] = []
    counted: int | None = None
    if offset < RANK_WINDOW:
        rows = list(session.execute(ranked, {
            **params, "window": RANK_WINDOW, "window_plus_one": RANK_WINDOW + 1, "limit": limit, "offset": offset,
        }).all())
        if not rows:
            return [], None, None  # no match, or past the last one
        counted = rows[0].matches
    if (counted is None or counted > RANK_WINDOW) and len(rows) < limit:
        # Past the window: the remaining matches, newest first (the window holds the newest).
        rows += session.execute(tail, {**params, "limit": limit - len(rows), "offset": offset + len(rows)}).all()
        if counted is None and rows:
            counted = RANK_WINDOW + 1  # offset ≥ RANK_WINDOW and still matches
    return rows, counted, (rows[0].tsq if rows else None)


_LEXEME = re.compile(r"'((?:[^']|'')*)'")


def _pg_roots(tsquery_text: str | None, terms: list[str]) -> list[t.Root]:
    """Highlight rules on PostgreSQL: the Snowball stems of the query (as prefixes of folded
    words) plus the light roots, so 'énergies' marks 'énergie' and 'énergétique'."""
    stems = [m.replace("''", "'") for m in _LEXEME.findall(tsquery_text or "")]
    roots = [t.Root(s, prefix=len(s) >= 3) for s in stems]
    return roots + [r for r in t.sqlite_roots(terms) if r not in roots]


def search(session: Session, q: str | None, *, types: Iterable[str] | None = None, category_id: int | None = None,
           tag: str | None = None, author_id: int | None = None, solved: bool | None = None,
           date_from: date | datetime | None = None, date_to: date | datetime | None = None,
           include_hidden: bool = False, limit: int = 20, offset: int = 0) -> SearchResults:
    """Ranked hits for a user's free text (any text: no syntax is interpreted); empty → none.

    Results are kept in the derived cache (achats.platform.cache, namespace "content") for
    ACHATS_SEARCH_CACHE_SECONDS: the same words and filters give the same hits until the indexed
    content changes. Frequent words cost the database a pass over every match (~10 ms for 7,000
    of 100,000 entries); popular queries are asked again and again."""
    terms = t.query_terms(q)
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    if not terms or offset >= MAX_OFFSET:
        return SearchResults(terms=tuple(terms))
    filters = dict(types=tuple(sorted(types)) if types else None, category_id=category_id, tag=tag,
                   author_id=author_id, solved=solved, date_from=date_from, date_to=date_to,
                   include_hidden=include_hidden)
    seconds = current_app.config.get("ACHATS_SEARCH_CACHE_SECONDS", 0) if has_app_context() else 0
    if not seconds:
        return _search(session, terms, filters, limit, offset)
    key = ("search", tuple(terms), tuple(sorted(filters.items())), limit, offset)
    return memo("content", key, lambda: _search(session, terms, filters, limit, offset), ttl=seconds)


def _search(session: Session, terms: list[str], filters: dict[str, Any], limit: int, offset: int) -> SearchResults:
    shape, params = _params(**filters)
    pg = dialect_name(session) == "postgresql"
    rows, counted, tsquery_text = (_pg_rows if pg else _sqlite_rows)(session, terms, shape, params, limit + 1, offset)
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return SearchResults(terms=tuple(terms))
    if counted is None:  # everything fitted in this page
        counted = offset + len(rows)
    total, capped = min(counted, COUNT_CAP), counted > COUNT_CAP
    roots = _pg_roots(tsquery_text, terms) if pg else t.sqlite_roots(terms)
    hits = [
        Hit(kind=r.kind, object_id=r.object_id, title=r.title, url=r.url,
            snippet_html=t.snippet(r.body or "", roots), score=float(r.score or 0.0),
            created_at=r.created_at, thread_id=r.thread_id, title_html=t.highlight(r.title, roots),
            category_id=r.category_id, author_id=r.author_id, solved=r.solved)
        for r in rows
    ]
    return SearchResults(hits=hits, total=total, capped=capped, has_more=has_more, terms=tuple(terms))
