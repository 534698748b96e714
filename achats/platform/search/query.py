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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
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
from achats.platform.search.audience import OWNER, Reader, reader_of
from achats.platform.search.index import FTS_TABLE, PG_CONFIG, TABLE, dialect_name, facet_token

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
    container_type: str | None
    container_id: int | None
    title_html: Markup = Markup("")
    owner_id: int | None = None
    facets: str = " "
    # The page the snippet comes from, for bodies indexed with their pages (files: 1 = first page,
    # 0 = the description before them); None otherwise.
    page: int | None = None

    def facet(self, key: str) -> str | None:
        """The first value of a facet of the entry ("category" → "3"), or None."""
        values = self.facet_values(key)
        return values[0] if values else None

    def facet_values(self, key: str) -> list[str]:
        prefix = key + ":"
        return [token[len(prefix):] for token in self.facets.split() if token.startswith(prefix)]


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
    facets: int
    container: bool
    owner: bool
    date_from: bool
    date_to: bool


def _where(shape: _Shape, c: Any = None) -> list[Any]:
    """The reader's and the filters' conditions, on the index table's columns (or `c`, those of
    a CTE carrying the same names)."""
    c = TABLE.c if c is None else c
    audiences = sa.bindparam("audiences", expanding=True, type_=sa.String)
    where: list[Any] = [
        # The entry's own audience (or its owner), and its container's: both must admit the reader.
        sa.or_(c.audience.in_(audiences),
               sa.and_(c.audience == OWNER, c.owner_id == sa.bindparam("reader_id", type_=sa.Integer))),
        c.container_audience.in_(audiences),
    ]
    if shape.types:
        kinds = sa.bindparam("kinds", expanding=True, type_=sa.String)
        where.append(c.kind.in_(kinds))
        # A shadow repeats its container's entry: shown only when the container's type is not asked.
        where.append(sa.or_(c.shadow.is_(False), c.container_type.not_in(kinds)))
    else:
        where.append(c.shadow.is_(False))
    for n in range(shape.facets):
        where.append(c.facets.like(sa.bindparam(f"facet_{n}", type_=sa.Text), escape="\\"))
    if shape.container:
        where.append(c.container_type == sa.bindparam("container_type", type_=sa.String))
        where.append(c.container_id == sa.bindparam("container_id", type_=sa.Integer))
    if shape.owner:
        where.append(c.owner_id == sa.bindparam("owner_id", type_=sa.Integer))
    if shape.date_from:
        where.append(c.created_at >= sa.bindparam("date_from", type_=c.created_at.type))
    if shape.date_to:
        where.append(c.created_at < sa.bindparam("date_to", type_=c.created_at.type))
    return where


def _like_token(key: str, value: Any) -> str:
    token = facet_token(key, value)
    return "% " + token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " %"


def _params(*, reader: Reader, types: Iterable[str] | None, facets: Mapping[str, Any] | None,
            container: tuple[str, int] | None, owner_id: int | None, date_from: date | datetime | None,
            date_to: date | datetime | None) -> tuple[_Shape, dict[str, Any]]:
    params: dict[str, Any] = {"audiences": sorted(reader.audiences), "reader_id": reader.user_id}
    kinds = sorted({str(k) for k in types}) if types else []
    if kinds:
        params["kinds"] = kinds
    facet_items = [(k, v) for k, v in sorted((facets or {}).items()) if v is not None and str(v) != ""]
    for n, (key, value) in enumerate(facet_items):
        params[f"facet_{n}"] = _like_token(key, value)
    if container is not None:
        params["container_type"], params["container_id"] = container
    if owner_id is not None:
        params["owner_id"] = owner_id
    if date_from is not None:
        params["date_from"] = _day_start(date_from)
    if date_to is not None:
        # A date is inclusive (the whole day, Paris time); a datetime is an exclusive bound.
        params["date_to"] = _day_start(date_to, next_day=True)
    shape = _Shape(types=bool(kinds), facets=len(facet_items), container=container is not None,
                   owner=owner_id is not None, date_from=date_from is not None, date_to=date_to is not None)
    return shape, params


