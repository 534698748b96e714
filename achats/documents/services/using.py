"""Using a document: downloads counted once per visitor and day, and retours d'usage."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.documents import permissions as perms
from achats.documents.models import Document, DocumentDownload, DocumentReuse
from achats.documents.services.errors import InvalidInput, NotAllowed
from achats.documents.services.metadata import clean_text
from achats.documents.vocabulary import Outcome, parse_procedure
from achats.platform.events import record


def visitor_key(user: object, address: str | None, secret: str) -> str:
    """Who downloads, for counting only: an account id, or a keyed hash of the address (the
    address itself is never stored)."""
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u:{user.id}"  # type: ignore[attr-defined]
    digest = hashlib.sha256(f"{secret}:{address or ''}".encode()).hexdigest()[:40]
    return f"a:{digest}"


def record_download(session: Session, document: Document, visitor: str, day: date) -> bool:
    """Count a download: once per visitor, document and day, whatever the clicks. The one place
    that changes download_count. Returns whether it counted."""
    try:
        with session.begin_nested():
            session.add(DocumentDownload(document_id=document.id, visitor=visitor, day=day))
    except IntegrityError:
        return False
    session.execute(update(Document).where(Document.id == document.id)
                    .values(download_count=Document.download_count + 1).execution_options(synchronize_session=False))
    return True


def add_reuse(session: Session, user: User, document: Document, *, procedure: str, year: int, bids_received: int,
              outcome: str, comment: str | None = None, this_year: int) -> DocumentReuse:
    """A retour d'usage: which procedure and year, how many bids, awarded or not, a comment."""
    if not perms.can_add_reuse(user, document):
        raise NotAllowed("Vous ne pouvez pas donner de retour d'usage sur ce document.")
    procedure_value = parse_procedure(procedure)
    if procedure_value is None:
        raise InvalidInput("Procédure inconnue : MAPA, appel d'offres, accord-cadre ou autre.", "procedure")
    try:
        outcome_value = Outcome(outcome)
    except ValueError:
        raise InvalidInput("Indiquez si le marché a été attribué ou déclaré infructueux.", "outcome") from None
    if not 1990 <= year <= this_year:
        raise InvalidInput(f"L'année de la procédure est comprise entre 1990 et {this_year}.", "year")
    if not 0 <= bids_received <= 999:
        raise InvalidInput("Le nombre d'offres reçues est compris entre 0 et 999.", "bids_received")
    text = clean_text(comment)[:2000] or None
    reuse = DocumentReuse(document_id=document.id, user_id=user.id, procedure=procedure_value, year=year,
                          bids_received=bids_received, outcome=outcome_value, comment=text)
    reuse.user = user
    session.add(reuse)
    session.flush()
    record(session, "document_reused", document=document, reuse=reuse)
    return reuse
