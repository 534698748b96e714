"""Reading: loading a thread or a post, the category overview, thread lists and read state.

A thread page is thread_page.py; related and similar threads are related.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import (
    Session,
    aliased,
    defaultload,
    joinedload,
    lazyload,
    load_only,
    selectinload,
)

from achats.auth.models import User
from achats.forums import permissions as perms
from achats.forums.models import (
    Category,
    Post,
    Thread,
    ThreadKind,
    ThreadRead,
    ThreadTag,
)
from achats.forums.services.listing import ThreadLike, ThreadRow, thread_rows
from achats.forums.services.stats import valid_id, visible_post
from achats.platform import search
from achats.platform.cache import memo
from achats.platform.db import utcnow
from achats.platform.ids import parse_id
from achats.platform.security import Role, has_role
from achats.platform.tags import Tag, TagFacet
from achats.platform.visibility import visible_to

PER_PAGE = 20
# A thread list filtered by words shows at most this many threads (a person refines the words).
MAX_MATCHED_THREADS = 500


# --- loading one object ------------------------------------------------------------------------


def thread_options() -> list[Any]:
    return [defaultload(Thread.author).lazyload(User.theme_rows)]


@lru_cache(maxsize=1)
def _thread_statement() -> Any:
    # Tags joined in the same query (a thread has a handful): one round trip per thread page.
    # Built once: SQLAlchemy reuses its cache key and compiled form.
    return (select(Thread).where(Thread.id == bindparam("thread_id", type_=Integer))
            .options(*thread_options(), joinedload(Thread.tags)))


def get_thread(session: Session, thread_id: Any, viewer: Any) -> Thread | None:
    """The thread if it exists and `viewer` may read it, else None (the views answer 404)."""
    if not valid_id(thread_id):
        return None
    thread = session.execute(_thread_statement(), {"thread_id": int(thread_id)}).unique().scalar_one_or_none()
    if thread is None or not perms.can_read_thread(viewer, thread):
        return None
    return thread


def read_thread(session: Session, thread_id: Any, viewer: Any) -> ThreadRow | None:
    """The thread as plain data (a ThreadRow whose category is a CategoryInfo) if `viewer` may read
    it, else None: what the thread page shows of it and asks its permissions about. Kept in the
    derived cache until the content changes (loading the ORM thread with its author, category and
    tags was a sixth of the page under load). Whatever changes the thread goes through get_thread."""
    if not valid_id(thread_id):
        return None
    key = int(thread_id)
    row = memo("content", ("thread_row", key), lambda: _thread_row(session, key))
    if row is None or not perms.can_read_thread(viewer, row):
        return None
    return row


def _thread_row(session: Session, thread_id: int) -> ThreadRow | None:
    found = thread_rows(session, select(Thread).where(Thread.id == thread_id))
    if not found:
        return None
    category = session.execute(select(*_category_columns()).where(Category.id == found[0].category_id)).one()
    return replace(found[0], category=_category_info(*category))


def get_post(session: Session, post_id: Any, viewer: Any) -> Post | None:
    """The post if `viewer` may see it (hidden posts: moderators only), else None."""
    if not valid_id(post_id):
        return None
    post = session.scalar(
        select(Post).where(Post.id == post_id).options(
            defaultload(Post.author).lazyload(User.theme_rows),
            joinedload(Post.thread).defaultload(Thread.author).lazyload(User.theme_rows),
        )
    )
    if post is None or not perms.can_view_post(viewer, post):
        return None
    return post


def get_category(session: Session, ref: Any) -> Category | None:
    """A category by id (int or digits) or slug."""
    if isinstance(ref, Category):
        return ref
    category_id = parse_id(ref) if isinstance(ref, int | str) else None
    if category_id is not None:
        return session.get(Category, category_id)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdigit()):
        return None  # a number that names no row
    if isinstance(ref, str) and 0 < len(ref) <= 60:
        return session.scalar(select(Category).where(Category.slug == ref))
    return None


def category_info(session: Session, ref: Any) -> CategoryInfo | None:
    """A category's displayed fields, by id (int or digits) or slug, as get_category finds it:
    for the pages that show a category and filter by it (its thread list, GET /threads). The
    categories are few: all of them are kept in one entry of the derived cache until the
    content changes. What changes a category loads it with get_category."""
    by_id, by_slug = memo("content", "forum-category-infos", lambda: _category_infos(session))
    category_id = parse_id(ref) if isinstance(ref, int | str) else None
    if category_id is not None:
        return by_id.get(category_id)
    return by_slug.get(ref) if isinstance(ref, str) else None


def _category_infos(session: Session) -> tuple[dict[int, CategoryInfo], dict[str, CategoryInfo]]:
    infos = [_category_info(*row) for row in session.execute(select(*_category_columns()))]
    return {c.id: c for c in infos}, {c.slug: c for c in infos}


def category_id_of(category: Any) -> int | None:
    """The id of a category given as a Category, a CategoryInfo, an id or None."""
    return category if category is None or isinstance(category, int) else int(category.id)


# --- the category list -------------------------------------------------------------------------


@dataclass(frozen=True)
class LastThread:
    id: int
    title: str
    last_activity_at: datetime
    last_author_name: str | None


@dataclass(frozen=True)
class CategoryInfo:
    """A category's displayed fields, as plain data (the overview is kept across requests)."""

    id: int
    slug: str
    name: str
    description: str
    position: int
    is_desk: bool