_UNFILTERED = _Shape(types=False, facets=0, container=False, owner=False, date_from=False, date_to=False)

# --- statements ------------------------------------------------------------------------------

_COLUMNS = ("kind", "object_id", "title", "body", "url", "created_at", "container_type", "container_id",
            "owner_id", "facets")
_RECENT = (TABLE.c.created_at.desc(), TABLE.c.id.desc())
_LIMIT = sa.bindparam("limit", type_=sa.Integer)
_OFFSET = sa.bindparam("offset", type_=sa.Integer)


@lru_cache(maxsize=64)
def _sqlite_statements(shape: _Shape) -> tuple[Any, Any]:
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    fts_name: Any = sa.literal_column(FTS_TABLE)
    match = fts_name.op("MATCH")(sa.bindparam("match", type_=sa.Text))
    base = sa.select().select_from(fts.join(TABLE, TABLE.c.id == fts.c.rowid)).where(match, *_where(shape))
    score = (-sa.func.bm25(fts_name, *SQLITE_BM25)).label("score")
    page = (base.add_columns(*(TABLE.c[n] for n in _COLUMNS), score)
            .order_by(sa.text("score DESC"), *_RECENT).limit(_LIMIT).offset(_OFFSET))
    capped = base.add_columns(sa.literal(1)).limit(sa.bindparam("cap", type_=sa.Integer)).subquery()
    count = sa.select(sa.func.count()).select_from(capped)
    return page, count


_FILTERED = ("object_id", "kind", "audience", "owner_id", "container_audience", "shadow", "container_type",
             "container_id", "facets", "created_at")


def _gin_matches(tsquery: Any, filtered: bool = False) -> Any:
    """The entries matching `tsquery`, as a MATERIALIZED CTE with no other condition: PostgreSQL
    can only read them from the GIN index (a bitmap of the posting lists, rows visited without
    decompressing their vectors), instead of testing `@@` row by row on another index's rows.
    `filtered`: with the columns the reader's conditions need (_where on the CTE, no join)."""
    vector: Any = sa.literal_column("search_entry.search_vector")
    columns = [TABLE.c.id.label("match_id"), *(TABLE.c[n] for n in (_FILTERED if filtered else ()))]
    return sa.select(*columns).where(vector.op("@@")(tsquery)).cte("gin_matches").prefix_with("MATERIALIZED")


