"""The library's API (API.md): documents, their files and versions, retours d'usage.

Uploads are multipart (`file` plus the metadata fields); every refusal is problem+json with a
French `detail` and, for a field, `errors`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Literal

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from pydantic import BaseModel, Field

from achats.documents import permissions as perms
from achats.documents import services
from achats.documents.indexing import document_path
from achats.documents.models import Document, DocumentReuse, DocumentVersion
from achats.documents.services.reading import ReuseFigures
from achats.platform.api import ApiBlueprint, ApiError, StrictBody, decode_cursor, encode_cursor
from achats.platform.dates import PARIS
from achats.platform.db import utcnow
from achats.platform.extensions import db, limiter
from achats.platform.ids import MAX_ID, parse_id, parse_int
from achats.platform.uploads import UploadRefused

api = ApiBlueprint("documents_api", "achats.documents.api", tag="Bibliothèque")


def _rate_key() -> str:
    return f"upload:{current_user.id}" if current_user.is_authenticated else get_remote_address()


upload_limit = limiter.limit("20 per hour;100 per day", key_func=_rate_key,
                             error_message="Vous avez déposé beaucoup de fichiers : patientez un peu.")


def _me() -> Any:
    return current_user._get_current_object()


# --- schemas ----------------------------------------------------------------------------------------


class PersonOut(BaseModel):
    id: int
    name: str


class DocumentOut(BaseModel):
    id: int
    title: str
    description: str
    doc_type: str
    themes: list[str]
    family: str | None
    cpv_codes: list[str]
    levier: str | None
    procedure: str | None
    organisation: str | None
    organisation_id: int | None
    year: int | None
    licence: str
    source_url: str | None
    up_to_date_on: date | None
    needs_review: bool
    visibility: str
    status: str
    hidden: bool
    version: int | None
    filename: str | None
    size: int | None
    content_type: str | None
    page_count: int | None
    text_status: str | None
    download_count: int
    reuse_count: int
    average_bids: float | None
    owner: PersonOut | None
    url: str
    download_url: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    snippet: str | None = None
    page: int | None = None


class DocumentList(BaseModel):
    items: list[DocumentOut]
    total: int
    next_cursor: str | None


class VersionOut(BaseModel):
    version: int
    filename: str
    size: int
    content_type: str
    created_at: datetime
    status: str
    current: bool
    note: str | None
    page_count: int | None
    text_status: str
    rejection_reason: str | None
    download_url: str | None


class VersionList(BaseModel):
    items: list[VersionOut]
    next_cursor: str | None = None


class ReuseOut(BaseModel):
    id: int
    procedure: str
    year: int
    bids_received: int
    outcome: Literal["awarded", "unsuccessful"]
    comment: str | None
    created_at: datetime
    user: PersonOut | None


class ReuseList(BaseModel):
    items: list[ReuseOut]
    reuse_count: int
    average_bids: float | None
    next_cursor: str | None = None


class ReuseCreated(ReuseOut):
    reuse_count: int
    average_bids: float | None


class ReuseBody(StrictBody):
    procedure: str = Field(min_length=1, max_length=40)
    year: int = Field(ge=1990, le=2100)
    bids_received: int = Field(ge=0, le=999)
    outcome: Literal["awarded", "unsuccessful"]
    comment: str | None = Field(default=None, max_length=2000)


class DocumentsQuery(BaseModel):
    theme: str | None = Field(default=None, max_length=60)
    family: str | None = Field(default=None, max_length=30)
    famille: str | None = Field(default=None, max_length=30)
    cpv: str | None = Field(default=None, max_length=10)
    doc_type: str | None = Field(default=None, max_length=30)
    levier: str | None = Field(default=None, max_length=40)
    licence: str | None = Field(default=None, max_length=40)
    year: int | None = Field(default=None, ge=1990, le=2100)
    organisation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    q: str | None = Field(default=None, max_length=200)
    sort: Literal["recents", "telecharges", "mis-a-jour"] = "recents"
    mine: bool = False
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=200)


_METADATA_FIELDS = {
    "title": {"type": "string", "minLength": 5, "maxLength": 200},
    "description": {"type": "string", "maxLength": 5000},
    "doc_type": {"type": "string", "description": "rc, ae, ccap, cctp, bpu, dqe, dpgf, rapport_analyse, clausier, "
                                                  "guide, deliberation, retour_experience, support_webinaire, autre"},
    "themes": {"type": "array", "items": {"type": "string"}, "description": "slugs of theme tags (GET /tags)"},
    "family": {"type": "string", "enum": ["travaux", "fournitures", "services"]},
    "cpv_codes": {"type": "array", "items": {"type": "string", "example": "90911200-8"}},
    "levier": {"type": "string"},
    "procedure": {"type": "string", "enum": ["mapa", "appel-d-offres", "accord-cadre", "autre"]},
    "organisation_id": {"type": "integer"},
    "year": {"type": "integer"},
    "licence": {"type": "string", "enum": ["licence_ouverte_2", "cc_by", "cc_by_nc", "tous_droits_reserves"]},
    "source_url": {"type": "string", "format": "uri"},
    "up_to_date_on": {"type": "string", "format": "date"},
    "visibility": {"type": "string", "enum": ["members", "public"]},
}
_FILE_FIELDS = {
    "file": {"type": "string", "format": "binary", "description": "PDF, DOCX, XLSX, ODT or ODS, 50 MiB at most"},
    "confirm_redaction": {"type": "boolean", "description": "personal data and confidential prices removed"},
    "note": {"type": "string", "maxLength": 300},
}
UPLOAD_SCHEMA = {"type": "object", "required": ["file", "title", "doc_type", "confirm_redaction"],
                 "properties": {**_FILE_FIELDS, **_METADATA_FIELDS}}
VERSION_SCHEMA = {"type": "object", "required": ["file", "confirm_redaction"], "properties": _FILE_FIELDS}


# --- serialisers ---------------------------------------------------------------------------------------


def _base() -> str:
    return str(current_app.config.get("ACHATS_BASE_URL", ""))


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name}


def _shown_version(document: Document, viewer: Any) -> DocumentVersion | None:
    """The version the viewer is shown: the published one, or (their own, not yet published) the newest."""
    if document.current_version is not None:
        return document.current_version
    if perms.can_view_version(viewer, document, _newest(document)):
        return _newest(document)
    return None


def _newest(document: Document) -> DocumentVersion | None:
    from sqlalchemy import select

    return db.session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                             .order_by(DocumentVersion.number.desc()).limit(1))


def document_payload(document: Document, viewer: Any, figures: ReuseFigures | None = None,
                     hit: Any = None) -> dict[str, Any]:
    version = _shown_version(document, viewer)
    figures = figures or ReuseFigures()
    downloadable = version is not None and perms.can_download(viewer, document, version)
    return {
        "id": document.id, "title": document.title, "description": document.description,
        "doc_type": str(document.doc_type), "themes": [t.slug for t in document.tags],
        "family": str(document.famille) if document.famille else None, "cpv_codes": document.cpv_codes,
        "levier": str(document.levier) if document.levier else None,
        "procedure": str(document.procedure) if document.procedure else None,
        "organisation": document.organisation.name if document.organisation else None,
        "organisation_id": document.organisation_id, "year": document.year, "licence": str(document.licence),
        "source_url": document.source_url, "up_to_date_on": document.up_to_date_on,
        "needs_review": document.needs_review, "visibility": str(document.visibility), "status": str(document.status),
        "hidden": document.hidden,
        "version": version.number if version else None, "filename": version.filename if version else None,
        "size": version.size if version else None, "content_type": version.content_type if version else None,
        "page_count": version.page_count if version else None,
        "text_status": str(version.text_status) if version else None,
        "download_count": document.download_count, "reuse_count": figures.count,
        "average_bids": round(figures.average_bids, 2) if figures.average_bids is not None else None,
        "owner": _person(document.owner), "url": _base() + document_path(document),
        "download_url": f"{_base()}/api/v1/documents/{document.id}/download" if downloadable else None,
        "created_at": document.created_at, "updated_at": document.updated_at, "published_at": document.published_at,
        "snippet": str(hit.snippet_html) if hit is not None else None, "page": hit.page if hit is not None else None,
    }


def version_payload(document: Document, version: DocumentVersion, viewer: Any) -> dict[str, Any]:
    downloadable = perms.can_download(viewer, document, version)
    return {
        "version": version.number, "filename": version.filename, "size": version.size,
        "content_type": version.content_type, "created_at": version.created_at, "status": str(version.status),
        "current": document.current_version_id == version.id, "note": version.note, "page_count": version.page_count,
        "text_status": str(version.text_status),
        "rejection_reason": version.rejection_reason if (perms.is_owner(viewer, document)
                                                         or perms.is_moderator(viewer)) else None,
        "download_url": (f"{_base()}/api/v1/documents/{document.id}/versions/{version.number}/download"
                         if downloadable else None),
    }


def reuse_payload(reuse: DocumentReuse) -> dict[str, Any]:
    return {"id": reuse.id, "procedure": str(reuse.procedure), "year": reuse.year,
            "bids_received": reuse.bids_received, "outcome": str(reuse.outcome), "comment": reuse.comment,
            "created_at": reuse.created_at, "user": _person(reuse.user)}


# --- errors and multipart ----------------------------------------------------------------------------


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except UploadRefused as exc:
        db.session.rollback()
        raise ApiError(exc.status, exc.message, errors={"file": [exc.message]}) from None
    except services.DocumentError as exc:
        db.session.rollback()
        errors = {exc.field: [exc.message]} if exc.field else None
        raise ApiError(exc.status, exc.message, errors=errors) from None


def _multipart() -> None:
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "Envoyez le fichier en multipart/form-data (champ « file »).")


def _listed(name: str) -> list[str]:
    """A list field sent as repeated parts or as one comma-separated value."""
    values: list[str] = []
    for raw in request.form.getlist(name):
        values += [v.strip() for v in raw.replace(";", ",").split(",") if v.strip()]
    return values


def _truthy(name: str) -> bool:
    return (request.form.get(name) or "").strip().lower() in ("1", "true", "on", "oui", "yes")


def _int_field(name: str, minimum: int, maximum: int) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    value = parse_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        raise ApiError(422, "Certains champs sont invalides.", errors={name: ["Un nombre entier valide est attendu."]})
    return value


def _date_field(name: str) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ApiError(422, "Certains champs sont invalides.",
                       errors={name: ["Une date au format AAAA-MM-JJ est attendue."]}) from None


def _metadata() -> services.DocumentInput:
    form = request.form
    organisation = form.get("organisation_id")
    organisation_id = parse_id(organisation) if organisation else None
    if organisation and organisation_id is None:
        raise ApiError(422, "Certains champs sont invalides.", errors={"organisation_id": ["Organisme inconnu."]})
    return services.DocumentInput(
        title=form.get("title", ""), description=form.get("description", ""),
        doc_type=(form.get("doc_type") or "").strip().lower(), themes=_listed("themes"),
        famille=(form.get("family") or form.get("famille") or "").strip().lower() or None,
        cpv_codes=_listed("cpv_codes"), levier=(form.get("levier") or "").strip() or None,
        procedure=(form.get("procedure") or "").strip() or None, organisation_id=organisation_id,
        year=_int_field("year", 0, 9999), licence=(form.get("licence") or "licence_ouverte_2").strip(),
        source_url=form.get("source_url") or None, up_to_date_on=_date_field("up_to_date_on"),
        visibility=(form.get("visibility") or "members").strip(),
    )


def _file() -> Any:
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(422, "Le fichier est absent (champ « file »).", errors={"file": ["Ce champ est obligatoire."]})
    return upload


def _document_or_404(document_id: int) -> Document:
    document = services.get_document(db.session, document_id, _me())
    if document is None:
        raise ApiError(404, "Ce document n'existe pas ou ne vous est pas accessible.")
    return document


# --- documents ------------------------------------------------------------------------------------------


@api.operation("/documents", "GET", "La bibliothèque : documents publiés, filtrés et cherchés (texte des fichiers compris)",
               query=DocumentsQuery, response=DocumentList, auth=False, errors=(400,))
def list_documents(query: DocumentsQuery) -> dict[str, Any]:
    viewer = _me()
    offset = 0
    if query.cursor:
        values = decode_cursor(query.cursor, 1)
        if values is None or not isinstance(values[0], int) or not 0 <= values[0] <= 100_000:
            raise ApiError(400, "Curseur de pagination invalide.", errors={"cursor": ["Curseur invalide."]})
        offset = values[0]
    if query.mine:
        if not perms.is_reader(viewer):
            raise ApiError(401, "Connectez-vous ou fournissez un jeton d'API.")
        documents = services.my_documents(db.session, viewer)
        page, total = documents[offset:offset + query.limit], len(documents)
        hits: dict[int, Any] = {}
    else:
        filters = services.clean_filters({
            "doc_type": (query.doc_type or "").lower(), "theme": query.theme or "",
            "famille": (query.family or query.famille or "").lower(), "cpv": (query.cpv or "")[:2],
            "levier": query.levier or "", "year": query.year, "organisation": query.organisation_id,
            "licence": query.licence or "", "q": (query.q or "").strip(), "sort": query.sort,
        })
        hits = {}
        if filters.q:
            found = services.matches(db.session, viewer, filters, facets=False, ids=filters.sort != "recents")
            total = found.total
            if filters.sort == "recents":
                ranked = services.ranked_hits(db.session, viewer, filters, offset, query.limit)
                hits = {h.object_id: h for h in ranked}
                rows = {d.id: d for d in db.session.scalars(
                    services.listed(viewer).where(Document.id.in_(list(hits) or [0])))}
                page = [rows[i] for i in hits if i in rows]
            else:
                stmt = services.library_query(db.session, viewer, filters, matched=list(found.ids))
                page, _total = services.page_of(db.session, stmt, offset, query.limit)
        else:
            stmt = services.library_query(db.session, viewer, filters)
            page, total = services.page_of(db.session, stmt, offset, query.limit)
    figures = services.reuse_figures(db.session, [d.id for d in page])
    next_offset = offset + len(page)
    return {"items": [document_payload(d, viewer, figures.get(d.id), hits.get(d.id)) for d in page],
            "total": total, "next_cursor": encode_cursor([next_offset]) if next_offset < total else None}


@api.operation("/documents", "POST", "Partager un document (multipart : le fichier et sa fiche) ; en attente de "
               "vérification jusqu'à sa publication par la modération", response=DocumentOut, status=201,
               multipart=UPLOAD_SCHEMA, errors=(400, 403, 413, 415, 422, 429), endpoint="create_document")
@upload_limit
def create_document() -> tuple[dict[str, Any], int]:
    _multipart()
    data = _metadata()
    upload = _file()
    with domain_errors():
        document = services.create_document(db.session, _me(), upload.stream, upload.filename, data,
                                            confirm_redaction=_truthy("confirm_redaction"),
                                            note=request.form.get("note"))
    db.session.commit()
    return document_payload(document, _me()), 201


@api.operation("/documents/<int:document_id>", "GET", "Un document : sa fiche, sa version actuelle, ses chiffres",
               response=DocumentOut, auth=False, errors=(404,))
def get_document(document_id: int) -> dict[str, Any]:
    document = _document_or_404(document_id)
    figures = services.reuse_figures(db.session, [document.id]).get(document.id)
    return document_payload(document, _me(), figures)


@api.operation("/documents/<int:document_id>/download", "GET", "Le fichier de la version actuelle (en pièce jointe)",
               auth=False, errors=(403, 404), content_type="application/octet-stream")
def download_document(document_id: int) -> Response:
    from achats.documents.views import download_response

    document = _document_or_404(document_id)
    return download_response(document, _shown_version(document, _me()))


# --- versions ---------------------------------------------------------------------------------------------


@api.operation("/documents/<int:document_id>/versions", "GET", "Les versions d'un document, la plus récente d'abord",
               response=VersionList, auth=False, errors=(404,))
def list_versions(document_id: int) -> dict[str, Any]:
    document = _document_or_404(document_id)
    viewer = _me()
    return {"items": [version_payload(document, v, viewer) for v in services.versions_for(db.session, document, viewer)],
            "next_cursor": None}


@api.operation("/documents/<int:document_id>/versions", "POST", "Déposer une nouvelle version (vérifiée avant "
               "publication ; la version publiée reste affichée d'ici là)", response=VersionOut, status=201,
               multipart=VERSION_SCHEMA, errors=(400, 403, 404, 413, 415, 422, 429), endpoint="add_version")
@upload_limit
def add_version(document_id: int) -> tuple[dict[str, Any], int]:
    document = _document_or_404(document_id)
    _multipart()
    upload = _file()
    with domain_errors():
        version = services.add_version(db.session, _me(), document, upload.stream, upload.filename,
                                       confirm_redaction=_truthy("confirm_redaction"), note=request.form.get("note"))
    db.session.commit()
    return version_payload(document, version, _me()), 201


@api.operation("/documents/<int:document_id>/versions/<int:number>/download", "GET",
               "Le fichier d'une version (les anciennes restent téléchargeables)", auth=False, errors=(403, 404),
               content_type="application/octet-stream")
def download_version(document_id: int, number: int) -> Response:
    from achats.documents.views import download_response

    document = _document_or_404(document_id)
    return download_response(document, services.get_version(db.session, document, number, _me()))


# --- retours d'usage ----------------------------------------------------------------------------------------


@api.operation("/documents/<int:document_id>/reuses", "GET", "Les retours d'usage d'un document et leur synthèse",
               response=ReuseList, auth=False, errors=(404,))
def list_reuses(document_id: int) -> dict[str, Any]:
    document = _document_or_404(document_id)
    figures = services.reuse_figures(db.session, [document.id]).get(document.id, ReuseFigures())
    return {"items": [reuse_payload(r) for r in services.reuses_of(db.session, document)],
            "reuse_count": figures.count,
            "average_bids": round(figures.average_bids, 2) if figures.average_bids is not None else None,
            "next_cursor": None}


@api.operation("/documents/<int:document_id>/reuses", "POST", "Dire comment un document a servi : procédure, année, "
               "offres reçues, issue", body=ReuseBody, response=ReuseCreated, status=201, errors=(403, 404, 422, 429),
               endpoint="add_reuse")
@limiter.limit("20 per hour", key_func=_rate_key, error_message="Trop de retours d'usage d'affilée : patientez un peu.")
def add_reuse(document_id: int, body: ReuseBody) -> tuple[dict[str, Any], int]:
    document = _document_or_404(document_id)
    with domain_errors():
        reuse = services.add_reuse(db.session, _me(), document, procedure=body.procedure, year=body.year,
                                   bids_received=body.bids_received, outcome=body.outcome, comment=body.comment,
                                   this_year=utcnow().astimezone(PARIS).year)
    db.session.commit()
    figures = services.reuse_figures(db.session, [document.id]).get(document.id, ReuseFigures())
    return {**reuse_payload(reuse), "reuse_count": figures.count,
            "average_bids": round(figures.average_bids, 2) if figures.average_bids is not None else None}, 201