def _category_columns() -> tuple[Any, ...]:
    return Category.id, Category.slug, Category.name, Category.description, Category.position, Category.is_desk


def _category_info(category_id: int, slug: str, name: str, description: str | None, position: int,
                   is_desk: bool | None) -> CategoryInfo:
    """A CategoryInfo from the values of _category_columns()."""
    return CategoryInfo(category_id, slug, name, description or "", position, bool(is_desk))


@dataclass(frozen=True)
class CategoryRow:
    category: CategoryInfo
    thread_count: int
    post_count: int
    last_thread: LastThread | None


def _sees_hidden(viewer: Any) -> bool:
    return has_role(viewer, Role.MODERATOR)


def sees_hidden_threads(viewer: Any, category: Any = None) -> bool:
    """Whether `viewer`'s thread lists (of `category`, a Category, a CategoryInfo or None) include hidden threads:
    the one thing of the viewer a list without words to search depends on."""
    return _sees_hidden(viewer) or (category is not None and not isinstance(category, int)
                                    and perms.can_moderate_category(viewer, category))


def categories_overview(session: Session, viewer: Any) -> list[CategoryRow]:
    """Every category with its counts and its most recently active thread.

    Computed in three queries when a forum change was committed since the last time, else taken
    from the process's derived cache (achats.platform.cache): the page every visitor opens first
    costs no aggregate over the whole forum."""
    sees_hidden = _sees_hidden(viewer)
    return memo("content", ("categories_overview", sees_hidden),
                lambda: _compute_categories_overview(session, sees_hidden))


def _compute_categories_overview(session: Session, sees_hidden: bool) -> list[CategoryRow]:
    thread_filter = [] if sees_hidden else [Thread.hidden.is_(False)]
    counts = (
        select(
            Thread.category_id.label("category_id"),
            func.count(Thread.id).label("thread_count"),
            func.coalesce(func.sum(Thread.post_count), 0).label("post_count"),
        )
        .where(*thread_filter)
        .group_by(Thread.category_id)
        .subquery()
    )
    rows = session.execute(
        select(*_category_columns(), counts.c.thread_count, counts.c.post_count)
        .outerjoin(counts, counts.c.category_id == Category.id)
        .order_by(Category.position, Category.name)
    ).all()
    # The most recently active thread of each category, found through the (category_id,
    # last_activity_at) index for each of the ~20 categories, instead of ranking every thread of
    # the forum (row_number() over 10,000 threads: 28-72 ms at 100,000 posts).
    latest = (
        select(Thread.id)
        .where(Thread.category_id == Category.id, *thread_filter)
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(1)
        .correlate(Category)
        .scalar_subquery()
    )
    last_post = aliased(Post)
    last = {
        r.category_id: LastThread(r.id, r.title, r.last_activity_at, r.name)
        for r in session.execute(
            select(Category.id.label("category_id"), Thread.id, Thread.title, Thread.last_activity_at, User.name)
            .join(Thread, Thread.id == latest)
            .outerjoin(last_post, last_post.id == Thread.last_post_id)
            .outerjoin(User, User.id == last_post.author_id)
        )
    }
    return [
        CategoryRow(_category_info(cid, slug, name, description, position, is_desk),
                    int(tc or 0), int(pc or 0), last.get(cid))
        for cid, slug, name, description, position, is_desk, tc, pc in rows
    ]


