"""Which posts cite a document ("discuté dans"): links to the library in a post's text, and the
documents attached to a post. Fed by the forums' domain events, read by name: no forums import."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from achats.documents.models import Document, DocumentCitation

_LINK = re.compile(r"/bibliotheque/(?:(\d{1,10})|d/([a-z0-9-]{1,80}))")


def documents_in(session: Session, text: str) -> set[int]:
    ids: set[int] = set()
    slugs: set[str] = set()
    for number, slug in _LINK.findall(text or ""):
        if number and int(number) < 2**31:
            ids.add(int(number))
        elif slug:
            slugs.add(slug)
    if slugs:
        ids |= set(session.scalars(select(Document.id).where(Document.slug.in_(slugs))))
    if ids:
        ids = set(session.scalars(select(Document.id).where(Document.id.in_(ids))))
    return ids


def cite(session: Session, document_ids: set[int], *, post_id: int, thread_id: int, thread_title: str, url: str) -> None:
    existing = set(session.scalars(select(DocumentCitation.document_id).where(DocumentCitation.post_id == post_id)))
    stale = existing - document_ids
    if stale:
        session.execute(delete(DocumentCitation).where(DocumentCitation.post_id == post_id,
                                                       DocumentCitation.document_id.in_(stale)))
    for document_id in document_ids - existing:
        session.add(DocumentCitation(document_id=document_id, post_id=post_id, thread_id=thread_id,
                                     thread_title=thread_title[:200], url=url[:300]))


def on_post_written(session: Session, *, post: Any, url: str, attachment_ids: Any = (), **_: Any) -> None:
    """A forum post created or edited (the forums' events carry it and its URL): its links to the
    library, and the documents attached to it (which learn the post they came from)."""
    ids = documents_in(session, post.body)
    for document in session.scalars(select(Document).where(Document.id.in_(list(attachment_ids) or [0]))):
        if document.source_post_id is None and document.owner_id == post.author_id:
            document.source_post_id, document.source_thread_id = post.id, post.thread_id
    ids |= set(session.scalars(select(Document.id).where(Document.source_post_id == post.id)))
    cite(session, ids, post_id=post.id, thread_id=post.thread_id, thread_title=post.thread.title, url=url)