@lru_cache(maxsize=128)
def _pg_statements(shape: _Shape, few: bool = False) -> tuple[Any, Any]:
    """`few`: the words match few entries (see _few_matches) — take them from the GIN index."""
    config: Any = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    tsquery = sa.func.plainto_tsquery(config, sa.bindparam("q", type_=sa.Text))
    vector: Any = sa.literal_column("search_entry.search_vector")
    window_plus_one = sa.bindparam("window_plus_one", type_=sa.Integer)
    # Many matches: the newest are found by walking the date index and testing each entry on
    # the way. The test is written ts_match_vq(vector, query), the function behind `@@`: no
    # index serves a function call, and the planner, taking a third of the entries as matching,
    # walks the (created_at, id) index without being told. With `@@` it trusts its estimate of
    # the words' frequencies, taken as independent ("papier recyclé": 486 expected, 6,902 real
    # among 110,000 entries), fetches every match through the GIN index and sorts them by date
    # (13 ms); the walk tests ~1,400 entries (1.3 ms). Above FEW_MATCHES matches it tests at most
    # ~1/10 of the entries, whatever the words.
    walk = sa.select().select_from(TABLE).where(sa.func.ts_match_vq(vector, tsquery), *_where(shape))
    if few:
        # Few matches: every one from the GIN index (with the columns the reader's conditions
        # need: no second lookup by key), the newest kept. Walking the date index instead tests
        # every entry on its way, decompressing each long document's vector: 390 ms for a
        # selective two-word search over 10,000 documents of 30 pages, against 14 ms this way.
        matches = _gin_matches(tsquery, filtered=True)
        newest = (sa.select(matches.c.match_id.label("id"), matches.c.created_at).where(*_where(shape, matches.c))
                  .order_by(matches.c.created_at.desc(), matches.c.match_id.desc())
                  .limit(window_plus_one).subquery("newest"))
    else:
        newest = (walk.add_columns(TABLE.c.id, TABLE.c.created_at).order_by(*_RECENT)
                  .limit(window_plus_one).subquery("newest"))
    score = sa.func.ts_rank_cd(sa.literal_column(f"'{PG_WEIGHTS}'::float4[]"), vector, tsquery).label("score")
    columns = [*(TABLE.c[n] for n in _COLUMNS), score, sa.cast(tsquery, sa.Text).label("tsq")]
    # The newest RANK_WINDOW + 1 matches (the extra one only tells that more follow), ranked.
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
    tail = walk.add_columns(*columns).order_by(*_RECENT).limit(_LIMIT).offset(_OFFSET)
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
        window_params = {**params, "window": RANK_WINDOW, "window_plus_one": RANK_WINDOW + 1, "limit": limit,
                         "offset": offset}
        if _few_matches(session, shape, params):
            ranked = _pg_statements(shape, True)[0]
        rows = list(session.execute(ranked, window_params).all())
        if not rows:
            return [], None, None  # no match, or past the last one
        counted = rows[0].matches
    if (counted is None or counted > RANK_WINDOW) and len(rows) < limit:
        # Past the window: the remaining matches, newest first (the window holds the newest).
        rows += session.execute(tail, {**params, "limit": limit - len(rows), "offset": offset + len(rows)}).all()
        if counted is None and rows:
            counted = RANK_WINDOW + 1  # offset ≥ RANK_WINDOW and still matches
    return rows, counted, (rows[0].tsq if rows else None)


FEW_MATCHES = 1_000


@lru_cache(maxsize=64)
def _pg_probe(shape: _Shape) -> Any:
    config: Any = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    tsquery = sa.func.plainto_tsquery(config, sa.bindparam("q", type_=sa.Text))
    # The reader's conditions on the CTE's own columns: each match is read once from the heap
    # (no second lookup by primary key), and the CTE stops at the limit.
    matches = _gin_matches(tsquery, filtered=True)
    inner = (sa.select(matches.c.match_id).where(*_where(shape, matches.c))
             .limit(sa.bindparam("probe", type_=sa.Integer)).subquery())
    return sa.select(sa.func.count()).select_from(inner)


@lru_cache(maxsize=4)
def _pg_explain_sql(dialect: Any, analyze: bool) -> str:
    """EXPLAIN of the entries matching the words, whatever their audience: without ANALYZE the
    planner's estimate (no row read); with it, of a statement that takes them from the GIN index
    (a MATERIALIZED CTE is planned for all its rows) and fetches one."""
    config: Any = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    tsquery = sa.func.plainto_tsquery(config, sa.bindparam("q", type_=sa.Text))
    matches = sa.select(TABLE.c.id).where(sa.literal_column("search_entry.search_vector").op("@@")(tsquery))
    if not analyze:
        return "EXPLAIN (FORMAT JSON) " + str(matches.compile(dialect=dialect))
    cte = matches.cte("gin_matches").prefix_with("MATERIALIZED")
    first = sa.select(cte.c.id).limit(sa.literal_column("1"))
    return "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + str(first.compile(dialect=dialect))