# --- thread lists ------------------------------------------------------------------------------

SORTS = ("recents", "populaires", "sans-reponse")


def _has_tag(slug: str, facet: TagFacet | None = None) -> Any:
    conditions = [ThreadTag.thread_id == Thread.id, Tag.slug == slug]
    if facet is not None:
        conditions.append(Tag.facet == facet)
    return exists(select(ThreadTag.thread_id).join(Tag, Tag.id == ThreadTag.tag_id).where(*conditions))


def unanswered_clause() -> Any:
    """A question nobody but its author has replied to (withdrawn and hidden replies do not count)."""
    return and_(
        Thread.kind == ThreadKind.QUESTION,
        ~exists(
            select(Post.id).where(
                Post.thread_id == Thread.id, Post.number > 1, visible_post(),
                or_(Post.author_id.is_(None), Post.author_id != Thread.author_id),
            )
        ),
    )


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def threads_query(
    viewer: Any,
    *,
    category: Any = None,
    tag: str | None = None,
    theme: str | None = None,
    famille: str | None = None,
    kind: str | None = None,
    solved: bool | None = None,
    unanswered: bool = False,
    sort: str = "recents",
    author_id: int | None = None,
    q: str | None = None,
    session: Session | None = None,
    entities: bool = True,
) -> Select[tuple[Thread]]:
    """Threads `viewer` may see, filtered and sorted (pinned first within a category, archived last).

    `q` keeps the threads whose title or opening post matches, as the search engine matches them
    (accents, French word forms): it needs the `session` to ask the index."""
    query = select(Thread)
    if entities:  # loaded as Thread objects, with what a list row shows (else: listing.thread_rows)
        query = _with_row_loads(query, category)
    category_id = category_id_of(category)
    if category_id is not None:
        query = query.where(Thread.category_id == category_id)
    sees_hidden = sees_hidden_threads(viewer, category)
    query = visible_to(query, Thread, viewer, sees_hidden=sees_hidden)
    if tag:
        query = query.where(_has_tag(tag))
    if theme:
        query = query.where(_has_tag(theme, TagFacet.THEME))
    if famille:
        query = query.where(_has_tag(famille, TagFacet.FAMILLE))
    if kind:
        query = query.where(Thread.kind == str(kind))
    if solved is not None:
        query = query.where(Thread.kind == ThreadKind.QUESTION, Thread.solved.is_(bool(solved)))
    if unanswered or sort == "sans-reponse":
        query = query.where(unanswered_clause())
    if author_id is not None:
        query = query.where(Thread.author_id == author_id)
    if q:
        if session is None:
            raise ValueError("threads_query(q=…) needs the session")
        facets = {"category": category_id} if category_id is not None else None
        matched = search.matching_ids(session, q, viewer=viewer, types=["thread"], facets=facets,
                                      column="object_id", limit=MAX_MATCHED_THREADS)
        query = query.where(Thread.id.in_(matched or [0]))
    order: list[Any] = []
    if category_id is not None:
        order.append(Thread.pinned.desc())
    order.append(Thread.archived.asc())
    if sort == "populaires":
        order += [Thread.post_count.desc(), Thread.last_activity_at.desc()]
    elif sort == "sans-reponse":
        order += [Thread.created_at.desc()]
    else:
        order += [Thread.last_activity_at.desc()]
    order.append(Thread.id.desc())
    return query.order_by(*order)


