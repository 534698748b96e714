"""A page of a thread: its posts as plain records kept in the derived cache, and the viewer's state."""


from __future__ import annotations

import math
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, joinedload

from achats.auth.models import User
from achats.forums import permissions as perms
from achats.forums.models import (
    Bookmark,
    Post,
    PostAttachment,
    Reaction,
    ThreadRead,
    ThreadWatch,
    WatchLevel,
)
from achats.forums.services.listing import ThreadLike
from achats.forums.services.stats import visible_post
from achats.platform.cache import memo
from achats.platform.features import registry

PER_PAGE = 20
# A thread list filtered by words shows at most this many threads (a person refines the words).
MAX_MATCHED_THREADS = 500




WITHDRAWN_HTML = "<p><em>Message supprimé par son auteur.</em></p>"
HIDDEN_HTML = "<p><em>Message masqué par la modération.</em></p>"


@dataclass
class ThreadPage:
    thread: ThreadLike
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


def posts_query(viewer: Any, thread: ThreadLike, *, for_page: bool = True) -> Select[tuple[Post]]:
    """The posts of a thread the viewer may see (hidden ones for moderators only), by number.
    `for_page`: with what the thread page shows besides (the author's organisation, the author of
    the post replied to); the API lists only their authors."""
    query = select(Post).where(Post.thread_id == thread.id)
    if for_page:
        query = query.options(*_post_options())
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
    # Attached files: their ids (cached with the page), and what the viewer is shown of them
    # (platform.uploads.AttachmentInfo, described on each use like `thread`).
    attachment_ids: tuple[int, ...] = ()
    attachments: tuple[Any, ...] = ()

    @property
    def visible(self) -> bool:
        return not self.hidden and self.deleted_at is None

    def but(self, **changes: Any) -> PostRecord:
        """A copy with `changes` (fields of this class): what `dataclasses.replace` gives, without
        re-running `__init__` over the 21 fields (a thread page copies each post to set its
        thread: replace() cost 13 µs a post, this 2 µs)."""
        if not _POST_FIELDS.issuperset(changes):
            raise TypeError(f"PostRecord has no field {sorted(changes.keys() - _POST_FIELDS)}")
        copy = object.__new__(PostRecord)
        copy.__dict__.update(self.__dict__, **changes)  # frozen: its __setattr__ refuses
        return copy

    @classmethod
    def of(cls, post: Post) -> PostRecord:
        reply = post.reply_to if post.reply_to_id else None
        author = _person(post.author)
        reply_record = None if reply is None else ReplyRecord(reply.number, _person(reply.author))
        fields: dict[str, Any] = dict(
            id=post.id, thread_id=post.thread_id, number=post.number, author_id=post.author_id,
            reply_to_id=post.reply_to_id, created_at=post.created_at, edited_at=post.edited_at,
            deleted_at=post.deleted_at, hidden=bool(post.hidden), by_expert=bool(post.by_expert),
            accepted=bool(post.accepted), needs_review=bool(post.needs_review), up_to_date_on=post.up_to_date_on,
            useful_count=int(post.useful_count or 0), author=author, reply_to=reply_record,
        )
        fingerprint = (*fields.values(), hash(post.body_html))
        return cls(body_html=post.body_html, fingerprint=fingerprint, **fields)


_POST_FIELDS = frozenset(f.name for f in dataclass_fields(PostRecord))


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


def _page_content(session: Session, viewer: Any, thread: ThreadLike, low: int, high: int,
                  show_accepted: bool) -> _PageContent:
    in_page = and_(Post.number > low, Post.number <= high)
    query = posts_query(viewer, thread)
    if show_accepted:
        query = query.where(or_(in_page, and_(Post.accepted.is_(True), visible_post())))
    else:
        query = query.where(in_page)
    loaded = [PostRecord.of(p) for p in session.scalars(query.order_by(Post.number)).unique()]
    attached = attachments_of(session, [p.id for p in loaded])
    if attached:
        loaded = [p.but(attachment_ids=tuple(attached[p.id])) if p.id in attached else p for p in loaded]
    return _PageContent(
        posts=tuple(p for p in loaded if low < p.number <= high),
        accepted=tuple(p for p in loaded if show_accepted and p.accepted and p.visible and p.number > 1),
    )


def attachments_of(session: Session, post_ids: list[int]) -> dict[int, list[int]]:
    """The attachment ids of each post, in their order."""
    found: dict[int, list[int]] = {}
    if post_ids:
        for post_id, attachment_id in session.execute(
                select(PostAttachment.post_id, PostAttachment.attachment_id)
                .where(PostAttachment.post_id.in_(post_ids)).order_by(PostAttachment.post_id, PostAttachment.position)):
            found.setdefault(post_id, []).append(attachment_id)
    return found


def describe_attachments(session: Session, viewer: Any, posts: list[Any]) -> list[Any]:
    """The posts with what `viewer` is shown of their attachments (the feature keeping files says)."""
    ids = [i for p in posts for i in p.attachment_ids]
    keeper = registry().attachments if ids else None
    if keeper is None:
        return posts
    infos = keeper.describe(session, ids, viewer)
    return [p.but(attachments=tuple(infos[i] for i in p.attachment_ids if i in infos)) if p.attachment_ids else p
            for p in posts]


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


def thread_page(session: Session, viewer: Any, thread: ThreadLike, page: int, per_page: int = PER_PAGE) -> ThreadPage:
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
    posts = describe_attachments(session, viewer, [p.but(thread=thread) for p in content.posts])
    accepted = describe_attachments(session, viewer, [p.but(thread=thread) for p in content.accepted])
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


