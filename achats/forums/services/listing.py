"""Thread lists as plain rows: a page of threads with their authors in one statement, their tags in
a second, the pager's total in a third (the thread list of a category and the API's GET /threads).

A list row shows a dozen columns of a thread, its author's name and its tags. Loading the rows as
ORM objects (the thread, its author's and its category's whole rows, then the tags and the last
post through selectin loads) cost most of the page; these rows read like a Thread for the
templates, the permission predicates and the API's thread_payload."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from achats.auth.models import User
from achats.forums.models import DeskStatus, Thread, ThreadKind, ThreadTag
from achats.platform.pagination import Pager
from achats.platform.tags import Tag


@dataclass(frozen=True)
class PersonName:
    """What a list row shows of a person (templates read it like a User: user_link)."""

    id: int
    name: str
    status: str
    role: str


@dataclass(frozen=True)
class TagInfo:
    id: int
    slug: str
    name: str
    facet: str


@dataclass(frozen=True)
class ThreadRow:
    id: int
    category_id: int
    author_id: int | None
    title: str
    kind: ThreadKind
    pinned: bool
    locked: bool
    archived: bool
    hidden: bool
    solved: bool
    post_count: int
    created_at: datetime
    last_activity_at: datetime
    desk_status: DeskStatus | None
    assigned_expert_id: int | None
    taken_at: datetime | None
    first_expert_answer_at: datetime | None
    author: PersonName | None
    assigned_expert: PersonName | None
    tags: tuple[TagInfo, ...] = ()
    category: Any = field(default=None, compare=False)

    @property
    def is_question(self) -> bool:
        return self.kind == ThreadKind.QUESTION


# What reads a thread: the ORM Thread, or a ThreadRow (the lists, the thread page).
ThreadLike = Thread | ThreadRow

_THREAD_COLUMNS = ("id", "category_id", "author_id", "title", "kind", "pinned", "locked", "archived", "hidden",
                   "solved", "post_count", "created_at", "last_activity_at", "desk_status", "assigned_expert_id",
                   "taken_at", "first_expert_answer_at")
_author = aliased(User, name="row_author")
_expert = aliased(User, name="row_expert")
_PERSON = ("id", "name", "status", "role")


def _person(values: Sequence[Any]) -> PersonName | None:
    if values[0] is None:
        return None
    return PersonName(int(values[0]), values[1] or "", str(values[2]), str(values[3]))


def rows_statement(query: Select[Any]) -> Select[Any]:
    """`query` (threads_query, with its filters, order and limits) selecting the row's columns and
    its author's and assigned expert's names instead of Thread entities."""
    columns = [getattr(Thread, n) for n in _THREAD_COLUMNS]
    columns += [getattr(_author, n) for n in _PERSON] + [getattr(_expert, n) for n in _PERSON]
    return (query.with_only_columns(*columns, maintain_column_froms=False)
            .outerjoin(_author, _author.id == Thread.author_id)
            .outerjoin(_expert, _expert.id == Thread.assigned_expert_id))


def thread_rows(session: Session, query: Select[Any], category: Any = None) -> list[ThreadRow]:
    """The threads `query` selects (threads_query with its order and limit), as ThreadRow, in
    two statements: the rows, then the tags of all of them."""
    width = len(_THREAD_COLUMNS)
    raw = session.execute(rows_statement(query)).all()
    tags = tags_of(session, [r[0] for r in raw])
    found = []
    for r in raw:
        values = dict(zip(_THREAD_COLUMNS, r[:width], strict=True))
        found.append(ThreadRow(
            **values, author=_person(r[width:width + 4]), assigned_expert=_person(r[width + 4:width + 8]),
            tags=tags.get(values["id"], ()), category=category,
        ))
    return found


@lru_cache(maxsize=1)
def _tags_statement() -> Any:
    return (select(ThreadTag.thread_id, Tag.id, Tag.slug, Tag.name, Tag.facet)
            .join(Tag, Tag.id == ThreadTag.tag_id)
            .where(ThreadTag.thread_id.in_(bindparam("thread_ids", expanding=True, type_=Integer)))
            .order_by(ThreadTag.thread_id, Tag.position))


def tags_of(session: Session, thread_ids: list[int]) -> dict[int, tuple[TagInfo, ...]]:
    """The tags of several threads (in the order Thread.tags gives them), in one statement."""
    found: dict[int, list[TagInfo]] = {}
    if thread_ids:
        for thread_id, tag_id, slug, name, facet in session.execute(_tags_statement(), {"thread_ids": thread_ids}):
            found.setdefault(thread_id, []).append(TagInfo(tag_id, slug, name, str(facet)))
    return {k: tuple(v) for k, v in found.items()}


@dataclass
class ThreadListPage(Pager):
    """A page of a thread list: what the pagination macro reads, the rows and the exact total."""

    items: list[ThreadRow] = field(default_factory=list)
    total: int = 0


def count_threads(session: Session, query: Select[Any]) -> int:
    """How many threads `query` selects: the ids only, no join (an index-only count)."""
    ids = query.with_only_columns(Thread.id, maintain_column_froms=False).order_by(None).subquery()
    return int(session.scalar(select(func.count()).select_from(ids)) or 0)


def thread_list_page(session: Session, query: Select[Any], page: int, per_page: int,
                     category: Any = None) -> ThreadListPage:
    """Page `page` (from 1) of the threads `query` selects, with the exact total for the pager."""
    total = count_threads(session, query)
    pages = max(1, math.ceil(total / per_page))
    page = max(1, page)
    items = thread_rows(session, query.limit(per_page).offset((page - 1) * per_page), category) \
        if (page - 1) * per_page < total else []
    return ThreadListPage(page=page, pages=pages, per_page=per_page, items=items, total=total)