def _with_row_loads(query: Select[tuple[Thread]], category: Any) -> Select[tuple[Thread]]:
    query = query.options(
        *thread_options(),
        # The last post's author, without the post's body (a row never shows it).
        selectinload(Thread.last_post).options(
            load_only(Post.id, Post.thread_id, Post.number, Post.author_id, Post.created_at),
            defaultload(Post.author).lazyload(User.theme_rows)),
        selectinload(Thread.assigned_expert).lazyload(User.theme_rows),
    )
    if isinstance(category, Category):
        # Every row is in that category, already in the session: no join to it per row.
        query = query.options(lazyload(Thread.category))
    return query


def accepted_post_ids(session: Session, thread_ids: list[int]) -> dict[int, list[int]]:
    """Accepted, visible answers of several threads, in one query."""
    found: dict[int, list[int]] = {tid: [] for tid in thread_ids}
    if not thread_ids:
        return found
    for thread_id, post_id in session.execute(
        select(Post.thread_id, Post.id)
        .where(Post.thread_id.in_(thread_ids), Post.accepted.is_(True), visible_post())
        .order_by(Post.thread_id, Post.number)
    ):
        found[thread_id].append(post_id)
    return found


# --- read state --------------------------------------------------------------------------------


def unread_counts(session: Session, viewer: Any, threads: Sequence[Any]) -> dict[int, int]:
    """Visible posts after the viewer's last read position, per thread (never read: all of them).

    A thread never read has all its visible posts unread: its post_count (refresh_thread_stats
    keeps it). For the others only the posts after the read position are counted, through the
    (thread_id, number) index: the cost follows the unread posts, not the threads' sizes."""
    counts = {t.id: 0 for t in threads}
    if not threads or viewer is None or not getattr(viewer, "is_authenticated", False):
        return counts
    by_id = {t.id: t for t in threads}
    for thread_id, behind in session.execute(_unread_statement(), {"user_id": viewer.id,
                                                                   "thread_ids": list(by_id)}):
        counts[thread_id] = int(by_id[thread_id].post_count or 0) if behind is None else int(behind)
    return counts


@lru_cache(maxsize=1)
def _unread_statement() -> Any:
    """(thread id, unread posts or NULL when never read) for a list of threads, in one statement."""
    read = aliased(ThreadRead)
    behind = (
        select(func.count(Post.id))
        .where(Post.thread_id == Thread.id, Post.number > read.last_read_number, visible_post())
        .correlate(Thread, read)
        .scalar_subquery()
    )
    return (
        select(Thread.id, case((read.thread_id.is_(None), None), else_=behind))
        .outerjoin(read, and_(read.thread_id == Thread.id,
                              read.user_id == bindparam("user_id", type_=Integer)))
        .where(Thread.id.in_(bindparam("thread_ids", expanding=True, type_=Integer)))
    )


def mark_read(session: Session, viewer: Any, thread: ThreadLike, up_to_number: int) -> None:
    """Move the viewer's read position forward (never back), in one upsert."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or up_to_number < 1:
        return
    up_to_number = min(int(up_to_number), 2**31 - 1)
    values = {"user_id": viewer.id, "thread_id": thread.id, "last_read_number": up_to_number,
              "updated_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ThreadRead).values(**values)
    newer = stmt.excluded.last_read_number > ThreadRead.last_read_number
    stmt = stmt.on_conflict_do_update(
        index_elements=[ThreadRead.user_id, ThreadRead.thread_id],
        set_={
            "last_read_number": case((newer, stmt.excluded.last_read_number), else_=ThreadRead.last_read_number),
            "updated_at": stmt.excluded.updated_at,
        },
    )
    session.execute(stmt)
