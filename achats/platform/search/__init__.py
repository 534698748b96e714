"""The platform's full-text search index (stub: the contract signatures; implementation follows)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "Hit",
    "SearchResults",
    "index_entry",
    "register_reindexer",
    "reindex_all",
    "remove_entry",
    "search",
    "update_thread_fields",
]

_reindexers: dict[str, Callable[[Any], int]] = {}


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    url: str
    snippet_html: str
    score: float
    created_at: datetime
    thread_id: int | None


@dataclass(frozen=True)
class SearchResults:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


def index_entry(session: Any, *, kind: str, object_id: int, title: str, body: str, url: str,
                thread_id: int | None = None, category_id: int | None = None,
                author_id: int | None = None, tags: Iterable[str] = (), solved: bool | None = None,
                created_at: datetime, visible: bool = True) -> None:
    """Insert or update the entry (kind, object_id)."""


def remove_entry(session: Any, kind: str, object_id: int) -> None:
    """Drop the entry (kind, object_id) if it exists."""


def update_thread_fields(session: Any, thread_id: int, *, category_id: int | None = None,
                         tags: Iterable[str] | None = None, solved: bool | None = None,
                         visible: bool | None = None) -> None:
    """Bulk update of every entry of a thread (None = unchanged)."""


def search(session: Any, q: str, *, types: Iterable[str] | None = None, category_id: int | None = None,
           tag: str | None = None, author_id: int | None = None, solved: bool | None = None,
           date_from: Any = None, date_to: Any = None, include_hidden: bool = False,
           limit: int = 20, offset: int = 0) -> SearchResults:
    return SearchResults()


def register_reindexer(kind: str, fn: Callable[[Any], int]) -> None:
    _reindexers[kind] = fn


def reindex_all(session: Any) -> dict[str, int]:
    return {kind: fn(session) for kind, fn in _reindexers.items()}
