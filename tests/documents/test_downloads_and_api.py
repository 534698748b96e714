"""Downloads (access on every request, attachment with a safe UTF-8 name, nosniff, sandbox,
private cache for restricted files, ranges, counts not inflated by repeated clicks) and the API
as API.md says (documents, versions, retours d'usage), with personal data."""

from __future__ import annotations

import io
from typing import Any

from tests.documents import files


def test_download_headers(app: Any, api: Any, library: Any, make_user: Any) -> None:
    members = library.share(filename="CCTP « nettoyage » écolabel.pdf", publish=True)
    public = library.share(filename="public.pdf", publish=True, visibility="public")
    reader = api(make_user())
    response = reader.get(f"/documents/{members.id}/download")
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''CCTP%20%C2%AB%20nettoyage%20%C2%BB%20%C3%A9colabel.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert "private" in response.headers["Cache-Control"] and "no-store" in response.headers["Cache-Control"]
    anonymous = api(None).get(f"/documents/{public.id}/download")
    assert anonymous.status_code == 200 and "public" in anonymous.headers["Cache-Control"]
    assert api(None).get(f"/documents/{members.id}/download").status_code == 404


def test_range_requests(app: Any, api: Any, library: Any, make_user: Any) -> None:
    document = library.share(data=files.pdf(*["Une page de texte." * 20] * 30), publish=True)
    reader = api(make_user())
    whole = reader.get(f"/documents/{document.id}/download").data
    part = reader.get(f"/documents/{document.id}/download", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == whole[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    past = reader.get(f"/documents/{document.id}/download", headers={"Range": f"bytes={len(whole) + 10}-"})
    assert past.status_code == 416


def test_download_counts_are_not_inflated(app: Any, db: Any, api: Any, client: Any, library: Any,
                                          make_user: Any) -> None:
    document = library.share(publish=True, visibility="public")
    first, second = api(make_user()), api(make_user())
    for _ in range(5):
        first.get(f"/documents/{document.id}/download")
    first.get(f"/documents/{document.id}/download", headers={"Range": "bytes=500-"})  # a resumed download
    second.get(f"/documents/{document.id}/download")
    for _ in range(3):
        client.get(f"/bibliotheque/{document.id}/telecharger")  # one anonymous visitor (one address)
    db.session.expire_all()
    assert library.fresh(document).download_count == 3
    assert first.get(f"/documents/{document.id}").get_json()["download_count"] == 3


def test_link_only_documents_are_not_handed_out(app: Any, api: Any, client: Any, login: Any, library: Any,
                                                make_user: Any) -> None:
    document = library.share(licence="tous_droits_reserves", source_url="https://www.economie.gouv.fr/daj",
                             publish=True)
    reader = api(make_user())
    assert reader.get(f"/documents/{document.id}/download").status_code == 403
    assert reader.get(f"/documents/{document.id}").get_json()["download_url"] is None
    login(make_user())
    page = client.get(f"/bibliotheque/{document.id}").get_data(as_text=True)
    assert "Voir à la source" in page and "economie.gouv.fr/daj" in page
    assert api(library.moderator).get(f"/documents/{document.id}/download").status_code == 200


def test_the_api_contract(app: Any, api: Any, library: Any, make_user: Any, theme: str) -> None:
    uploader = api(library.owner)
    created = uploader.post("/documents", data={
        "file": (io.BytesIO(files.pdf("Nettoyage écolabellisé.", "Microfibre.")), "cctp.pdf"),
        "title": "CCTP nettoyage des locaux", "doc_type": "cctp", "themes": theme, "family": "services",
        "cpv_codes": "90911200-8, 90919200-4", "levier": "specification-technique", "procedure": "appel_d_offres",
        "year": "2026", "licence": "cc_by", "visibility": "members", "confirm_redaction": "1",
        "description": "Notre CCTP.", "up_to_date_on": "2026-11-01"}, content_type="multipart/form-data")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    for key in ("id", "title", "doc_type", "themes", "family", "cpv_codes", "organisation", "status", "version",
                "filename", "size", "content_type", "created_at"):
        assert key in body, key
    assert body["status"] == "pending_review" and body["version"] == 1 and body["themes"] == [theme]
    assert body["cpv_codes"] == ["90911200-8", "90919200-4"] and body["procedure"] == "appel-d-offres"
    assert body["organisation"] == library.owner.organisation.name
    document_id = body["id"]
    other = api(make_user())
    assert other.get(f"/documents/{document_id}").status_code == 404
    from achats.documents.models import Document

    library.publish(library.db.session.get(Document, document_id))
    listed = other.get("/documents?doc_type=cctp&family=services&cpv=90911200-8&theme=" + theme).get_json()
    assert [d["id"] for d in listed["items"]] == [document_id] and listed["total"] == 1
    assert other.get("/documents?doc_type=rc").get_json()["items"] == []
    found = other.get("/documents?q=microfibre").get_json()["items"][0]
    assert found["page"] == 2 and "<mark>" in found["snippet"]
    # versions
    new = uploader.post(f"/documents/{document_id}/versions", data={
        "file": (io.BytesIO(files.pdf("Version 2.")), "cctp-v2.pdf"), "confirm_redaction": "true",
        "note": "Indicateurs ajoutés"}, content_type="multipart/form-data")
    assert new.status_code == 201 and new.get_json()["version"] == 2 and new.get_json()["status"] == "pending_review"
    versions = uploader.get(f"/documents/{document_id}/versions").get_json()["items"]
    assert [(v["version"], v["status"]) for v in versions] == [(2, "pending_review"), (1, "published")]
    for key in ("version", "filename", "size", "created_at", "status"):
        assert key in versions[0]
    assert other.post(f"/documents/{document_id}/versions", data={
        "file": (io.BytesIO(files.pdf("x")), "x.pdf"), "confirm_redaction": "1"},
        content_type="multipart/form-data").status_code == 403
    # retours d'usage
    reuse = other.post(f"/documents/{document_id}/reuses", json={
        "procedure": "mapa", "year": 2026, "bids_received": 4, "outcome": "awarded", "comment": "Très bien."})
    assert reuse.status_code == 201, reuse.get_json()
    assert reuse.get_json()["reuse_count"] == 1 and reuse.get_json()["average_bids"] == 4
    api(make_user()).post(f"/documents/{document_id}/reuses", json={
        "procedure": "appel-d-offres", "year": 2025, "bids_received": 7, "outcome": "unsuccessful"})
    listed = other.get(f"/documents/{document_id}/reuses").get_json()
    assert listed["reuse_count"] == 2 and listed["average_bids"] == 5.5
    assert other.get(f"/documents/{document_id}").get_json()["reuse_count"] == 2
    bad = other.post(f"/documents/{document_id}/reuses", json={"procedure": "mapa", "year": 2026,
                                                               "bids_received": -1, "outcome": "maybe"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) >= {"bids_received", "outcome"}
    extra = other.post(f"/documents/{document_id}/reuses", json={"procedure": "mapa", "year": 2026,
                                                                 "bids_received": 1, "outcome": "awarded",
                                                                 "user_id": 1})
    assert extra.status_code == 422
    assert other.get("/documents?cursor=%%%").status_code == 400
    assert other.get("/documents?year=abc").status_code == 400


def test_the_openapi_document_describes_the_library(app: Any, client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert "multipart/form-data" in paths["/api/v1/documents"]["post"]["requestBody"]["content"]
    for path in ("/api/v1/documents/{document_id}", "/api/v1/documents/{document_id}/download",
                 "/api/v1/documents/{document_id}/versions", "/api/v1/documents/{document_id}/reuses"):
        assert path in paths, path


def test_personal_data_export_and_deletion(app: Any, db: Any, api: Any, library: Any, make_user: Any) -> None:
    from achats.documents import personal_data
    from achats.documents.models import Document

    published = library.share(title="Document publié à garder", publish=True)
    pending = library.share(title="Brouillon à effacer")
    reader = make_user()
    api(reader).get(f"/documents/{published.id}/download")
    exported = personal_data.export_documents(db.session, library.owner)
    assert {d["title"] for d in exported} == {"Document publié à garder", "Brouillon à effacer"}
    assert exported[0]["versions"][0]["redaction_confirmed_at"]
    assert personal_data.export_downloads(db.session, reader) == [
        {"document_id": published.id, "day": personal_data.export_downloads(db.session, reader)[0]["day"]}]
    files_before = len(library.stored_files())
    personal_data.forget_account(db.session, library.owner)
    db.session.commit()
    assert db.session.get(Document, pending.id) is None and db.session.get(Document, published.id) is not None
    assert len(library.stored_files()) < files_before
    personal_data.forget_account(db.session, reader)
    db.session.commit()
    assert personal_data.export_downloads(db.session, reader) == []
