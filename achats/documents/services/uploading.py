"""Sharing a document: the file checked, stored under a random name, the description recorded,
the uploader's redaction statement kept with who and when; then review, and text extraction."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.documents import permissions as perms
from achats.documents.filecheck import MAX_BYTES, CheckedFile, check_upload
from achats.documents.models import Document, DocumentCpv, DocumentVersion
from achats.documents.services.errors import InvalidInput, NotAllowed
from achats.documents.services.metadata import CheckedInput, DocumentInput, check_input, clean_text
from achats.documents.vocabulary import ReviewStatus
from achats.platform.dates import PARIS
from achats.platform.db import on_rollback, utcnow
from achats.platform.events import record
from achats.platform.markdown import render_markdown
from achats.platform.storage import storage
from achats.platform.tasks import enqueue_after_commit

REDACTION_REQUIRED = ("Confirmez que les données personnelles (noms, signatures, téléphones) et les prix "
                      "confidentiels ont été retirés du document.")


def _require_redaction(confirmed: bool) -> None:
    if not confirmed:
        raise InvalidInput(REDACTION_REQUIRED, "confirm_redaction")


def _store(session: Session, stream: IO[bytes], original_name: str | None) -> tuple[str, CheckedFile]:
    """Check the file (UploadRefused on a refusal: nothing written), then store it; the stored
    copy goes away if the transaction rolls back."""
    checked = check_upload(stream, original_name, MAX_BYTES)
    store = storage()
    key = store.save(stream, suffix=checked.kind.value)
    on_rollback(session, lambda: store.delete(key))
    return key, checked


def _apply(document: Document, data: CheckedInput) -> None:
    document.title = data.title
    document.description = data.description
    document.description_html = render_markdown(data.description) if data.description else ""
    document.doc_type = data.doc_type
    document.famille = data.famille
    document.levier = data.levier
    document.procedure = data.procedure
    document.organisation = data.organisation
    document.year = data.year
    document.licence = data.licence
    document.source_url = data.source_url
    document.up_to_date_on = data.up_to_date_on
    document.visibility = data.visibility
    document.tags = list(data.themes)
    wanted = set(data.cpv_codes)
    document.cpv_rows = [row for row in document.cpv_rows if row.code in wanted] + [
        DocumentCpv(code=code, division=code[:2]) for code in data.cpv_codes if code not in document.cpv_codes]


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "document"


def create_document(session: Session, owner: User, stream: IO[bytes], filename: str | None, data: DocumentInput, *,
                    confirm_redaction: bool, note: str | None = None, slug: str | None = None,
                    source_thread_id: int | None = None, source_post_id: int | None = None) -> Document:
    """A new document with its version n°1, pending review. Raises UploadRefused for the file,
    InvalidInput for the description, NotAllowed for the account."""
    if not perms.can_upload(owner):
        raise NotAllowed("Votre compte doit être validé pour partager un document.")
    checked_input = check_input(session, data, today=_today())
    _require_redaction(confirm_redaction)
    if data.organisation_id is None and owner.organisation is not None:
        checked_input.organisation = owner.organisation  # the uploader's organisation by default
    key, checked = _store(session, stream, filename)
    now = utcnow()
    document = Document(owner_id=owner.id, status=ReviewStatus.PENDING, created_at=now, updated_at=now,
                        slug=slug, source_thread_id=source_thread_id, source_post_id=source_post_id)
    _apply(document, checked_input)
    document.owner = owner
    session.add(document)
    session.flush()
    version = _new_version(session, document, owner, key, checked, note)
    record(session, "document_uploaded", document=document, version=version)
    return document


def _new_version(session: Session, document: Document, uploader: User, key: str, checked: CheckedFile,
                 note: str | None) -> DocumentVersion:
    number = (session.scalar(select(func.max(DocumentVersion.number)).where(
        DocumentVersion.document_id == document.id)) or 0) + 1
    now = utcnow()
    version = DocumentVersion(
        document_id=document.id, number=number, filename=checked.filename, storage_key=key,
        size=checked.size, file_kind=checked.kind, sha256=checked.sha256,
        note=clean_text(note, multiline=False)[:300] or None, status=ReviewStatus.PENDING,
        uploaded_by_id=uploader.id, created_at=now, redaction_confirmed_by_id=uploader.id,
        redaction_confirmed_at=now,
    )
    session.add(version)
    session.flush()
    enqueue_after_commit(session, "documents.extract_version", version.id)
    return version


def add_version(session: Session, actor: User, document: Document, stream: IO[bytes], filename: str | None, *,
                confirm_redaction: bool, note: str | None = None) -> DocumentVersion:
    """A new version: reviewed like the first; the published one stays shown until it is published."""
    if not perms.can_add_version(actor, document):
        raise NotAllowed("Seuls l'auteur du dépôt et la modération ajoutent une version.")
    _require_redaction(confirm_redaction)
    pending = session.scalar(select(func.count(DocumentVersion.id)).where(
        DocumentVersion.document_id == document.id, DocumentVersion.status == ReviewStatus.PENDING)) or 0
    if pending >= 3:
        raise InvalidInput("Trois versions attendent déjà la vérification de ce document.", "file")
    key, checked = _store(session, stream, filename)
    version = _new_version(session, document, actor, key, checked, note)
    record(session, "document_version_uploaded", document=document, version=version)
    return version


def update_document(session: Session, actor: User, document: Document, data: DocumentInput) -> Document:
    """Change the description (title, type, themes…); the file's versions are untouched."""
    if not perms.can_edit_document(actor, document):
        raise NotAllowed("Seuls l'auteur du dépôt et la modération modifient cette fiche.")
    checked_input = check_input(session, data, today=_today())
    if data.organisation_id is None:
        checked_input.organisation = document.organisation
    _apply(document, checked_input)
    document.updated_at = utcnow()
    session.flush()
    record(session, "document_changed", document=document)
    return document
