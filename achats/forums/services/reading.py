"""Reading: category overview, thread lists, thread pages, read state, related and similar threads."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, defaultload, joinedload, lazyload, selectinload

from achats.auth.models import User
from achats.forums import permissions as perms
from achats.forums.models import (
    Bookmark,
    Category,
    Post,
    Reaction,
    Thread,
    ThreadKind,
    ThreadRead,
    ThreadTag,
    ThreadWatch,
    WatchLevel,
)
from achats.forums.services.stats import valid_id, visible_post
from achats.platform import search
from achats.platform.cache import memo
from achats.platform.visibility import visible_to
from achats.platform.db import utcnow
from achats.platform.security import Role, has_role
from achats.platform.tags import Tag, TagFacet

PER_PAGE = 20
# A thread list filtered by words shows at most this many threads (a person refines the words).
MAX_MATCHED_THREADS = 500


# --- loading one object ------------------------------------------------------------------------


def _thread_options() -> list[Any]:
    return [defaultload(Thread.author).lazyload(User.theme_rows)]


@lru_cache(maxsize=1)
def _thread_statement() -> Any:
    # Tags joined in the same query (a thread has a handful): one round trip per thread page.
    # Built once: SQLAlchemy reuses its cache key and compiled form.
    return (select(Thread).where(Thread.id == bindparam("thread_id", type_=Integer))
            .options(*_thread_options(), joinedload(Thread.tags)))


def get_thread(session: Session, thread_id: Any, viewer: Any) -> Thread | None:
    """The thread if it exists and `viewer` may read it, else None (the views answer 404)."""
    if not valid_id(thread_id):
        return None
    thread = session.execute(_thread_statement(), {"thread_id": int(thread_id)}).unique().scalar_one_or_none()
    if thread is None or not perms.can_read_thread(viewer, thread):
        return None
    return thread


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
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        value = int(ref)
        return session.get(Category, value) if valid_id(value) else None
    if isinstance(ref, str) and 0 < len(ref) <= 60:
        return session.scalar(select(Category).where(Category.slug == ref))
    return None


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


@dataclass(frozen=True)
class CategoryRow:
    category: CategoryInfo
    thread_count: int
    post_count: int
    last_thread: LastThread | None


def _sees_hidden(viewer: Any) -> bool:
    return has_role(viewer, Role.MODERATOR)


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
        select(Category.id, Category.slug, Category.name, Category.description, Category.position,
               Category.is_desk, counts.c.thread_count, counts.c.post_count)
        .outerjoin(counts, counts.c.category_id == Category.id)
        .order_by(Category.position, Category.name)
    ).all()
    ranked = (
        select(
            Thread.id, Thread.category_id, Thread.title, Thread.last_activity_at, Thread.last_post_id,
            func.row_number().over(
                partition_by=Thread.category_id, order_by=(Thread.last_activity_at.desc(), Thread.id.desc())
            ).label("rank"),
        )
        .where(*thread_filter)
        .subquery()
    )
    last_post = aliased(Post)
    last = {
        r.category_id: LastThread(r.id, r.title, r.last_activity_at, r.name)
        for r in session.execute(
            select(ranked.c.id, ranked.c.category_id, ranked.c.title, ranked.c.last_activity_at, User.name)
            .outerjoin(last_post, last_post.id == ranked.c.last_post_id)
            .outerjoin(User, User.id == last_post.author_id)
            .where(ranked.c.rank == 1)
        )
    }
    return [
        CategoryRow(CategoryInfo(cid, slug, name, description or "", position, bool(is_desk)),
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


def _like_escape(text: str) -> str:
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
) -> Select[tuple[Thread]]:
    """Threads `viewer` may see, filtered and sorted (pinned first within a category, archived last).

    `q` keeps the threads whose title or opening post matches, as the search engine matches them
    (accents, French word forms): it needs the `session` to ask the index."""
    query = select(Thread).options(
        *_thread_options(),
        selectinload(Thread.last_post).options(defaultload(Post.author).lazyload(User.theme_rows)),
        selectinload(Thread.assigned_expert).lazyload(User.theme_rows),
    )
    category_id = category.id if isinstance(category, Category) else category
    if category_id is not None:
        query = query.where(Thread.category_id == category_id)
    sees_hidden = _sees_hidden(viewer) or (
        isinstance(category, Category) and perms.can_moderate_category(viewer, category)
    )
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


def unread_counts(session: Session, viewer: Any, threads: list[Thread]) -> dict[int, int]:
    """Visible posts after the viewer's last read position, per thread (never read: all of them)."""
    ids = [t.id for t in threads]
    counts = {tid: 0 for tid in ids}
    if not ids or viewer is None or not getattr(viewer, "is_authenticated", False):
        return counts
    read = aliased(ThreadRead)
    rows = session.execute(
        select(Post.thread_id, func.count(Post.id))
        .outerjoin(read, and_(read.thread_id == Post.thread_id, read.user_id == viewer.id))
        .where(Post.thread_id.in_(ids), visible_post(), Post.number > func.coalesce(read.last_read_number, 0))
        .group_by(Post.thread_id)
    )
    for thread_id, count in rows:
        counts[thread_id] = int(count)
    return counts


