"""The library's fixtures: a theme, people in every role, and a `library` helper that shares,
publishes and refuses documents through the services (as the pages and the API do)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.documents import files


class Library:
    def __init__(self, db: Any, app: Any, make_user: Callable[..., Any]) -> None:
        self.db = db
        self.app = app
        self.moderator = make_user(role="moderator", name="Sophie Modératrice")
        self.owner = make_user(name="Nathalie Acheteuse")

    def share(self, owner: Any = None, data: bytes | None = None, filename: str = "cctp.pdf", *,
              title: str = "CCTP nettoyage des locaux", doc_type: str = "cctp", publish: bool = False,
              **meta: Any) -> Any:
        from achats.documents import services

        owner = owner or self.owner
        meta.setdefault("themes", [])
        document = services.create_document(
            self.db.session, owner, io.BytesIO(data if data is not None else files.pdf("Texte du cahier.")), filename,
            services.DocumentInput(title=title, doc_type=doc_type, **meta), confirm_redaction=True)
        self.db.session.commit()
        if publish:
            self.publish(document)
        return document

    def pending(self, document: Any) -> Any:
        from achats.documents.services import reviewing

        return reviewing.pending_version(self.db.session, document)

    def publish(self, document: Any) -> Any:
        from achats.documents.services import reviewing

        reviewing.publish_version(self.db.session, self.moderator, self.pending(document))
        self.db.session.commit()
        return self.fresh(document)

    def fresh(self, document: Any) -> Any:
        """The document as the database has it now (a socket or page request may have ended the session)."""
        from achats.documents.models import Document

        return self.db.session.get(Document, document.id)

    def reject(self, document: Any, reason: str = "Des noms de candidats figurent page 3.") -> Any:
        from achats.documents.services import reviewing

        reviewing.reject_version(self.db.session, self.moderator, self.pending(document), reason)
        self.db.session.commit()
        return self.fresh(document)

    def add_version(self, document: Any, data: bytes, filename: str = "cctp-v2.pdf", actor: Any = None) -> Any:
        from achats.documents import services

        version = services.add_version(self.db.session, actor or self.owner, document, io.BytesIO(data), filename,
                                       confirm_redaction=True, note="Mise à jour")
        self.db.session.commit()
        return version

    def stored_files(self) -> list[Path]:
        root = Path(self.app.config["ACHATS_UPLOAD_DIR"])
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def library(app: Any, db: Any, make_user: Callable[..., Any]) -> Library:
    return Library(db, app, make_user)


@pytest.fixture
def theme(db: Any) -> Any:
    from achats.platform.tags import ensure_tags

    ensure_tags(db.session)
    db.session.commit()
    return "produits-entretien"


@pytest.fixture
def temp_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A temp folder of our own, to prove that refused uploads leave nothing in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


