"""The search index table: one row per searchable object, whatever feature owns it.

The engine-specific full-text structures are not mapped here: the migration creates them
(SQLite: the FTS5 table `search_entry_fts` kept in step by triggers; PostgreSQL: the
`search_vector` tsvector column and its GIN index, written by `engine.py`).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from achats.platform.db import Base, utcnow


class SearchKind(enum.StrEnum):
    THREAD = "thread"  # a thread's title and opening post
    POST = "post"  # a reply
    DOCUMENT = "document"
    EVENT = "event"

    @property
    def label(self) -> str:
        return {"thread": "Sujet", "post": "Message", "document": "Document", "event": "Événement"}[self.value]

    @property
    def indexes_title(self) -> bool:
        """A reply carries its thread's title for display; indexing it would make every reply
        of a thread match (and rank) like the thread itself."""
        return self is not SearchKind.POST

    @property
    def plural(self) -> str:
        return {"thread": "Sujets", "post": "Messages", "document": "Documents", "event": "Événements"}[self.value]


class SearchEntry(Base):
    __tablename__ = "search_entry"
    __cache_namespace__ = "content"  # cached search results (achats.platform.cache)
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        CheckConstraint("kind IN ('thread', 'post', 'document', 'event')", name="kind"),
        Index("ix_search_entry_thread_id", "thread_id"),
        # Newest first, id breaking ties: the order of the ranking window (see query.py).
        Index("ix_search_entry_created_at", "created_at", "id"),
        Index("ix_search_entry_author_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SearchKind] = mapped_column(String(20))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # plain text, markup stripped
    url: Mapped[str] = mapped_column(String(500))
    # No foreign keys to feature tables: the platform does not know them (threads, documents…).
    thread_id: Mapped[int | None]
    category_id: Mapped[int | None]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Tag slugs separated and surrounded by single spaces (" achat-durable cpv-90 "), so that a
    # tag filter is `tags LIKE '% slug %'` and a thread's tags change in one UPDATE.
    tags: Mapped[str] = mapped_column(Text, default=" ")
    solved: Mapped[bool | None]
    visible: Mapped[bool] = mapped_column(default=True)  # the object's own state (hidden post…)
    thread_visible: Mapped[bool] = mapped_column(default=True)  # its thread's, set for all at once
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