def _explain(session: Session, params: dict[str, Any], *, analyze: bool) -> list[dict[str, Any]]:
    """The plan's nodes, outermost first."""
    sql = _pg_explain_sql(session.get_bind().dialect, analyze)
    plan: Any = session.connection().exec_driver_sql(sql, {"q": params["q"]}).scalar()
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    nodes, pending = [], [plan[0]["Plan"]]
    while pending:
        node = pending.pop(0)
        nodes.append(node)
        pending += node.get("Plans", [])
    return nodes


def _planner_estimate(session: Session, params: dict[str, Any]) -> float:
    """The planner's estimate of the entries matching the words (no filter), from its statistics
    of each word; no row is read."""
    return float(_explain(session, params, analyze=False)[0]["Plan Rows"])


def _gin_count(session: Session, params: dict[str, Any]) -> int | None:
    """How many entries match the words, whatever their audience, at most: the rows of the
    bitmap that PostgreSQL builds from the GIN index's posting lists, read off EXPLAIN ANALYZE;
    one row is fetched from the table. The bitmap also holds the row versions that updates and
    deletions left until they are vacuumed, so the count is an upper bound (exact on a vacuumed
    table): at most FEW_MATCHES means few for sure; above, a table full of dead versions could
    take the walk for words that match few live entries (slower, never wrong). 4 ms for
    "papier recyclé" (7,677 matches) where counting matches through the table to
    FEW_MATCHES + 1 takes 7 ms. None when the planner did not take the index (a small table:
    it reads the table instead)."""
    for node in _explain(session, params, analyze=True):
        if node.get("Node Type") == "Bitmap Index Scan":
            return int(node["Actual Rows"])
    return None


def _few_matches(session: Session, shape: _Shape, params: dict[str, Any]) -> bool:
    """Whether the words match at most FEW_MATCHES entries: counted through the GIN index, whatever
    the planner would guess.

    The planner multiplies the words' frequencies as if they were independent; words of one
    phrase go together, so the real count is larger ("papier recyclé": 486 expected, 6,902
    real). When even that estimate is above FEW_MATCHES, the matches are many without counting
    them (counting "clause réemploi" through the index costs 10 ms: 15,000 postings).

    A search with no filter but the reader's audience counts the index's matches for anyone
    (_gin_count): members see all but the hidden entries and the shadows (a tenth here), so the
    count decides as well. A filtered search (types, facets, author, dates, a container) counts
    its own matches, to at most FEW_MATCHES + 1, through the table: a filter can leave few of
    many."""
    if _planner_estimate(session, params) > FEW_MATCHES:
        return False
    if shape == _UNFILTERED:
        counted = _gin_count(session, params)
        if counted is not None:
            return counted <= FEW_MATCHES
    found = session.scalar(_pg_probe(shape), {**params, "probe": FEW_MATCHES + 1}) or 0
    return int(found) <= FEW_MATCHES


@contextmanager
def _no_seqscan(session: Session, *, hash_groups: bool = False) -> Iterator[None]:
    """No sequential scan for the statements of the block (this transaction only, restored
    after): the matches come from the GIN index, see _gin_matches. `hash_groups`: no sort
    either, so that a GROUP BY over the matches hashes its few groups (the planner, misled by
    the row estimate after the CTE, sorted 80,000 facet tokens on disk)."""
    session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    if hash_groups:
        session.execute(sa.text("SET LOCAL enable_sort = off"))
    try:
        yield
    finally:
        session.execute(sa.text("SET LOCAL enable_seqscan = on"))
        if hash_groups:
            session.execute(sa.text("SET LOCAL enable_sort = on"))


_LEXEME = re.compile(r"'((?:[^']|'')*)'")


def _pg_roots(tsquery_text: str | None, terms: list[str]) -> list[t.Root]:
    """Highlight rules on PostgreSQL: the Snowball stems of the query (as prefixes of folded
    words) plus the light roots, so 'énergies' marks 'énergie' and 'énergétique'."""
    stems = [m.replace("''", "'") for m in _LEXEME.findall(tsquery_text or "")]
    roots = [t.Root(s, prefix=len(s) >= 3) for s in stems]
    return roots + [r for r in t.sqlite_roots(terms) if r not in roots]


