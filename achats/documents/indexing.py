"""The library in the search index: one entry per document — title, description and the text of
the version its readers see, page by page — with the audience its state gives it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.documents.models import Document, DocumentPage, DocumentVersion
from achats.documents.vocabulary import ReviewStatus, Visibility
from achats.platform import search
from achats.platform.search import MEMBERS, MODERATORS, OWNER, PUBLIC
from achats.platform.search.text import PAGE_BREAK

CONTAINER = ("library", None)


def document_path(document: Document) -> str:
    return f"/bibliotheque/{document.id}"


def audience(document: Document) -> str:
    """Published: public or members; under review or refused: its owner and the moderators;
    hidden by a moderator: the moderators."""
    if document.hidden:
        return MODERATORS
    if document.status != ReviewStatus.PUBLISHED:
        return OWNER
    return PUBLIC if document.visibility == Visibility.PUBLIC else MEMBERS


def _indexed_version(session: Session, document: Document) -> DocumentVersion | None:
    """The version whose text the entry carries: the one readers see, or (never published yet)
    the newest uploaded."""
    if document.current_version_id is not None:
        return session.get(DocumentVersion, document.current_version_id)
    return session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                          .order_by(DocumentVersion.number.desc()).limit(1))


def facets(document: Document) -> dict[str, Any]:
    return {
        "doc_type": str(document.doc_type), "tag": [t.slug for t in document.tags],
        "famille": str(document.famille) if document.famille else None,
        "cpv": sorted({row.division for row in document.cpv_rows}), "levier": str(document.levier) if document.levier else None,
        "year": document.year, "org": document.organisation_id, "licence": str(document.licence),
    }


def index_document(session: Session, document: Document) -> None:
    version = _indexed_version(session, document)
    pages: list[str] = []
    if version is not None:
        pages = list(session.scalars(select(DocumentPage.text).where(DocumentPage.version_id == version.id)
                                     .order_by(DocumentPage.number)))
    body = PAGE_BREAK.join([document.description or "", *pages])
    search.index_entry(
        session, kind="document", object_id=document.id, title=document.title, body=body,
        url=document_path(document), container=CONTAINER, facets=facets(document), owner_id=document.owner_id,
        # The library itself is open to all: each document's own audience decides.
        audience=audience(document), container_audience=PUBLIC,
        created_at=document.published_at or document.created_at, pages=True,
    )


def on_document(session: Session, *, document: Document, **_: Any) -> None:
    index_document(session, document)


def reindex_documents(session: Session) -> int:
    count = 0
    for document in session.scalars(select(Document).order_by(Document.id)):
        index_document(session, document)
        count += 1
    return count