def mark_read(session: Session, viewer: Any, thread: Thread, up_to_number: int) -> None:
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


# --- a thread page ----------------------------------------------------------------------------

WITHDRAWN_HTML = "<p><em>Message supprimé par son auteur.</em></p>"
HIDDEN_HTML = "<p><em>Message masqué par la modération.</em></p>"


@dataclass
class ThreadPage:
    thread: Thread
    posts: list[PostRecord]
    page: int
    pages: int
    per_page: int
    last_number: int
    # Accepted answers, shown right after the opening post on page 1 of a question.
    accepted: list[PostRecord] = field(default_factory=list)
    useful_ids: set[int] = field(default_factory=set)
    bookmarked_ids: set[int] = field(default_factory=set)
    last_read_number: int = 0
    # The first post the viewer has not seen yet ("nouveau depuis votre dernière visite"), if any.
    first_unread_number: int | None = None
    can_moderate: bool = False
    # The viewer's watch level of the thread (WatchLevel value).
    watch_level: str = "normal"

    def body_html(self, post: Any) -> str:
        """The post's sanitised HTML, or the placeholder readers see instead of it."""
        if post.deleted_at is not None and not self.can_moderate:
            return WITHDRAWN_HTML
        if post.hidden and not self.can_moderate:
            return HIDDEN_HTML
        return post.body_html

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _post_options() -> list[Any]:
    return [
        joinedload(Post.author).joinedload(User.organisation),
        joinedload(Post.reply_to).joinedload(Post.author).lazyload(User.theme_rows),
    ]


def posts_query(viewer: Any, thread: Thread) -> Select[tuple[Post]]:
    """The posts of a thread the viewer may see (hidden ones for moderators only), by number."""
    query = select(Post).where(Post.thread_id == thread.id).options(*_post_options())
    if not perms.can_moderate_category(viewer, thread.category):
        query = query.where(Post.hidden.is_(False))
    return query


@dataclass(frozen=True)
class OrganisationRecord:
    name: str


@dataclass(frozen=True)
class PersonRecord:
    """What a post shows of its author (templates and permissions read it like a User)."""

    id: int
    name: str
    role: str
    status: str
    organisation_id: int | None
    organisation: OrganisationRecord | None


@dataclass(frozen=True)
class ReplyRecord:
    number: int
    author: PersonRecord | None


@dataclass(frozen=True)
class PostRecord:
    """A post of a thread page as plain data, kept across requests in the derived cache; it reads
    like a Post for the templates and the permission predicates. `thread` is the request's own
    Thread, set on each use (see `thread_page`)."""

    id: int
    thread_id: int
    number: int
    author_id: int | None
    reply_to_id: int | None
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden: bool
    by_expert: bool
    accepted: bool
    needs_review: bool
    up_to_date_on: Any
    useful_count: int
    author: PersonRecord | None
    reply_to: ReplyRecord | None
    thread: Any = None
    # Everything above that the post's HTML shows (the body by its hash): the fragment cache's key.
    fingerprint: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    @property
    def visible(self) -> bool:
        return not self.hidden and self.deleted_at is None

    @classmethod
    def of(cls, post: Post) -> PostRecord:
        reply = post.reply_to if post.reply_to_id else None
        author = _person(post.author)
        reply_record = None if reply is None else ReplyRecord(reply.number, _person(reply.author))
        fields = dict(
            id=post.id, thread_id=post.thread_id, number=post.number, author_id=post.author_id,
            reply_to_id=post.reply_to_id, created_at=post.created_at, edited_at=post.edited_at,
            deleted_at=post.deleted_at, hidden=bool(post.hidden), by_expert=bool(post.by_expert),
            accepted=bool(post.accepted), needs_review=bool(post.needs_review), up_to_date_on=post.up_to_date_on,
            useful_count=int(post.useful_count or 0), author=author, reply_to=reply_record,
        )
        fingerprint = (*fields.values(), hash(post.body_html))
        return cls(body_html=post.body_html, fingerprint=fingerprint, **fields)