def search(session: Session, q: str | None, *, viewer: Any, types: Iterable[str] | None = None,
           facets: Mapping[str, Any] | None = None, container: tuple[str, int] | None = None,
           owner_id: int | None = None, date_from: date | datetime | None = None,
           date_to: date | datetime | None = None, limit: int = 20, offset: int = 0) -> SearchResults:
    """Ranked hits for a user's free text (any text: no syntax is interpreted); empty → none.

    Only entries whose audience and container audience admit `viewer` (an account, or a
    `Reader`) come back: the filter is part of the query, not applied to its results.
    `facets` {"category": 3, "tag": "cantine"} keeps entries carrying every one of them.

    Results are kept in the derived cache (achats.platform.cache, namespace "content") for
    ACHATS_SEARCH_CACHE_SECONDS: the same words, filters and audiences give the same hits until
    the indexed content changes."""
    terms = t.query_terms(q)
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    if not terms or offset >= MAX_OFFSET:
        return SearchResults(terms=tuple(terms))
    reader = effective_reader(session, viewer)
    filters = dict(reader=reader, types=tuple(sorted(types)) if types else None,
                   facets=tuple(sorted((facets or {}).items())) or None, container=container, owner_id=owner_id,
                   date_from=date_from, date_to=date_to)
    seconds = current_app.config.get("ACHATS_SEARCH_CACHE_SECONDS", 0) if has_app_context() else 0
    if not seconds:
        return _search(session, terms, filters, limit, offset)
    key = ("search", tuple(terms), tuple(sorted(filters.items(), key=lambda kv: kv[0])), limit, offset)
    return memo("content", key, lambda: _search(session, terms, filters, limit, offset), ttl=seconds)


def effective_reader(session: Session, viewer: Any) -> Reader:
    """The reader as far as results go: their id is kept only when it changes what they see
    (they own entries restricted to their owner), so that other readers share cached results."""
    reader = reader_of(viewer)
    if reader.user_id and not reader.sees_owned_by_anyone and reader.user_id not in restricted_owners(session):
        return Reader(reader.audiences)
    return reader


def restricted_owners(session: Session) -> frozenset[int]:
    """Who owns an entry restricted to its owner (pending documents): few, kept until a change."""
    def compute() -> frozenset[int]:
        return frozenset(session.scalars(
            sa.select(TABLE.c.owner_id).where(TABLE.c.audience == OWNER, TABLE.c.owner_id.is_not(None)).distinct()))

    if not has_app_context():
        return compute()
    return memo("content", "search-restricted-owners", compute)


def _search(session: Session, terms: list[str], filters: dict[str, Any], limit: int, offset: int) -> SearchResults:
    shape, params = _params(**{**filters, "facets": dict(filters["facets"] or ())})
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
    hits = []
    for r in rows:
        body = r.body or ""
        page = None
        if t.PAGE_BREAK in body:
            snippet_html, page = t.page_snippet(body, roots)
        else:
            snippet_html = t.snippet(body, roots)
        hits.append(Hit(kind=r.kind, object_id=r.object_id, title=r.title, url=r.url, snippet_html=snippet_html,
                        score=float(r.score or 0.0), created_at=r.created_at, container_type=r.container_type,
                        container_id=r.container_id, title_html=t.highlight(r.title, roots), owner_id=r.owner_id,
                        facets=r.facets or " ", page=page))
    return SearchResults(hits=hits, total=total, capped=capped, has_more=has_more, terms=tuple(terms))


