"""The library's pages: browse and search, a document, share one, new versions, downloads,
retours d'usage, and the moderators' review list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from achats.auth.models import Organisation
from achats.documents import forms, services
from achats.documents import permissions as perms
from achats.documents.models import Document, DocumentVersion
from achats.documents.vocabulary import DocType, Famille, Levier, Licence, ReviewStatus, Visibility
from achats.platform.cache import fragment_for
from achats.platform.dates import PARIS
from achats.platform.db import utcnow
from achats.platform.extensions import db, limiter
from achats.platform.ids import parse_id, parse_int, parse_page
from achats.platform.pagination import Pager
from achats.platform.security import require
from achats.platform.storage import storage
from achats.platform.tags import Tag, TagFacet
from achats.platform.uploads import UploadRefused

bp = Blueprint("documents", __name__, url_prefix="/bibliotheque")

UPLOAD_LIMIT = "20 per hour;100 per day"


def me() -> Any:
    return current_user._get_current_object()


def _this_year() -> int:
    return utcnow().astimezone(PARIS).year


def _rate_key() -> str:
    from flask_limiter.util import get_remote_address

    return f"upload:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def load_document(document_id: int) -> Document:
    document = services.get_document(db.session, document_id, me())
    if document is None:
        abort(404)
    return document


def _choices(form: Any) -> None:
    """The choices that come from the database: themes and organisations."""
    themes = db.session.execute(select(Tag.slug, Tag.name).where(Tag.facet == TagFacet.THEME).order_by(Tag.position))
    form.themes.choices = [(slug, name) for slug, name in themes]
    organisations = [("", "Mon organisme")]
    organisations += [(str(i), n) for i, n in db.session.execute(select(Organisation.id, Organisation.name)
                                                                 .order_by(Organisation.name).limit(500))]
    form.organisation_id.choices = organisations


def _input(form: Any) -> services.DocumentInput:
    return services.DocumentInput(
        title=form.title.data or "", description=form.description.data or "", doc_type=form.doc_type.data or "",
        themes=form.themes.data or [], famille=form.famille.data or None,
        cpv_codes=[c for c in (form.cpv_codes.data or "").replace(";", ",").split(",") if c.strip()],
        levier=form.levier.data or None, procedure=form.procedure.data or None,
        organisation_id=parse_id(form.organisation_id.data), year=form.year.data, licence=form.licence.data or "",
        source_url=form.source_url.data or None, up_to_date_on=form.up_to_date_on.data,
        visibility=form.visibility.data or Visibility.MEMBERS.value,
    )


def _field_error(form: Any, exc: services.DocumentError | UploadRefused) -> None:
    message = getattr(exc, "message", str(exc))
    name = getattr(exc, "field", None) or ("file" if isinstance(exc, UploadRefused) else None)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*list(field.errors or []), message]
    else:
        form.form_errors.append(message)


# --- browsing -----------------------------------------------------------------------------------------


def _filters_from_request() -> services.LibraryFilters:
    args = request.args
    return services.clean_filters({
        "doc_type": args.get("type"), "theme": args.get("theme"), "famille": args.get("famille"),
        "cpv": args.get("cpv"), "levier": args.get("levier"), "year": parse_int(args.get("annee"), minimum=1990,
                                                                                  maximum=2100),
        "organisation": parse_id(args.get("organisme")), "licence": args.get("licence"),
        "q": (args.get("q") or "").strip(), "sort": args.get("tri"),
    })


URL_NAMES = {"doc_type": "type", "theme": "theme", "famille": "famille", "cpv": "cpv", "levier": "levier",
             "year": "annee", "organisation": "organisme", "licence": "licence", "q": "q", "sort": "tri"}


def _url_args(filters: services.LibraryFilters, **changes: Any) -> dict[str, Any]:
    values = {URL_NAMES[k]: v for k, v in filters.__dict__.items() if v not in ("", None)}
    if values.get("tri") == "recents":
        values.pop("tri")
    for key, value in changes.items():
        if value in ("", None):
            values.pop(URL_NAMES[key], None)
        else:
            values[URL_NAMES[key]] = value
    return values


@dataclass
class ListingPage(Pager):
    """A page of the listing (what the `pagination` macro and the template read)."""

    total: int = 0
    items: list[Any] = field(default_factory=list)


@bp.get("/")
def list_documents() -> str:
    filters = _filters_from_request()
    viewer = me()
    page_number = parse_page(request.args.get("page"))
    if filters.q:
        # With words: searched every time (the search cache is the search page's, see
        # ACHATS_SEARCH_CACHE_SECONDS), ranked by the engine.
        listing, page = _search_listing(filters, viewer, page_number)
    else:
        # Without words the listing is the same for every reader of the library's audience
        # (published documents, public ones only for visitors): rendered once per change.
        audience = perms.is_reader(viewer)
        listing, page = fragment_for("content", ("library-listing", filters, page_number, audience),
                                     lambda: _browse_listing(filters, viewer, page_number)), None
    return render_template(
        "documents/document_list.html", listing=listing, filters=filters, sorts=services.SORTS,
        page_number=page.page if page else page_number,
        url_args=lambda **changes: _url_args(filters, **changes),
    )


def _render_listing(filters: services.LibraryFilters, page: ListingPage, facets: list[Any],
                    hits: dict[int, Any]) -> Markup:
    figures = services.reuse_figures(db.session, [d.id for d in page.items])
    return Markup(render_template(  # noqa: S704 - a rendered template, autoescaped
        "documents/_listing.html", documents=page.items, page=page, filters=filters, hits=hits, facets=facets,
        figures=figures, url_args=lambda **changes: _url_args(filters, **changes)))


def _browse_listing(filters: services.LibraryFilters, viewer: Any, page_number: int) -> Markup:
    facets = services.facets(db.session, viewer, filters)
    query = services.library_query(db.session, viewer, filters)
    documents, total = services.page_of(db.session, query, (page_number - 1) * services.PER_PAGE,
                                        services.PER_PAGE, total=services.total_from_facets(facets, filters))
    page = ListingPage(page=page_number, pages=max(1, -(-total // services.PER_PAGE)),
                       per_page=services.PER_PAGE, total=total, items=documents)
    return _render_listing(filters, page, facets, {})


def _search_listing(filters: services.LibraryFilters, viewer: Any, page_number: int) -> tuple[Markup, ListingPage]:
    """With words: the count and the facets from the index's matches, the page from the engine
    (ranked, with the passage and its page) or, for another sort, from the matches in that order."""
    found = services.matches(db.session, viewer, filters, ids=filters.sort != "recents")
    pages = max(1, -(-found.total // services.PER_PAGE))
    page_number = min(page_number, pages)
    hits: dict[int, Any] = {}
    if filters.sort == "recents":
        ranked = services.ranked_hits(db.session, viewer, filters, (page_number - 1) * services.PER_PAGE,
                                      services.PER_PAGE)
        hits = {h.object_id: h for h in ranked}
        rows = {d.id: d for d in db.session.scalars(services.listed(viewer).where(Document.id.in_(list(hits) or [0])))}
        documents = [rows[i] for i in hits if i in rows]
    else:
        query = services.library_query(db.session, viewer, filters, matched=list(found.ids))
        documents, _total = services.page_of(db.session, query, (page_number - 1) * services.PER_PAGE,
                                             services.PER_PAGE)
    page = ListingPage(page=page_number, pages=pages, per_page=services.PER_PAGE, total=found.total,
                       items=documents)
    return _render_listing(filters, page, list(found.facets), hits), page


@bp.get("/d/<slug>")
def show_by_slug(slug: str) -> Any:
    document = services.get_by_slug(db.session, slug, me())
    if document is None:
        abort(404)
    return redirect(url_for("documents.show_document", document_id=document.id))


@bp.get("/<int:document_id>")
def show_document(document_id: int) -> str:
    document = load_document(document_id)
    viewer = me()
    versions = services.versions_for(db.session, document, viewer)
    current = document.current_version if document.current_version in versions else (versions[0] if versions else None)
    reuse_form = forms.ReuseForm(year=_this_year())
    figures = services.reuse_figures(db.session, [document.id]).get(document.id, services.reading.ReuseFigures())
    return render_template(
        "documents/document_show.html", document=document, versions=versions, current=current,
        reuses=services.reuses_of(db.session, document), figures=figures,
        citations=services.citations_of(db.session, document, viewer), reuse_form=reuse_form,
        version_form=forms.VersionForm(), review_form=forms.ReviewForm(), date_form=forms.DateForm(
            up_to_date_on=document.up_to_date_on),
    )


# --- sharing -----------------------------------------------------------------------------------------


@bp.route("/nouveau", methods=["GET", "POST"])
@require(perms.can_upload)
@limiter.limit(UPLOAD_LIMIT, methods=["POST"], key_func=_rate_key,
               error_message="Vous avez déposé beaucoup de fichiers : patientez un peu.")
def new_document() -> Any:
    form = forms.UploadForm()
    _choices(form)
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = ["Choisissez le fichier à partager."]
        else:
            try:
                document = services.create_document(
                    db.session, me(), upload.stream, upload.filename, _input(form),
                    confirm_redaction=bool(form.confirm_redaction.data), note=form.note.data)
            except (services.DocumentError, UploadRefused) as exc:
                db.session.rollback()
                _field_error(form, exc)
            else:
                db.session.commit()
                flash("Merci : votre document est déposé. L'équipe de modération le vérifie avant de le publier ; "
                      "vous serez prévenu.", "success")
                return redirect(url_for("documents.show_document", document_id=document.id))
    status = 400 if request.method == "POST" else 200
    return render_template("documents/document_new.html", form=form), status


@bp.route("/<int:document_id>/modifier", methods=["GET", "POST"])
def edit_document(document_id: int) -> Any:
    document = load_document(document_id)
    if not perms.can_edit_document(me(), document):
        abort(403)
    form = forms.EditForm(obj=document if request.method == "GET" else None)
    _choices(form)
    if request.method == "GET":
        form.themes.data = [t.slug for t in document.tags]
        form.cpv_codes.data = ", ".join(document.cpv_codes)
        form.organisation_id.data = str(document.organisation_id or "")
    if form.validate_on_submit():
        try:
            services.update_document(db.session, me(), document, _input(form))
        except services.DocumentError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash("Fiche du document enregistrée.", "success")
            return redirect(url_for("documents.show_document", document_id=document.id))
    return render_template("documents/document_edit.html", form=form, document=document), (
        400 if request.method == "POST" else 200)


@bp.post("/<int:document_id>/versions")
@limiter.limit(UPLOAD_LIMIT, key_func=_rate_key, error_message="Vous avez déposé beaucoup de fichiers : patientez un peu.")
def add_version(document_id: int) -> Any:
    document = load_document(document_id)
    if not perms.can_add_version(me(), document):
        abort(403)
    form = forms.VersionForm()
    upload = request.files.get("file")
    if form.validate_on_submit():
        try:
            if upload is None or not upload.filename:
                raise UploadRefused("Choisissez le fichier de la nouvelle version.", 400)
            version = services.add_version(db.session, me(), document, upload.stream, upload.filename,
                                           confirm_redaction=bool(form.confirm_redaction.data), note=form.note.data)
        except (services.DocumentError, UploadRefused) as exc:
            db.session.rollback()
            flash(getattr(exc, "message", str(exc)), "error")
        else:
            db.session.commit()
            flash(f"Version n°{version.number} déposée : la modération la vérifie avant de la publier.", "success")
    return redirect(url_for("documents.show_document", document_id=document.id, _anchor="versions"))


@bp.get("/mes-documents")
@require(perms.is_reader)
def my_documents() -> str:
    return render_template("documents/my_documents.html", documents=services.my_documents(db.session, me()))


# --- files ---------------------------------------------------------------------------------------------


def _send(document: Document, version: DocumentVersion) -> Response:
    path = storage().path(version.storage_key)
    if not path.exists():
        abort(404)
    restricted = not (document.status == ReviewStatus.PUBLISHED and document.visibility == Visibility.PUBLIC
                      and version.status == ReviewStatus.PUBLISHED)
    response = send_file(path, mimetype=version.content_type, as_attachment=True, download_name=version.filename,
                         conditional=True, etag=version.sha256[:32], max_age=0)
    # A file never runs in the site's origin: it downloads, and even opened inline it is sandboxed.
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store" if restricted else "public, max-age=300"
    rng = request.headers.get("Range", "")
    if response.status_code in (200, 206) and (not rng or rng.replace(" ", "").startswith("bytes=0-")):
        counted = services.record_download(
            db.session, document, services.visitor_key(me(), request.remote_addr, current_app.config["SECRET_KEY"]),
            utcnow().astimezone(PARIS).date())
        if counted:
            db.session.commit()
    return response


def download_response(document: Document, version: DocumentVersion | None) -> Response:
    if version is None or not perms.can_view_version(me(), document, version):
        abort(404)
    if not perms.can_download(me(), document, version):
        abort(403)
    return _send(document, version)


@bp.get("/<int:document_id>/telecharger")
def download(document_id: int) -> Response:
    document = load_document(document_id)
    versions = services.versions_for(db.session, document, me())
    version = document.current_version if document.current_version in versions else (versions[0] if versions else None)
    return download_response(document, version)


@bp.get("/<int:document_id>/versions/<int:number>/telecharger")
def download_version(document_id: int, number: int) -> Response:
    document = load_document(document_id)
    return download_response(document, services.get_version(db.session, document, number, me()))


@bp.get("/<int:document_id>/versions/<int:number>/apercu.png")
def preview(document_id: int, number: int) -> Response:
    document = load_document(document_id)
    version = services.get_version(db.session, document, number, me())
    if version is None or not version.preview_key:
        abort(404)
    response = send_file(storage().path(version.preview_key), mimetype="image/png", conditional=True, max_age=300)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# --- use ------------------------------------------------------------------------------------------------


@bp.post("/<int:document_id>/retours")
def add_reuse(document_id: int) -> Any:
    document = load_document(document_id)
    if not perms.can_add_reuse(me(), document):
        abort(403)
    form = forms.ReuseForm()
    if form.validate_on_submit():
        try:
            services.add_reuse(db.session, me(), document, procedure=form.procedure.data or "", year=form.year.data or 0,
                               bids_received=form.bids_received.data if form.bids_received.data is not None else -1,
                               outcome=form.outcome.data or "", comment=form.comment.data, this_year=_this_year())
        except services.DocumentError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash("Merci pour votre retour d'usage : il aidera les prochains acheteurs.", "success")
            return redirect(url_for("documents.show_document", document_id=document.id, _anchor="retours"))
    viewer = me()
    versions = services.versions_for(db.session, document, viewer)
    figures = services.reuse_figures(db.session, [document.id]).get(document.id, services.reading.ReuseFigures())
    return render_template(
        "documents/document_show.html", document=document, versions=versions,
        current=document.current_version, reuses=services.reuses_of(db.session, document), figures=figures,
        citations=services.citations_of(db.session, document, viewer), reuse_form=form,
        version_form=forms.VersionForm(), review_form=forms.ReviewForm(),
        date_form=forms.DateForm(up_to_date_on=document.up_to_date_on),
    ), 400


@bp.post("/<int:document_id>/a-jour")
def set_up_to_date(document_id: int) -> Any:
    document = load_document(document_id)
    if not perms.can_mark_review(me(), document):
        abort(403)
    form = forms.DateForm()
    if form.validate_on_submit():
        try:
            services.reviewing.set_up_to_date(db.session, me(), document, form.up_to_date_on.data)
            if request.form.get("a_revoir") in ("1", "0"):
                services.reviewing.mark_needs_review(db.session, me(), document, request.form["a_revoir"] == "1")
        except services.DocumentError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("Document mis à jour.", "success")
    else:
        flash("Date invalide : attendue au format JJ/MM/AAAA.", "error")
    return redirect(url_for("documents.show_document", document_id=document.id))


# --- review ------------------------------------------------------------------------------------------------


@bp.get("/verification")
@require(perms.can_review)
def review_list() -> str:
    versions = services.pending_versions(db.session)
    documents = {d.id: d for d in db.session.scalars(select(Document).where(
        Document.id.in_([v.document_id for v in versions] or [0])))}
    return render_template("documents/review_list.html", versions=versions, documents=documents,
                           form=forms.ReviewForm())


@bp.post("/versions/<int:version_id>/verification")
@require(perms.can_review)
def review_version(version_id: int) -> Any:
    version = db.session.get(DocumentVersion, version_id)
    if version is None:
        abort(404)
    form = forms.ReviewForm()
    back = request.form.get("retour") == "fiche"
    target = url_for("documents.show_document", document_id=version.document_id) if back else url_for(
        "documents.review_list")
    if not form.validate_on_submit():
        flash("Le formulaire a expiré : renvoyez-le.", "error")
        return redirect(target)
    try:
        if request.form.get("decision") == "publier":
            document = services.reviewing.publish_version(db.session, me(), version)
            message = f"« {document.title} » (version n°{version.number}) est publié."
        else:
            document = services.reviewing.reject_version(db.session, me(), version, form.reason.data or "")
            message = f"« {document.title} » (version n°{version.number}) est refusé ; l'auteur du dépôt est prévenu."
    except services.DocumentError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(target)


@bp.app_template_global()
def library_labels() -> dict[str, Any]:
    """The vocabularies' labels for templates."""
    return {"doc_type": DocType, "famille": Famille, "levier": Levier, "licence": Licence}

