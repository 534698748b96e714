"""Uploads (SECURITY.md §6): the type is decided by content and structure; every malicious file
is refused with a 4xx and a French message, never a 500, and leaves nothing behind — in the
upload folder or the temp folder. Through the API (multipart) and the library's page."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import csrf_token_from
from tests.documents import files
from tests.documents.conftest import listing

META = {"title": "CCTP nettoyage des locaux", "doc_type": "cctp", "confirm_redaction": "true"}

MALICIOUS = [
    # (name, bytes, filename, expected status, words of the message)
    ("extension lie: a PDF named .docx", lambda: files.pdf("texte"), "cctp.docx", 415, "annonce"),
    ("extension lie: an executable named .pdf", lambda: b"MZ\x90\x00" + b"\x00" * 500, "cctp.pdf", 415,
     "type de fichier"),
    ("HTML named .pdf", lambda: b"<html><script>alert(1)</script></html>", "cctp.pdf", 415, "type de fichier"),
    ("SVG named .pdf", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "a.pdf", 415,
     "type de fichier"),
    ("polyglot: a PDF that is also a ZIP", files.pdf_zip_polyglot, "cctp.pdf", 422, "hybride"),
    ("PDF JavaScript", files.pdf_with_javascript, "cctp.pdf", 422, "PDF"),
    ("PDF JavaScript behind #xx escapes", files.pdf_with_escaped_javascript, "cctp.pdf", 422, "PDF"),
    ("PDF Launch action", files.pdf_with_launch, "cctp.pdf", 422, "PDF"),
    ("PDF OpenAction", files.pdf_with_open_action_uri, "cctp.pdf", 422, "PDF"),
    ("PDF additional actions (/AA)", files.pdf_with_additional_actions, "cctp.pdf", 422, "PDF"),
    ("PDF embedded file", files.pdf_with_embedded_file, "cctp.pdf", 422, "PDF"),
    ("zip bomb (300 MB of XML)", files.docx_zip_bomb, "clause.docx", 422, "démesuré"),
    ("zip bomb with lying headers", files.docx_lying_sizes, "clause.docx", 422, ""),
    ("entry-count bomb", files.docx_many_entries, "clause.docx", 422, "éléments"),
    ("zip-slip entry name", files.docx_zip_slip, "clause.docx", 422, "chemin interdit"),
    ("absolute entry name", files.docx_absolute_path, "clause.docx", 422, "chemin interdit"),
    ("symlink entry", files.docx_symlink, "clause.docx", 422, "lien symbolique"),
    ("XML bomb (billion laughs)", files.docx_xml_bomb, "clause.docx", 422, "XML dangereux"),
    ("external entity (XXE)", files.docx_xxe, "clause.docx", 422, "XML dangereux"),
    ("XXE in [Content_Types].xml", files.docx_xxe_in_content_types, "clause.docx", 422, "XML"),
    ("macro-enabled document", files.docm_with_macros, "clause.docx", 422, "macros"),
    ("VBA project inside a DOCX", files.docx_with_vba_part, "clause.docx", 422, "macros"),
    ("OLE/CFB (old Office, encrypted Office)", files.ole_file, "clause.doc", 415, "Ancien format"),
    ("a ZIP that is no Office document", files.zip_without_office_structure, "clause.docx", 415, "Office"),
    ("DOCX without its main part", files.docx_without_main_part, "clause.docx", 422, ""),
    ("ODT with a foreign mimetype", files.odt_with_wrong_mimetype, "deliberation.odt", 422, ""),
    ("encrypted ZIP entries", files.encrypted_zip_entry, "clause.docx", 415, "chiffré"),
    ("empty file", lambda: b"", "cctp.pdf", 400, "vide"),
]


@pytest.fixture
def uploader(make_user: Any, api: Any) -> Any:
    return api(make_user(name="Julien Acheteur"))


def _post(client: Any, data: bytes, filename: str, **fields: Any) -> Any:
    form = {**META, **fields, "file": (io.BytesIO(data), filename)}
    return client.post("/documents", data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("name,build,filename,status,words", MALICIOUS, ids=[m[0] for m in MALICIOUS])
def test_malicious_uploads_are_refused_and_leave_nothing(app: Any, library: Any, uploader: Any, temp_dir: Path,
                                                          name: str, build: Any, filename: str, status: int,
                                                          words: str) -> None:
    from achats.documents.models import Document

    data = build()
    response = _post(uploader, data, filename)
    assert response.status_code == status, (name, response.get_json())
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert words in problem["detail"], problem
    assert problem["errors"]["file"] == [problem["detail"]]
    assert library.stored_files() == []
    assert listing(temp_dir) == []
    assert library.db.session.query(Document).count() == 0


def test_the_same_refusals_in_the_page_are_french_messages_next_to_the_field(
        app: Any, client: Any, login: Any, library: Any, temp_dir: Path) -> None:
    login(library.owner)
    token = csrf_token_from(client)
    for build, filename, words in ((files.pdf_with_javascript, "cctp.pdf", "contenu actif"),
                                   (files.docm_with_macros, "clause.docx", "macros"),
                                   (lambda: b"", "vide.pdf", "vide")):
        response = client.post("/bibliotheque/nouveau", data={
            "csrf_token": token, "title": "CCTP nettoyage", "doc_type": "cctp", "licence": "licence_ouverte_2",
            "visibility": "members", "confirm_redaction": "y", "file": (io.BytesIO(build()), filename),
        }, content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert words in html or words in html.replace("\u00a0", " "), words
        assert 'aria-invalid="true"' in html
        assert 'value="CCTP nettoyage"' in html  # what was typed is kept
    assert library.stored_files() == [] and listing(temp_dir) == []


def test_a_good_file_of_each_format_is_accepted_and_stored_under_a_random_name(
        app: Any, library: Any, uploader: Any) -> None:
    samples = [(files.pdf("Texte du CCTP."), "CCTP nettoyage.pdf", "application/pdf"),
               (files.docx("Clause de tri."), "clause.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
               (files.xlsx([["P01", "Ramette"]]), "bpu.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
               (files.odt("Le conseil délibère."), "deliberation.odt", "application/vnd.oasis.opendocument.text"),
               (files.ods([["1", "Isolation"]]), "dqe.ods", "application/vnd.oasis.opendocument.spreadsheet")]
    for data, filename, content_type in samples:
        response = _post(uploader, data, filename)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert body["status"] == "pending_review" and body["content_type"] == content_type
        assert body["filename"] == filename and body["size"] == len(data)
    stored = library.stored_files()
    names = [p.name for p in stored if not p.name.endswith(".png")]
    assert len(names) == 5
    assert all(re.fullmatch(r"[0-9a-f]{32}\.(pdf|docx|xlsx|odt|ods)", n) for n in names), names
    assert all(str(p).startswith(app.config["ACHATS_UPLOAD_DIR"]) for p in stored)
    assert not (Path(app.root_path) / "static" / "uploads").exists()


@pytest.mark.parametrize("raw,expected", [
    ("cctp\r\nSet-Cookie: x=1.pdf", "cctpSet-Cookie x=1.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\cctp.pdf", "cctp.pdf"),
    ("cc\x00tp.pdf", "cctp.pdf"),
    ("cctp\u202efdp.pdf", "cctpfdp.pdf"),
    ("\u2066rapport\u2069.pdf", "rapport.pdf"),
    ("rapport\u200b\ufeff.pdf", "rapport.pdf"),
    (".htaccess.pdf", "htaccess.pdf"),
    ('"; filename="evil.html.pdf', "; filename=evil.html.pdf"),
    ("a" * 400 + ".pdf", "a" * 140 + ".pdf"),
    ("CCTP « nettoyage » écolabel.pdf", "CCTP « nettoyage » écolabel.pdf"),
])
def test_hostile_filenames_are_made_safe(raw: str, expected: str) -> None:
    from achats.documents.filecheck import safe_filename
    from achats.documents.vocabulary import FileKind

    assert safe_filename(raw, FileKind.PDF) == expected


@pytest.mark.parametrize("raw", ["../../etc/passwd.pdf", "cc\x00tp.pdf", "cctp\u202efdp.pdf",
                                 "cctp%0D%0ASet-Cookie: x=1.pdf", "CCTP « nettoyage » écolabel.pdf"])
def test_hostile_filenames_are_stored_safe_and_served_without_error(app: Any, library: Any, uploader: Any,
                                                                    raw: str) -> None:
    from achats.documents.models import Document

    response = _post(uploader, files.pdf("Texte."), raw)
    assert response.status_code == 201, response.get_json()
    stored = response.get_json()["filename"]
    assert not any(c in stored for c in "/\\\x00\r\n\u202e")
    library.publish(library.db.session.get(Document, response.get_json()["id"]))
    download = uploader.get(f"/documents/{response.get_json()['id']}/download")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert not any(c in disposition for c in "\r\n\x00\u202e")
    assert "/" not in disposition.replace("filename*=UTF-8''", "")


def test_oversize_files_are_refused_with_413_and_nothing_kept(app: Any, library: Any, uploader: Any,
                                                               temp_dir: Path) -> None:
    big = b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024)  # one byte over 50 MiB with the header
    response = _post(uploader, big, "gros.pdf")
    assert response.status_code == 413
    assert "50 Mo" in response.get_json()["detail"] or "volumineux" in response.get_json()["detail"]
    assert library.stored_files() == [] and listing(temp_dir) == []


def test_a_request_over_the_body_limit_is_413_before_anything_is_read(app: Any, uploader: Any) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = uploader.post("/documents", input_stream=io.BytesIO(b"x" * 100),
                             content_type="multipart/form-data; boundary=x",
                             environ_overrides={"CONTENT_LENGTH": str(limit + 1)})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_too_many_form_parts_are_refused(app: Any, uploader: Any, library: Any) -> None:
    fields = {f"champ{n}": "x" for n in range(app.config["MAX_FORM_PARTS"] + 10)}
    response = _post(uploader, files.pdf("Texte."), "cctp.pdf", **fields)
    assert response.status_code == 413
    assert library.stored_files() == []


def test_a_chunked_upload_without_length_is_read_and_checked_like_another(app: Any, uploader: Any,
                                                                           library: Any) -> None:
    boundary = "frontiere"
    data = files.pdf("Texte envoyé par morceaux.")
    body = b"".join([
        *(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in META.items()),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cctp.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode(), data, f"\r\n--{boundary}--\r\n".encode()])
    response = uploader.post("/documents", input_stream=io.BytesIO(body),
                             content_type=f"multipart/form-data; boundary={boundary}",
                             environ_overrides={"wsgi.input_terminated": True}, headers={"Transfer-Encoding": "chunked"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["size"] == len(data)
    bad = body.replace(data, files.pdf_with_javascript())
    response = uploader.post("/documents", input_stream=io.BytesIO(bad),
                             content_type=f"multipart/form-data; boundary={boundary}",
                             environ_overrides={"wsgi.input_terminated": True}, headers={"Transfer-Encoding": "chunked"})
    assert response.status_code == 422


def test_missing_pieces_are_clear_errors(app: Any, uploader: Any, library: Any) -> None:
    no_file = uploader.post("/documents", data=META, content_type="multipart/form-data")
    assert no_file.status_code == 422 and no_file.get_json()["errors"]["file"]
    json_body = uploader.post("/documents", json=META)
    assert json_body.status_code == 415 and "multipart" in json_body.get_json()["detail"]
    unconfirmed = _post(uploader, files.pdf("x"), "cctp.pdf", confirm_redaction="")
    assert unconfirmed.status_code == 422 and "données personnelles" in unconfirmed.get_json()["detail"]
    bad_cpv = _post(uploader, files.pdf("x"), "cctp.pdf", cpv_codes="4500000-7")
    assert bad_cpv.status_code == 422 and "cpv_codes" in bad_cpv.get_json()["errors"]
    unknown_type = _post(uploader, files.pdf("x"), "cctp.pdf", doc_type="virus")
    assert unknown_type.status_code == 422 and "doc_type" in unknown_type.get_json()["errors"]
    bad_year = _post(uploader, files.pdf("x"), "cctp.pdf", year="deux mille")
    assert bad_year.status_code == 422 and "year" in bad_year.get_json()["errors"]
    link_only = _post(uploader, files.pdf("x"), "cctp.pdf", licence="tous_droits_reserves")
    assert link_only.status_code == 422 and "source_url" in link_only.get_json()["errors"]
    assert library.stored_files() == []


def test_a_refused_description_after_the_file_was_stored_removes_the_file(app: Any, db: Any, library: Any) -> None:
    """The file is stored only once checked; a rollback afterwards deletes it (on_rollback)."""
    from achats.documents import services

    services.create_document(db.session, library.owner, io.BytesIO(files.pdf("x")), "cctp.pdf",
                             services.DocumentInput(title="CCTP de test", doc_type="cctp"), confirm_redaction=True)
    assert len(library.stored_files()) == 1
    db.session.rollback()
    assert library.stored_files() == []


def test_pending_accounts_cannot_upload(app: Any, make_user: Any, api: Any, library: Any) -> None:
    pending = api(make_user(status="pending"))
    response = _post(pending, files.pdf("x"), "cctp.pdf")
    assert response.status_code == 403
    assert library.stored_files() == []


def test_uploads_are_rate_limited(app_factory: Any, make_token: Any) -> None:
    app = app_factory()
    with app.app_context():
        from achats.auth.models import AccountStatus, User, UserTheme  # noqa: F401
        from tests.conftest import password_hash

        user = User(name="Rapide", handle="rapide", email="rapide@commune-test.fr", password_hash=password_hash(),
                    status=AccountStatus.ACTIVE)
        from achats.platform.db import utcnow
        from achats.platform.extensions import db

        user.email_confirmed_at = user.approved_at = utcnow()
        db.session.add(user)
        db.session.commit()
        token = make_token(user)
        client = app.test_client()
        statuses = []
        for _ in range(22):
            response = client.post("/api/v1/documents", headers={"Authorization": f"Bearer {token}"},
                                   data={**META, "file": (io.BytesIO(b""), "vide.pdf")},
                                   content_type="multipart/form-data")
            statuses.append(response.status_code)
        assert statuses[:20] == [400] * 20 and statuses[-1] == 429
