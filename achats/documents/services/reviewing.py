"""Review: a moderator publishes a version or refuses it with a reason; the uploader is told in
the app, live and by mail. Also hiding, and the experts' "à jour au" and "à revoir"."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.documents import permissions as perms
from achats.documents.models import Document, DocumentVersion
from achats.documents.services.errors import Conflict, InvalidInput, NotAllowed
from achats.documents.services.metadata import clean_text
from achats.documents.vocabulary import ReviewStatus
from achats.platform.dates import PARIS
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.moderation.audit import audit


def pending_version(session: Session, document: Document) -> DocumentVersion | None:
    """The oldest version of `document` waiting for review."""
    return session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.status == ReviewStatus.PENDING,
    ).order_by(DocumentVersion.number).limit(1))


def publish_version(session: Session, moderator: User, version: DocumentVersion) -> Document:
    """The version becomes the one shown (the newest published); earlier ones stay downloadable."""
    if not perms.can_review(moderator):
        raise NotAllowed("Réservé à la modération.")
    document = session.get(Document, version.document_id)
    if document is None:
        raise Conflict("Ce document n'existe plus.")
    if version.status != ReviewStatus.PENDING:
        raise Conflict("Cette version a déjà été vérifiée.")
    now = utcnow()
    version.status = ReviewStatus.PUBLISHED
    version.reviewed_by_id = moderator.id
    version.reviewed_at = now
    first = document.status != ReviewStatus.PUBLISHED
    current = document.current_version
    if current is None or current.number < version.number:
        document.current_version = version
    document.status = ReviewStatus.PUBLISHED
    if document.published_at is None:
        document.published_at = now
    document.updated_at = now
    session.flush()
    audit(session, "document.publish", actor=moderator, target_type="document", target_id=document.id,
          version=version.number)
    record(session, "document_published", document=document, version=version, first=first, moderator=moderator)
    return document


def reject_version(session: Session, moderator: User, version: DocumentVersion, reason: str) -> Document:
    """Refused with a reason the uploader reads; a document never published becomes refused."""
    if not perms.can_review(moderator):
        raise NotAllowed("Réservé à la modération.")
    reason = clean_text(reason)[:1000]
    if not reason:
        raise InvalidInput("Indiquez la raison du refus : l'auteur du dépôt la lira.", "reason")
    document = session.get(Document, version.document_id)
    if document is None:
        raise Conflict("Ce document n'existe plus.")
    if version.status != ReviewStatus.PENDING:
        raise Conflict("Cette version a déjà été vérifiée.")
    version.status = ReviewStatus.REJECTED
    version.reviewed_by_id = moderator.id
    version.reviewed_at = utcnow()
    version.rejection_reason = reason
    if document.status != ReviewStatus.PUBLISHED:
        document.status = ReviewStatus.REJECTED
    session.flush()
    audit(session, "document.reject", actor=moderator, target_type="document", target_id=document.id,
          version=version.number, reason=reason)
    record(session, "document_rejected", document=document, version=version, reason=reason, moderator=moderator)
    return document


def set_hidden(session: Session, moderator: User, document: Document, hidden: bool, reason: str | None = None) -> Document:
    if not perms.can_review(moderator):
        raise NotAllowed("Réservé à la modération.")
    if document.hidden != hidden:
        document.hidden = hidden
        audit(session, "document.hide" if hidden else "document.restore", actor=moderator, target_type="document",
              target_id=document.id, reason=reason or None)
        session.flush()
        record(session, "document_changed", document=document)
    return document


def set_up_to_date(session: Session, actor: User, document: Document, on: date | None) -> Document:
    """"À jour au": when the legal content was last checked; a fresh date clears "à revoir"."""
    if not perms.can_mark_review(actor, document):
        raise NotAllowed("Seuls les experts et la modération datent un document.")
    if on is not None and on > utcnow().astimezone(PARIS).date():
        raise InvalidInput("La date « à jour au » ne peut pas être dans le futur.", "up_to_date_on")
    if on != document.up_to_date_on:
        document.up_to_date_on = on
        if on is not None:
            document.needs_review = False
        document.updated_at = utcnow()
        session.flush()
        record(session, "document_changed", document=document)
    return document


def mark_needs_review(session: Session, actor: User, document: Document, needs_review: bool) -> Document:
    if not perms.can_mark_review(actor, document):
        raise NotAllowed("Seuls les experts et la modération marquent un document « à revoir ».")
    if document.needs_review != needs_review:
        document.needs_review = needs_review
        session.flush()
        record(session, "document_changed", document=document)
    return document
