"""The library's block of the home page: the latest published documents this visitor may open."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from achats.documents.models import Document
from achats.documents.services.reading import listed
from achats.platform.extensions import db


def latest_documents() -> dict[str, Any] | None:
    rows = list(db.session.scalars(listed(current_user).order_by(Document.published_at.desc(), Document.id.desc())
                                   .limit(5)))
    if not rows:
        return None
    return {"latest_documents": [
        {"url": url_for("documents.show_document", document_id=d.id), "title": d.title,
         "doc_type": d.doc_type.label, "organisation": d.organisation.name if d.organisation else None}
        for d in rows
    ]}



