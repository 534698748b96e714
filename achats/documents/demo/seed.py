"""`achats seed-demo` for the library: the demo documents as real files, published over the past
months (with versions, retours d'usage and download counts), one waiting for review, one refused."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from achats.auth.models import Organisation, User
from achats.documents.demo.content import DOCUMENTS
from achats.documents.demo.files import file_bytes
from achats.documents.models import Document, DocumentReuse, DocumentVersion
from achats.documents.services import DocumentInput, add_version, create_document
from achats.documents.vocabulary import Outcome, ReviewStatus, TextStatus, parse_procedure
from achats.platform.dates import PARIS
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.extensions import db
from achats.platform.tasks import run_here

MODERATOR = "moderatrice@achats.example"


def _file(spec: dict[str, Any], sections: list[Any]) -> tuple[io.BytesIO, str]:
    subtitle = f"{spec.get('organisation') or ''} - {spec.get('year') or ''}".strip(" -")
    data = file_bytes(spec["format"], spec["title"], subtitle, sections, spec.get("table"))
    return io.BytesIO(data), f"{spec['slug']}.{spec['format']}"


def _publish(version: DocumentVersion, document: Document, moderator: User, when: Any) -> None:
    """What a moderator's publication does, dated in the past (the demo's history; no notification)."""
    version.status = ReviewStatus.PUBLISHED
    version.reviewed_by_id, version.reviewed_at = moderator.id, when
    version.created_at = version.redaction_confirmed_at = when - timedelta(days=1)
    document.current_version = version
    document.status = ReviewStatus.PUBLISHED
    document.published_at = document.published_at or when
    document.updated_at = when


def seed_document(session: Any, spec: dict[str, Any], index: int, users: dict[str, User],
                  organisations: dict[str, Organisation], moderator: User) -> Document:
    now = utcnow()
    owner = users[spec["owner"]]
    organisation = organisations.get(spec.get("organisation") or "")
    today = now.astimezone(PARIS).date()
    data = DocumentInput(
        title=spec["title"], description=spec.get("description", ""), doc_type=spec["doc_type"],
        themes=spec.get("themes", []), famille=spec.get("famille"), cpv_codes=spec.get("cpv", []),
        levier=spec.get("levier"), procedure=spec.get("procedure"),
        organisation_id=organisation.id if organisation else None, year=spec.get("year"),
        licence=spec.get("licence", "licence_ouverte_2"), source_url=spec.get("source_url"),
        up_to_date_on=today - timedelta(days=spec["up_to_date_days"]) if "up_to_date_days" in spec else None,
        visibility=spec.get("visibility", "members"),
    )
    sections = list(spec.get("sections", []))
    stream, filename = _file(spec, sections)
    document = create_document(session, owner, stream, filename, data, confirm_redaction=True, slug=spec["slug"])
    first = session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id))
    published = now - timedelta(days=120 - index * 6)
    document.created_at = published - timedelta(days=2)
    state = spec.get("state", "published")
    if state == "published":
        _publish(first, document, moderator, published)
        for extra in spec.get("versions", []):
            stream, filename = _file(spec, [*sections, extra["extra"]])
            version = add_version(session, owner, document, stream, filename, confirm_redaction=True,
                                  note=extra["note"])
            _publish(version, document, moderator, now - timedelta(days=extra["days_ago"]))
        for offset, (email, procedure, year, bids, outcome, comment) in enumerate(spec.get("reuses", [])):
            reuser = users.get(email)
            if reuser is None:
                continue
            session.add(DocumentReuse(document_id=document.id, user_id=reuser.id, procedure=parse_procedure(procedure),
                                      year=year, bids_received=bids, outcome=Outcome(outcome), comment=comment,
                                      created_at=now - timedelta(days=max(1, 40 - offset * 9 - index))))
        document.download_count = spec.get("downloads", 0)  # the demo's history (live counts: record_download)
    elif state == "rejected":
        first.status = ReviewStatus.REJECTED
        first.reviewed_by_id, first.reviewed_at = moderator.id, now - timedelta(days=3)
        first.rejection_reason = spec["rejection"]
        document.status = ReviewStatus.REJECTED
    session.flush()
    record(session, "document_changed", document=document)
    return document


def seed() -> Iterator[str]:
    session = db.session
    emails = {spec["owner"] for spec in DOCUMENTS} | {r[0] for spec in DOCUMENTS for r in spec.get("reuses", [])}
    users = {u.email: u for u in session.scalars(select(User).where(User.email.in_([*emails, MODERATOR]))) if u.email}
    if MODERATOR not in users or any(spec["owner"] not in users for spec in DOCUMENTS):
        yield "Bibliothèque : documents de démonstration non créés (comptes de démonstration absents)."
        return
    organisations = {o.name: o for o in session.scalars(select(Organisation))}
    existing = set(session.scalars(select(Document.slug).where(Document.slug.is_not(None))))
    created = 0
    for index, spec in enumerate(DOCUMENTS):
        if spec["slug"] in existing:
            continue
        seed_document(session, spec, index, users, organisations, users[MODERATOR])
        created += 1
    session.commit()
    # Read the files now rather than leave it to a worker that may not run yet (the task is
    # idempotent: the queued copies find the text read and stop).
    pending = list(session.scalars(select(DocumentVersion.id).where(DocumentVersion.text_status == TextStatus.PENDING)))
    for version_id in pending:
        run_here("documents.extract_version", version_id)
    yield (f"Bibliothèque : {created} document(s) de démonstration créé(s), {len(DOCUMENTS) - created} déjà "
           f"présent(s), {len(pending)} fichier(s) lu(s).")


def present() -> bool:
    return db.session.scalar(select(Document.id).limit(1)) is not None
