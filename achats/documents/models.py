"""The library's data: documents, their versions and extracted pages, tags and CPV codes,
retours d'usage, download visits and the threads that cite a document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from achats.auth.models import Organisation, User
from achats.documents.vocabulary import (
    DocType,
    Famille,
    FileKind,
    Levier,
    Licence,
    Outcome,
    Procedure,
    ReviewStatus,
    TextStatus,
    Visibility,
)
from achats.platform.db import Base, str_enum, utcnow
from achats.platform.security import Role, has_role
from achats.platform.tags import Tag
from achats.platform.visibility import Hideable


class Document(Hideable, Base):
    __tablename__ = "document"
    __cache_namespace__ = "content"  # see achats.platform.cache
    __table_args__ = (
        CheckConstraint("year IS NULL OR (year BETWEEN 1990 AND 2100)", name="year"),
        # The library's default order (published, not hidden), read in order for ORDER BY … LIMIT.
        Index("ix_document_published", "published_at", "id",
              postgresql_where=text("status = 'published' AND hidden = false"),
              sqlite_where=text("status = 'published' AND hidden = 0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable name for links written before the document existed (demo threads): /bibliotheque/d/<slug>.
    slug: Mapped[str | None] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown source
    description_html: Mapped[str] = mapped_column(Text, default="")  # sanitised on write
    doc_type: Mapped[DocType] = mapped_column(str_enum(DocType, "doc_type"))
    famille: Mapped[Famille | None] = mapped_column(str_enum(Famille, "famille"))
    levier: Mapped[Levier | None] = mapped_column(str_enum(Levier, "levier", length=30))
    procedure: Mapped[Procedure | None] = mapped_column(str_enum(Procedure, "procedure"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    year: Mapped[int | None]
    licence: Mapped[Licence] = mapped_column(str_enum(Licence, "licence", length=30))
    source_url: Mapped[str | None] = mapped_column(String(500))
    # "à jour au": the date the legal content was last checked; "à revoir" when the law changed.
    up_to_date_on: Mapped[date | None] = mapped_column(Date)
    needs_review: Mapped[bool] = mapped_column(default=False)
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, "visibility"), default=Visibility.MEMBERS)
    # pending_review until a moderator publishes its first version; rejected if that one is refused.
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus, "status"), default=ReviewStatus.PENDING)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    # The version everyone is shown: the newest published one (a newer one may wait for review).
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_version.id", ondelete="SET NULL", use_alter=True))
    # Written only by services.downloads.record_download (one count per visitor and day).
    download_count: Mapped[int] = mapped_column(default=0)
    # Where it came from when it was attached to a post (no foreign key: the forums are another feature).
    source_thread_id: Mapped[int | None]
    source_post_id: Mapped[int | None]

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    current_version: Mapped[DocumentVersion | None] = relationship(foreign_keys=[current_version_id],
                                                                   post_update=True, lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary="document_tag", lazy="selectin", order_by=Tag.position)
    cpv_rows: Mapped[list[DocumentCpv]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                       order_by="DocumentCpv.code")

    @property
    def cpv_codes(self) -> list[str]:
        return [row.code for row in self.cpv_rows]

    @property
    def published(self) -> bool:
        return self.status == ReviewStatus.PUBLISHED

    @classmethod
    def sees_hidden(cls, viewer: Any) -> bool:
        return has_role(viewer, Role.MODERATOR)

    @classmethod
    def visibility_clause(cls, viewer: Any, *, sees_hidden: bool | None = None) -> Any:
        """Who sees a document: moderators everything; its owner everything of theirs but what a
        moderator hid; signed-in readers what is published (members or public); anyone else the
        published public ones."""
        if sees_hidden if sees_hidden is not None else cls.sees_hidden(viewer):
            return None
        published = and_(cls.status == ReviewStatus.PUBLISHED, cls.hidden.is_(False))
        signed_in = viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_active
        if not signed_in:
            return and_(published, cls.visibility == Visibility.PUBLIC)
        return or_(published, and_(cls.owner_id == viewer.id, cls.hidden.is_(False)))


class DocumentTag(Base):
    __tablename__ = "document_tag"
    __cache_namespace__ = "content"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True)


class DocumentCpv(Base):
    __tablename__ = "document_cpv"
    __cache_namespace__ = "content"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # "45000000-7", checked on write
    division: Mapped[str] = mapped_column(String(2), index=True)


class DocumentVersion(Base):
    __tablename__ = "document_version"
    __cache_namespace__ = "content"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, 3… in upload order
    filename: Mapped[str] = mapped_column(String(200))  # the uploader's name, made safe
    storage_key: Mapped[str] = mapped_column(String(100))  # random, in ACHATS_UPLOAD_DIR
    size: Mapped[int]
    file_kind: Mapped[FileKind] = mapped_column(str_enum(FileKind, "file_kind", length=10))
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(300))  # what changed in this version
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus, "status"), default=ReviewStatus.PENDING)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The uploader's statement that personal data and confidential prices are removed: who, when.
    redaction_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    redaction_confirmed_at: Mapped[datetime]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    text_status: Mapped[TextStatus] = mapped_column(str_enum(TextStatus, "text_status"), default=TextStatus.PENDING)
    text_error: Mapped[str | None] = mapped_column(String(300))
    page_count: Mapped[int | None]
    preview_key: Mapped[str | None] = mapped_column(String(100))  # first page as PNG (PDFs)

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id], lazy="joined")

    @property
    def content_type(self) -> str:
        return FileKind(self.file_kind).content_type


class DocumentPage(Base):
    """The text of one page of a version (one page for formats without pages)."""

    __tablename__ = "document_page"

    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id", ondelete="CASCADE"),
                                            primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class DocumentReuse(Base):
    """A retour d'usage: a buyer used the document in a procedure and says how it went."""

    __tablename__ = "document_reuse"
    __cache_namespace__ = "content"
    __table_args__ = (
        CheckConstraint("bids_received BETWEEN 0 AND 999", name="bids_received"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="year"),
        Index("ix_document_reuse_document", "document_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    procedure: Mapped[Procedure] = mapped_column(str_enum(Procedure, "procedure"))
    year: Mapped[int]
    bids_received: Mapped[int]
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, "outcome"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class DocumentDownload(Base):
    """One row per visitor, document and day: what the download count counts."""

    __tablename__ = "document_download"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    visitor: Mapped[str] = mapped_column(String(64), primary_key=True)  # "u:<id>" or a hash of the address
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class DocumentCitation(Base):
    """A post that links to the document or carries it as an attachment: "discuté dans"."""

    __tablename__ = "document_citation"
    __cache_namespace__ = "content"

    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(index=True)
    thread_title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