def _person(user: User | None) -> PersonRecord | None:
    if user is None:
        return None
    organisation = user.organisation if user.organisation_id else None
    return PersonRecord(user.id, user.name, str(user.role), str(user.status), user.organisation_id,
                        None if organisation is None else OrganisationRecord(organisation.name))


@dataclass(frozen=True)
class _PageContent:
    posts: tuple[PostRecord, ...]
    accepted: tuple[PostRecord, ...]


def _thread_size(session: Session, thread_id: int) -> int:
    return int(session.scalar(
        select(func.coalesce(func.max(Post.number), 0)).where(Post.thread_id == thread_id)) or 0)


def _page_content(session: Session, viewer: Any, thread: Thread, low: int, high: int,
                  show_accepted: bool) -> _PageContent:
    in_page = and_(Post.number > low, Post.number <= high)
    query = posts_query(viewer, thread)
    if show_accepted:
        query = query.where(or_(in_page, and_(Post.accepted.is_(True), visible_post())))
    else:
        query = query.where(in_page)
    loaded = [PostRecord.of(p) for p in session.scalars(query.order_by(Post.number)).unique()]
    return _PageContent(
        posts=tuple(p for p in loaded if low < p.number <= high),
        accepted=tuple(p for p in loaded if show_accepted and p.accepted and p.visible and p.number > 1),
    )


@lru_cache(maxsize=1)
def _viewer_state_statement() -> Any:
    """Read position, watch level, useful and bookmarked posts of one viewer, in one statement.

    Built once with bound parameters: SQLAlchemy then reuses its cache key and compiled form
    instead of rebuilding them on every thread page."""
    user_id, thread_id = bindparam("user_id", type_=Integer), bindparam("thread_id", type_=Integer)
    post_ids = bindparam("post_ids", expanding=True, type_=Integer)
    no_text = cast(null(), String(20))
    return union_all(
        select(literal("r"), ThreadRead.last_read_number, no_text).where(
            ThreadRead.user_id == user_id, ThreadRead.thread_id == thread_id),
        select(literal("w"), cast(null(), Integer), ThreadWatch.level).where(
            ThreadWatch.user_id == user_id, ThreadWatch.thread_id == thread_id),
        select(literal("u"), Reaction.post_id, no_text).where(
            Reaction.user_id == user_id, Reaction.post_id.in_(post_ids)),
        select(literal("b"), Bookmark.post_id, no_text).where(
            Bookmark.user_id == user_id, Bookmark.post_id.in_(post_ids)),
    )


def thread_page(session: Session, viewer: Any, thread: Thread, page: int, per_page: int = PER_PAGE) -> ThreadPage:
    """One page of a thread (posts numbered ((page-1)·per_page, page·per_page]) and the viewer's state.

    The posts (as PostRecord) and the thread's size come from the derived cache, recomputed after
    a change to the content; the viewer's state is one query: read position, watch level, and
    which of these posts they found useful or bookmarked."""
    per_page = max(1, min(int(per_page), 100))
    can_moderate = perms.can_moderate_category(viewer, thread.category)
    user_id = viewer.id if viewer is not None and getattr(viewer, "is_authenticated", False) else 0
    last_number = memo("content", ("thread_size", thread.id), lambda: _thread_size(session, thread.id))
    pages = max(1, math.ceil(last_number / per_page))
    page = max(1, min(int(page), pages))
    low, high = (page - 1) * per_page, page * per_page
    show_accepted = thread.is_question and thread.solved and page == 1
    content = memo("content", ("thread_page", thread.id, low, high, can_moderate, show_accepted),
                   lambda: _page_content(session, viewer, thread, low, high, show_accepted))
    posts = [replace(p, thread=thread) for p in content.posts]
    accepted = [replace(p, thread=thread) for p in content.accepted]
    ids = [p.id for p in (*content.posts, *content.accepted)]
    last_read = 0
    watch = WatchLevel.NORMAL.value
    useful: set[int] = set()
    bookmarked: set[int] = set()
    if user_id:
        params = {"user_id": user_id, "thread_id": thread.id, "post_ids": ids or [0]}
        for key, number, text in session.execute(_viewer_state_statement(), params):
            if key == "r":
                last_read = int(number or 0)
            elif key == "w":
                watch = str(text) if text else watch
            elif key == "u":
                useful.add(number)
            else:
                bookmarked.add(number)
    first_unread = None
    if user_id and last_read < last_number:
        first_unread = next((p.number for p in posts if p.number > last_read), None)
        if last_read == 0:
            first_unread = None  # a first visit: everything is new, no marker
    return ThreadPage(
        thread=thread, posts=posts, page=page, pages=pages, per_page=per_page, last_number=last_number,
        accepted=accepted, useful_ids=useful, bookmarked_ids=bookmarked, last_read_number=last_read,
        first_unread_number=first_unread, can_moderate=can_moderate, watch_level=watch,
    )


