"""The library keeps the files other features attach to their content: a post's attachment
becomes a library document, pending review like any other (platform/uploads.py's interface)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.documents import permissions as perms
from achats.documents.models import Document, DocumentVersion
from achats.documents.services import DocumentError, DocumentInput, create_document
from achats.documents.vocabulary import DocType, ReviewStatus
from achats.platform.dates import human_size
from achats.platform.uploads import AttachmentInfo, Attachments, UploadRefused


def accept(session: Session, owner: Any, file: Any, metadata: Mapping[str, Any]) -> int:
    """Store an attached file as a pending library document; its id."""
    stem = (getattr(file, "filename", "") or "Document joint").rsplit(".", 1)[0]
    title = (metadata.get("title") or stem).strip()[:200] or "Document joint"
    if len(title) < 5:
        title = f"Document joint : {title}"
    data = DocumentInput(title=title, doc_type=str(metadata.get("doc_type") or DocType.AUTRE.value),
                         description=str(metadata.get("description") or ""))
    try:
        document = create_document(session, owner, file.stream, file.filename, data,
                                   confirm_redaction=bool(metadata.get("confirm_redaction")),
                                   source_thread_id=metadata.get("thread_id"))
    except DocumentError as exc:
        raise UploadRefused(exc.message, 422) from None
    return document.id


def describe(session: Session, ids: Sequence[int], viewer: Any) -> dict[int, AttachmentInfo]:
    """What `viewer` sees of each attached document: its title, file and a link when they may open
    it; otherwise a neutral line (a document under review reaches nobody else, not even by name)."""
    if not ids:
        return {}
    found: dict[int, AttachmentInfo] = {}
    for document in session.scalars(select(Document).where(Document.id.in_(list(ids)))):
        if not perms.can_view_document(viewer, document):
            note = ("En attente de vérification par la modération" if document.status == ReviewStatus.PENDING
                    and not document.hidden else "Document non disponible")
            found[document.id] = AttachmentInfo(id=document.id, title="Document joint", filename="", url=None, note=note)
            continue
        version = document.current_version
        if version is None:
            version = session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                                     .order_by(DocumentVersion.number.desc()).limit(1))
        if document.status == ReviewStatus.PUBLISHED and version is not None:
            note = f"{version.file_kind.upper()}, {human_size(version.size)}"
        elif document.status == ReviewStatus.PENDING:
            note = "En attente de vérification par la modération"
        else:
            note = "Non publié par la modération"
        found[document.id] = AttachmentInfo(
            id=document.id, title=document.title, filename=version.filename if version is not None else "",
            url=url_for("documents.show_document", document_id=document.id), note=note)
    return found


def doc_type_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [("doc_type", "Type de pièce", [(d.value, d.label) for d in DocType])]


def provider() -> Attachments:
    return Attachments(accept=accept, describe=describe, form_fields=doc_type_choices)