def _matching_statement(session: Session, terms: list[str], reader: Reader, types: Iterable[str] | None,
                        facets: Mapping[str, Any] | None, column: Any) -> tuple[Any, dict[str, Any]]:
    shape, params = _params(reader=reader, types=types, facets=facets, container=None, owner_id=None,
                            date_from=None, date_to=None)
    if dialect_name(session) == "postgresql":
        config: Any = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
        match = sa.literal_column("search_entry.search_vector").op("@@")(
            sa.func.plainto_tsquery(config, sa.bindparam("q", type_=sa.Text)))
        stmt = sa.select(column).select_from(TABLE).where(match, *_where(shape))
        params["q"] = " ".join(terms)
    else:
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        match = sa.literal_column(FTS_TABLE).op("MATCH")(sa.bindparam("match", type_=sa.Text))
        stmt = sa.select(column).select_from(fts.join(TABLE, TABLE.c.id == fts.c.rowid)).where(match, *_where(shape))
        params["match"] = t.fts5_match(terms)
    return stmt, params


def matching_ids(session: Session, q: str | None, *, viewer: Any, types: Iterable[str] | None = None,
                 facets: Mapping[str, Any] | None = None, column: str = "object_id",
                 limit: int = 1000) -> list[int]:
    """The ids (`object_id` or `container_id`) of the entries matching `q` for `viewer`, newest
    first, at most `limit`: for a list page that filters its own rows by the same engine (the
    thread list's ?q=, the library's search) and orders them its way."""
    terms = t.query_terms(q)
    if not terms:
        return []
    target = TABLE.c[column]
    stmt, params = _matching_statement(session, terms, reader_of(viewer), types, facets, target)
    stmt = stmt.where(target.is_not(None)).order_by(*_RECENT).limit(limit * 4)
    found: list[int] = []
    for value in session.scalars(stmt, params):
        if value not in found:
            found.append(int(value))
            if len(found) >= limit:
                break
    return found


@dataclass(frozen=True)
class FacetCounts:
    """The matches' facet counts: `total` matches every active filter; `counts[token]` is the
    number of matches carrying `token` among those that match the active filters of the other
    groups (a group is a token's key, before the first ':')."""

    total: int
    counts: dict[str, int]


def count_facet_tokens(rows: Iterable[str], active: Mapping[str, str]) -> FacetCounts:
    """FacetCounts from each match's facets text, in Python (SQLite, and the rule PostgreSQL's
    statement follows): a match missing none of the active tokens counts in every group, one
    missing exactly one counts only in that token's group, the rest count nowhere."""
    from collections import Counter

    everywhere: Counter[str] = Counter()
    only: dict[str, Counter[str]] = {group: Counter() for group in active}
    wanted = list(active.items())
    total = 0
    for text in rows:
        toks = text.split()
        missing = [group for group, tok in wanted if tok not in toks] if wanted else []
        if not missing:
            total += 1
            everywhere.update(toks)
        elif len(missing) == 1:
            only[missing[0]].update(tok for tok in toks if tok.split(":", 1)[0] == missing[0])
    counts = dict(everywhere)
    for counter in only.values():
        for tok, n in counter.items():
            counts[tok] = counts.get(tok, 0) + n
    return FacetCounts(total, counts)