def page_of(number: int, per_page: int = PER_PAGE) -> int:
    """The page of a thread that holds post n°`number`."""
    return max(1, math.ceil(max(1, number) / per_page))


# --- related and similar ----------------------------------------------------------------------


@dataclass(frozen=True)
class RelatedThread:
    id: int
    title: str
    solved: bool


def related_threads(session: Session, thread: Thread, limit: int = 5) -> list[RelatedThread]:
    """Visible threads sharing the most tags with `thread` (same category when it has none).

    Kept in the process's derived cache until the forums change: it groups over every thread
    carrying one of the tags, too costly to run on each view of the thread."""
    limit = max(1, min(limit, 20))
    return memo("content", ("related", thread.id, limit),
                lambda: _compute_related(session, thread, limit), ttl=600)


def _compute_related(session: Session, thread: Thread, limit: int) -> list[RelatedThread]:
    tag_ids = [t.id for t in thread.tags]
    columns = (Thread.id, Thread.title, Thread.solved)
    if tag_ids:
        shared = (
            select(ThreadTag.thread_id, func.count().label("shared"))
            .where(ThreadTag.tag_id.in_(tag_ids), ThreadTag.thread_id != thread.id)
            .group_by(ThreadTag.thread_id)
            .subquery()
        )
        query = (
            select(*columns).join(shared, shared.c.thread_id == Thread.id)
            .where(Thread.hidden.is_(False))
            .order_by(shared.c.shared.desc(), Thread.last_activity_at.desc())
        )
    else:
        query = (
            select(*columns)
            .where(Thread.category_id == thread.category_id, Thread.id != thread.id, Thread.hidden.is_(False))
            .order_by(Thread.last_activity_at.desc())
        )
    return [RelatedThread(tid, title, bool(solved)) for tid, title, solved in session.execute(query.limit(limit))]


_STOP = {
    "avec", "dans", "pour", "sans", "sous", "vers", "chez", "entre", "comment", "quelle", "quelles", "quel",
    "quels", "peut", "peut-on", "faut", "faut-il", "est-ce", "marche", "marches", "public", "publics",
    "publique", "publiques", "notre", "votre", "leur", "leurs", "cette", "ces", "des", "les", "une", "que",
    "qui", "quoi", "sur", "par", "plus", "tout", "tous", "aux", "est", "sont", "question", "questions",
}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def similar_titles(session: Session, title: str, limit: int = 5) -> list[Thread]:
    """Existing visible threads whose titles share significant words with `title` (duplicate hint)."""
    words = []
    for word in re.findall(r"[\w'-]+", (title or "")[:200].lower()):
        word = word.strip("'-")
        if len(word) >= 4 and word not in _STOP and word not in words:
            words.append(word)
    words = words[:6]
    if not words:
        return []
    candidates = list(session.scalars(
        select(Thread)
        .where(Thread.hidden.is_(False), or_(*[Thread.title.ilike(f"%{_like_escape(w)}%", escape="\\") for w in words]))
        .options(*_thread_options(), lazyload(Thread.tags))
        .order_by(Thread.last_activity_at.desc())
        .limit(50)
    ))
    folded = [_fold(w) for w in words]

    def score(t: Thread) -> int:
        text = _fold(t.title)
        return sum(1 for w in folded if w in text)

    ranked = sorted(candidates, key=lambda t: (-score(t), -t.last_activity_at.timestamp()))
    needed = 1 if len(words) <= 2 else 2
    return [t for t in ranked if score(t) >= needed][: max(1, min(limit, 20))]
