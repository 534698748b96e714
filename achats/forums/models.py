"""Forum data: categories, tags, threads, posts and their revisions, reactions, reading state."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from achats.auth.models import User
from achats.platform.db import Base, str_enum, utcnow
from achats.platform.tags import Tag
from achats.platform.visibility import Hideable


class ThreadKind(enum.StrEnum):
    DISCUSSION = "discussion"
    QUESTION = "question"


class DeskStatus(enum.StrEnum):
    """Life of a Guichet vert question."""

    NEW = "nouvelle"
    TAKEN = "prise_en_charge"
    ANSWERED = "repondue"
    SOLVED = "resolue"

    @property
    def label(self) -> str:
        return {
            "nouvelle": "Nouvelle",
            "prise_en_charge": "Prise en charge",
            "repondue": "Répondue",
            "resolue": "Résolue",
        }[self.value]


class WatchLevel(enum.StrEnum):
    WATCHING = "watching"  # every new post notifies
    TRACKING = "tracking"  # unread counts, mentions and replies to me
    NORMAL = "normal"
    MUTED = "muted"


class Category(Base):
    __cache_namespace__ = "content"  # see achats.platform.cache
    __tablename__ = "forum_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # The Guichet vert desk: questions there get a status, experts are notified, time to answer is measured.
    is_desk: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Loaded when asked for; permission checks use the cached map (permissions.category_moderator_ids).
    moderators: Mapped[list[User]] = relationship(secondary="forum_category_moderator", lazy="select")


class CategoryModerator(Base):
    __cache_namespace__ = "content"  # see achats.platform.cache
    __tablename__ = "forum_category_moderator"

    category_id: Mapped[int] = mapped_column(ForeignKey("forum_category.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)


class ThreadTag(Base):
    __cache_namespace__ = "content"  # see achats.platform.cache
    __tablename__ = "forum_thread_tag"
    __table_args__ = (Index("ix_forum_thread_tag_tag", "tag_id", "thread_id"),)

    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)


class Thread(Hideable, Base):
    __cache_namespace__ = "content"  # see achats.platform.cache
    __tablename__ = "forum_thread"
    __table_args__ = (
        Index("ix_forum_thread_category_activity", "category_id", "last_activity_at"),
        Index("ix_forum_thread_activity", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_category.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ThreadKind] = mapped_column(str_enum(ThreadKind, "kind"), default=ThreadKind.DISCUSSION)
    pinned: Mapped[bool] = mapped_column(default=False)
    locked: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Derived figures, written only by services.refresh_thread_stats().
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_post.id", ondelete="SET NULL", use_alter=True)
    )
    solved: Mapped[bool] = mapped_column(default=False)
    # Guichet vert desk (only in a category with is_desk).
    desk_status: Mapped[DeskStatus | None] = mapped_column(str_enum(DeskStatus, "desk_status"))
    assigned_expert_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    taken_at: Mapped[datetime | None]
    first_expert_answer_at: Mapped[datetime | None]

    category: Mapped[Category] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    assigned_expert: Mapped[User | None] = relationship(foreign_keys=[assigned_expert_id])
    tags: Mapped[list[Tag]] = relationship(secondary="forum_thread_tag", lazy="selectin", order_by=Tag.position)
    last_post: Mapped[Post | None] = relationship(foreign_keys=[last_post_id], post_update=True)

    @property
    def is_question(self) -> bool:
        return self.kind == ThreadKind.QUESTION


class Post(Hideable, Base):
    __cache_namespace__ = "content"  # see achats.platform.cache
    __tablename__ = "forum_post"
    __table_args__ = (UniqueConstraint("thread_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1 for the opening post, then 2, 3… (stable; pagination by range)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)  # Markdown source
    body_html: Mapped[str] = mapped_column(Text)  # sanitised on write
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]  # withdrawn by its author during the grace period
    # Written by an expert (at the time of posting): counts for the desk's figures.
    by_expert: Mapped[bool] = mapped_column(default=False)
    accepted: Mapped[bool] = mapped_column(default=False)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None]
    # "à jour au": the date the legal content was last checked; "à revoir" when the law changed.
    up_to_date_on: Mapped[date | None] = mapped_column(Date)
    needs_review: Mapped[bool] = mapped_column(default=False)
    review_marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    review_marked_at: Mapped[datetime | None]
    useful_count: Mapped[int] = mapped_column(default=0)  # recomputed from forum_reaction

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    reply_to: Mapped[Post | None] = relationship(remote_side=[id], foreign_keys=[reply_to_id])

    @property
    def visible(self) -> bool:
        return not self.hidden and self.deleted_at is None


Index("ix_forum_post_thread_number", Post.thread_id, Post.number)
# A category's thread list in its order (pinned first, archived last, latest activity first): a
# page is read from the index, without sorting the category's threads.
Index("ix_forum_thread_category_list", Thread.category_id, Thread.pinned.desc(), Thread.archived,
      Thread.last_activity_at.desc(), Thread.id.desc())
Index("ix_forum_post_thread_accepted", Post.thread_id, Post.accepted)


class PostRevision(Base):
    """An earlier version of a post, kept at each edit."""

    __tablename__ = "forum_post_revision"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1 = the original text
    body: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    editor: Mapped[User | None] = relationship(lazy="joined")


class PostAttachment(Base):
    """A file attached to a post: kept by the feature that keeps files (the library), known here
    by its id only (no foreign key: another feature's table)."""

    __cache_namespace__ = "content"  # the thread page's records carry their attachments
    __tablename__ = "forum_post_attachment"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)


class Reaction(Base):
    """The "utile" reaction: one per user and post."""

    __tablename__ = "forum_reaction"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Bookmark(Base):
    __tablename__ = "forum_bookmark"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship()


class ThreadRead(Base):
    """How far a user has read a thread: unread counts and the "nouveau depuis" marker."""

    __tablename__ = "forum_thread_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"), primary_key=True)
    last_read_number: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThreadWatch(Base):
    __tablename__ = "forum_thread_watch"
    __table_args__ = (
        Index("ix_forum_thread_watch_thread", "thread_id", "level"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[WatchLevel] = mapped_column(str_enum(WatchLevel, "level"), default=WatchLevel.WATCHING)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