def facet_counts(session: Session, q: str | None, *, viewer: Any, types: Iterable[str] | None = None,
                 active: Mapping[str, str] | None = None, limit: int = 10_000, tokens: bool = True) -> FacetCounts:
    """The facet counts of the entries matching `q` for `viewer` (at most `limit` matches), with
    the `active` filters ({group: token}) applied as FacetCounts says; `tokens=False`: the total only.

    PostgreSQL counts in the database (the matches' tokens unnested and grouped: no row leaves
    it), over the matches read through the GIN index (see matching_facets)."""
    active = dict(active or {})
    terms = t.query_terms(q)
    if not terms:
        return FacetCounts(0, {})
    if dialect_name(session) != "postgresql":
        return count_facet_tokens((f for _i, f in matching_facets(session, q, viewer=viewer, types=types,
                                                                 limit=limit)), active)
    from sqlalchemy.dialects.postgresql import ARRAY

    shape, params = _params(reader=reader_of(viewer), types=types, facets=None, container=None, owner_id=None,
                            date_from=None, date_to=None)
    config: Any = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    matches = _gin_matches(sa.func.plainto_tsquery(config, sa.bindparam("q", type_=sa.Text)), filtered=True)
    toks_of = sa.func.string_to_array(sa.func.btrim(sa.func.coalesce(matches.c.facets, "")), " ", type_=ARRAY(sa.Text))
    rows = sa.select(toks_of.label("toks")).where(*_where(shape, matches.c)).limit(limit).cte("rows")
    groups = list(active)
    has = [rows.c.toks.op("@>")(sa.bindparam(f"active_{i}", [active[g]], type_=ARRAY(sa.Text))).label(f"has_{i}")
           for i, g in enumerate(groups)]
    missing: Any = sum((sa.cast(sa.not_(h), sa.Integer) for h in has), sa.literal(0))
    flags = sa.select(rows.c.toks, *has, missing.label("missing")).cte("flags")
    token = sa.func.unnest(flags.c.toks).table_valued("tok").render_derived()
    group_of = sa.func.split_part(token.c.tok, ":", 1)
    rule = sa.case(*((group_of == g, sa.or_(flags.c.missing == 0,
                                           sa.and_(flags.c.missing == 1, sa.not_(flags.c[f"has_{i}"]))))
                     for i, g in enumerate(groups)), else_=flags.c.missing == 0) if groups else flags.c.missing == 0
    per_token = (sa.select(token.c.tok, sa.func.count().filter(rule).label("n"))
                 .select_from(flags).join(token, sa.true()).group_by(token.c.tok))
    total = sa.select(sa.literal(None, sa.Text).label("tok"), sa.func.count().filter(flags.c.missing == 0))
    stmt = per_token.union_all(total) if tokens else total
    with _no_seqscan(session, hash_groups=True):
        found = session.execute(stmt, {**params, "q": " ".join(terms)}).all()
    counts = {tok: int(n) for tok, n in found if tok is not None and n}
    return FacetCounts(next((int(n) for tok, n in found if tok is None), 0), counts)


def matching_facets(session: Session, q: str | None, *, viewer: Any, types: Iterable[str] | None = None,
                    limit: int = 10_000) -> list[tuple[int, str]]:
    """(object_id, facets) of the entries matching `q` for `viewer`, in no particular order, at
    most `limit`: a faceted list counts its facets from these in one query (each facet's count
    with the other filters applied is then a matter of the tokens, see facet_tokens).

    PostgreSQL: the matches are read through the GIN index (a bitmap scan that reads only the
    rows' facets). The planner prices `@@` on a large TOASTed tsvector as cheap and, for
    frequent words, prefers a sequential scan that decompresses every document's vector: on
    10,000 documents of 30 pages, 310 ms against 19 ms. It is told not to, for this query."""
    terms = t.query_terms(q)
    if not terms:
        return []
    if dialect_name(session) != "postgresql":
        stmt, params = _matching_statement(session, terms, reader_of(viewer), types, None, TABLE.c.object_id)
        stmt = stmt.add_columns(TABLE.c.facets).limit(limit)
        return [(int(i), f or " ") for i, f in session.execute(stmt, params)]
    shape, params = _params(reader=reader_of(viewer), types=types, facets=None, container=None, owner_id=None,
                            date_from=None, date_to=None)
    config: Any = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    matches = _gin_matches(sa.func.plainto_tsquery(config, sa.bindparam("q", type_=sa.Text)), filtered=True)
    stmt = sa.select(matches.c.object_id, matches.c.facets).where(*_where(shape, matches.c)).limit(limit)
    with _no_seqscan(session):
        return [(int(i), f or " ") for i, f in session.execute(stmt, {**params, "q": " ".join(terms)})]
