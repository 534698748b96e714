"""Text extraction and previews, off the request path: a task reads each format page by page in a
child process with CPU-time, memory and wall-clock limits, renders a PDF's first page; a file
whose reading fails or runs out of time stays publishable, with a note that its content is not
searchable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents import files


def _pages(db: Any, version: Any) -> list[str]:
    from achats.documents.models import DocumentPage

    return [p.text for p in db.session.query(DocumentPage).filter_by(version_id=version.id)
            .order_by(DocumentPage.number)]


@pytest.mark.parametrize("data,filename,words", [
    (files.pdf("Premier chapitre.", "Deuxième chapitre : écolabel.", "Troisième."), "a.pdf", ["écolabel"]),
    (files.docx("Les bennes sont triées en sept flux."), "a.docx", ["sept flux"]),
    (files.xlsx([["P01", "Ramette de papier recyclé"]]), "a.xlsx", ["Ramette de papier recyclé"]),
    (files.odt("Le conseil adopte le schéma."), "a.odt", ["adopte le schéma"]),
    (files.ods([["3.1", "Ouate de cellulose"]]), "a.ods", ["Ouate de cellulose"]),
])
def test_each_format_is_read(app: Any, db: Any, library: Any, data: bytes, filename: str,
                             words: list[str]) -> None:
    document = library.share(data=data, filename=filename)
    version = library.pending(document)
    db.session.refresh(version)
    assert version.text_status == "done", version.text_error
    text = "\n".join(_pages(db, version))
    for word in words:
        assert word in text
    if filename.endswith(".pdf"):
        assert version.page_count == 3 and len(_pages(db, version)) == 3
        assert version.preview_key
        from achats.platform.storage import storage

        assert storage().path(version.preview_key).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_owner_sees_the_preview_and_the_index_knows_the_text(app: Any, db: Any, client: Any, login: Any,
                                                                 library: Any) -> None:
    from achats.platform import search

    document = library.publish(library.share(data=files.pdf("Un mot rare : hydrocurage.")))
    login(library.owner)
    image = client.get(f"/bibliotheque/{document.id}/versions/1/apercu.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    hits = search.search(db.session, "hydrocurage", viewer=library.owner, types=["document"]).hits
    assert [h.object_id for h in hits] == [document.id] and hits[0].page == 1


def test_a_timeout_leaves_the_file_publishable_with_a_note(app_factory: Any, make_user: Any) -> None:
    app = app_factory(ACHATS_EXTRACT_WALL_SECONDS=0)
    with app.app_context():
        from achats.platform.extensions import db
        from tests.documents.conftest import Library

        library = Library(db, app, make_user)
        document = library.share(data=files.pdf("Texte jamais lu : anticonstitutionnel."))
        version = library.pending(document)
        db.session.refresh(version)
        assert version.text_status == "failed" and "temps" in version.text_error
        document = library.publish(document)
        assert document.status == "published"
        client = library.app.test_client()
        client.get("/")
        with client.session_transaction() as sess:
            sess["_user_id"] = library.owner.get_id()
        page = client.get(f"/bibliotheque/{document.id}").get_data(as_text=True)
        assert "pas pu être lu" in page
        from achats.platform import search

        assert search.search(db.session, "anticonstitutionnel", viewer=library.owner).hits == []
        assert [h.object_id for h in search.search(db.session, "CCTP nettoyage", viewer=library.owner,
                                                   types=["document"]).hits] == [document.id]


def test_the_memory_limit_is_enforced(app_factory: Any, make_user: Any) -> None:
    app = app_factory(ACHATS_EXTRACT_MEMORY_MB=30)  # not enough for the interpreter and PDFium
    with app.app_context():
        from achats.platform.extensions import db
        from tests.documents.conftest import Library

        library = Library(db, app, make_user)
        version = library.pending(library.share(data=files.pdf("Texte.")))
        db.session.refresh(version)
        assert version.text_status == "failed"


def test_the_cpu_limit_kills_a_runaway_reader(tmp_path: Any) -> None:
    """The child's CPU-time limit stops it (RLIMIT_CPU); measured on a file that loops forever."""
    import sys
    import time
    from pathlib import Path

    from achats.documents import tasks

    script = tmp_path / "spin.py"
    script.write_text("while True:\n    pass\n")
    original = sys.executable
    started = time.monotonic()
    data, problem = tasks.run_extractor(Path("/nonexistent"), "pdf", tmp_path, cpu=1, wall=30,
                                        command=[original, str(script)])
    assert data is None and "temps" in (problem or "")
    assert time.monotonic() - started < 10


def test_the_task_is_idempotent(app: Any, db: Any, library: Any) -> None:
    from achats.documents.tasks import extract_version

    version = library.pending(library.share())
    assert "déjà lue" in extract_version(version.id)
    assert extract_version(10**6) == "Version introuvable."
