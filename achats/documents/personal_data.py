"""What the library keeps about a person: their export parts, and what deleting an account does.

Published documents stay in the library (they belong to the buyers' common knowledge; the owner
shows as the deleted account); documents never published go, with their files; the record of
what the person downloaded goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from achats.documents.indexing import document_path
from achats.documents.models import Document, DocumentDownload, DocumentReuse, DocumentVersion
from achats.documents.vocabulary import ReviewStatus
from achats.platform import search
from achats.platform.db import on_commit
from achats.platform.storage import storage


def export_documents(session: Session, user: Any) -> list[dict[str, Any]]:
    """The documents I shared, with each version's review state and my redaction statements."""
    rows = []
    for document in session.scalars(select(Document).where(Document.owner_id == user.id).order_by(Document.id)):
        versions = session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                                   .order_by(DocumentVersion.number))
        rows.append({
            "id": document.id, "title": document.title, "url": document_path(document),
            "status": str(document.status), "visibility": str(document.visibility),
            "created_at": document.created_at.isoformat(),
            "versions": [{"version": v.number, "filename": v.filename, "status": str(v.status),
                          "created_at": v.created_at.isoformat(),
                          "redaction_confirmed_at": v.redaction_confirmed_at.isoformat()
                          if v.redaction_confirmed_by_id == user.id else None,
                          "rejection_reason": v.rejection_reason} for v in versions],
        })
    return rows


def export_reuses(session: Session, user: Any) -> list[dict[str, Any]]:
    """My retours d'usage."""
    return [
        {"document_id": r.document_id, "procedure": str(r.procedure), "year": r.year,
         "bids_received": r.bids_received, "outcome": str(r.outcome), "comment": r.comment,
         "created_at": r.created_at.isoformat()}
        for r in session.scalars(select(DocumentReuse).where(DocumentReuse.user_id == user.id)
                                 .order_by(DocumentReuse.id))
    ]


def export_downloads(session: Session, user: Any) -> list[dict[str, Any]]:
    """The days I downloaded each document (what the download counts count)."""
    return [
        {"document_id": d.document_id, "day": d.day.isoformat()}
        for d in session.scalars(select(DocumentDownload).where(DocumentDownload.visitor == f"u:{user.id}")
                                 .order_by(DocumentDownload.day, DocumentDownload.document_id))
    ]


def forget_account(session: Session, user: Any) -> None:
    """Deleting an account: unpublished documents and their files go; downloads are forgotten."""
    session.execute(delete(DocumentDownload).where(DocumentDownload.visitor == f"u:{user.id}"))
    unpublished = list(session.scalars(select(Document).where(
        Document.owner_id == user.id, Document.status != ReviewStatus.PUBLISHED)))
    keys: list[str] = []
    for document in unpublished:
        for version in session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)):
            keys += [k for k in (version.storage_key, version.preview_key) if k]
        search.remove_entry(session, "document", document.id)
        session.delete(document)
    # Versions of published documents that were never published are the person's drafts too.
    for version in session.scalars(select(DocumentVersion).where(
            DocumentVersion.uploaded_by_id == user.id, DocumentVersion.status != ReviewStatus.PUBLISHED)):
        keys += [k for k in (version.storage_key, version.preview_key) if k]
        session.delete(version)
    session.flush()
    if keys:
        store = storage()

        def remove_files() -> None:
            for key in keys:
                store.delete(key)

        on_commit(session, remove_files)
