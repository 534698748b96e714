"""Documents as moderation targets (POST /moderation/actions) and the queue's documents to check."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from achats.documents import permissions as perms
from achats.documents.indexing import document_path
from achats.documents.models import Document
from achats.documents.services import DocumentError, pending_versions, reviewing
from achats.documents.vocabulary import ReviewStatus
from achats.platform.features import ModerationTarget, QueueSection
from achats.platform.ids import valid_id
from achats.platform.moderation import Conflict, Invalid, NotFound, Refused


def act_on_document(session: Session, actor: Any, request: Any) -> dict[str, Any]:
    """publish, reject (the oldest version waiting), hide, restore — the moderators' own predicate."""
    document = session.get(Document, request.target_id) if valid_id(request.target_id) else None
    if document is None or not perms.can_view_document(actor, document):
        raise NotFound("Ce document n'existe pas.")
    if not perms.can_review(actor):
        raise Refused("Réservé à la modération.")
    try:
        if request.action in ("publish", "reject"):
            version = reviewing.pending_version(session, document)
            if version is None:
                raise Conflict("Aucune version de ce document n'attend de vérification.")
            if request.action == "publish":
                reviewing.publish_version(session, actor, version)
            else:
                reviewing.reject_version(session, actor, version, request.reason or "")
        else:
            reviewing.set_hidden(session, actor, document, request.action == "hide", request.reason)
    except DocumentError as exc:
        error = {403: Refused, 409: Conflict, 422: Invalid}.get(exc.status, Invalid)
        raise error(exc.message, exc.field) from None
    return {"status": str(document.status), "hidden": document.hidden,
            "version": document.current_version.number if document.current_version else None}


def pending_documents(session: Session, actor: Any) -> list[dict[str, Any]]:
    items = []
    for version in pending_versions(session):
        document = session.get(Document, version.document_id)
        if document is None:
            continue
        items.append({
            "id": document.id, "version": version.number, "version_id": version.id, "title": document.title,
            "doc_type": str(document.doc_type), "filename": version.filename, "size": version.size,
            "uploaded_at": version.created_at.isoformat(),
            "uploader": {"id": version.uploaded_by.id, "name": version.uploaded_by.name} if version.uploaded_by else None,
            "redaction_confirmed_at": version.redaction_confirmed_at.isoformat(),
            "text_status": str(version.text_status), "url": document_path(document),
            "new_document": document.status != ReviewStatus.PUBLISHED,
        })
    return items


def moderation_targets() -> list[ModerationTarget]:
    return [ModerationTarget("document", "un document", ("publish", "reject", "hide", "restore"), act_on_document)]


def queue_sections() -> list[QueueSection]:
    return [QueueSection("pending_documents", "Documents à vérifier", pending_documents, perms.can_review)]
