"""Who hears about the library: the uploader, when a moderator publishes or refuses their file
(in the app, live, and by mail through the kinds' mail channel)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from achats.documents.indexing import document_path
from achats.documents.models import Document, DocumentVersion
from achats.platform.notifications.services import Target, notify


def _title(document: Document) -> str:
    return f"«\u00a0{document.title}\u00a0»"


def on_published(session: Session, *, document: Document, version: DocumentVersion, first: bool,
                 moderator: Any, **_: Any) -> None:
    owner = document.owner
    if owner is None or str(owner.status) not in ("active", "pending"):
        return
    text = (f"Votre document {_title(document)} est publié dans la bibliothèque." if first
            else f"La version n°{version.number} de votre document {_title(document)} est publiée.")
    notify(session, owner, "document_published", moderator, Target("document", document.id, document_path(document)),
           text, mail_context={"document": document, "version": version, "first": first})


def on_rejected(session: Session, *, document: Document, version: DocumentVersion, reason: str, moderator: Any,
                **_: Any) -> None:
    owner = document.owner
    if owner is None or str(owner.status) not in ("active", "pending"):
        return
    text = (f"Votre document {_title(document)} n'a pas été publié (version n°{version.number}) : {reason}")
    notify(session, owner, "document_rejected", moderator, Target("document", document.id, document_path(document)),
           text[:1000], mail_context={"document": document, "version": version, "reason": reason})
