"""The search index table: one row per searchable object, whatever feature owns it.

An entry has a type (declared by a feature: "thread", "post", "document"…), a container (the
thread of a post, the library, an event), facets ("category:3 tag:cantine solved:1"), an owner,
and two audiences the query itself filters on: its own (a hidden post, a pending document) and
its container's (a hidden thread hides every entry in it at once). See query.py for who an
audience admits.

The engine-specific full-text structures are not mapped here: the migrations create them
(SQLite: the FTS5 table `search_entry_fts` kept in step by triggers; PostgreSQL: the
`search_vector` tsvector column and its GIN index, written by index.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from achats.platform.db import Base, utcnow


class SearchEntry(Base):
    __tablename__ = "search_entry"
    __cache_namespace__ = "content"  # cached search results (achats.platform.cache)
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_entry_container", "container_type", "container_id"),
        # Newest first, id breaking ties: the order of the ranking window (see query.py).
        Index("ix_search_entry_created_at", "created_at", "id"),
        Index("ix_search_entry_owner_id", "owner_id"),
        # Who owns entries restricted to their owner (query.restricted_owners): read from this
        # index instead of a scan of the whole index table.
        Index("ix_search_entry_audience_owner", "audience", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A type a feature declared (Feature.search_types); checked when an entry is written.
    kind: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    # False: the title is shown but not searched (a reply carries its thread's title).
    title_indexed: Mapped[bool] = mapped_column(default=True)
    body: Mapped[str] = mapped_column(Text, default="")  # plain text, markup stripped
    url: Mapped[str] = mapped_column(String(500))
    # No foreign keys to feature tables: the platform does not know them (threads, events…).
    container_type: Mapped[str | None] = mapped_column(String(30))
    container_id: Mapped[int | None]
    # "key:value" tokens separated and surrounded by single spaces (" category:3 tag:cantine "),
    # so that a filter is `facets LIKE '% key:value %'` and a container's facets change in one UPDATE.
    facets: Mapped[str] = mapped_column(Text, default=" ")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    audience: Mapped[str] = mapped_column(String(40), default="members")
    container_audience: Mapped[str] = mapped_column(String(40), default="members")
    # Repeats its container's own entry (a question's first message, also in its thread's entry):
    # found only when its type is asked for without the container's type.
    shadow: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
