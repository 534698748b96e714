"""The organisers' pages: create and edit events and sessions, the registrant list with its
filters and exports, manual add and removal, messages, check-in, replay and slides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import func, select

from achats.auth.models import User
from achats.events import permissions as perms
from achats.events import services
from achats.events.models import Event, Registration
from achats.events.services import seats
from achats.events.services.text import clean
from achats.events.views import bp, load_event, me
from achats.events.vocabulary import EventKind, EventStatus, RegistrationStatus, SessionKind
from achats.platform.dates import PARIS, to_paris
from achats.platform.downloads import attachment
from achats.platform.extensions import db
from achats.platform.features import registry
from achats.platform.ids import parse_id, parse_int
from achats.platform.spreadsheets import csv_text, xlsx_bytes
from achats.platform.tasks import enqueue_after_commit
from achats.platform.uploads import UploadRefused


def managed(event_id: int) -> Event:
    event = load_event(event_id)
    if not perms.can_manage_event(me(), event):
        abort(403)
    return event


def _local(name: str, errors: dict[str, str], required: bool = False) -> datetime | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            errors[name] = "Ce champ est obligatoire."
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        errors[name] = "Une date et une heure sont attendues (JJ/MM/AAAA HH:MM)."
        return None
    if not 2000 <= value.year <= 2100:
        errors[name] = "Une date entre 2000 et 2100 est attendue."
        return None
    return value.replace(tzinfo=PARIS) if value.tzinfo is None else value


def local_input(value: datetime | None) -> str:
    return "" if value is None else to_paris(value).strftime("%Y-%m-%dT%H:%M")


def _event_input(errors: dict[str, str], creating: bool, event: Event | None = None) -> services.EventInput:
    form = request.form
    data = services.EventInput(
        title=form.get("title", ""), description=form.get("description", ""),
        location=form.get("location", ""), online=form.get("online") == "on", join_url=form.get("join_url", ""),
        status=form.get("status") or "draft", replay_url=form.get("replay_url", ""))
    if creating:
        data.kind = form.get("kind", "")
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "cancellation_deadline"):
        value = _local(name, errors, required=name in ("starts_at", "ends_at"))
        if value is not None or name not in ("starts_at", "ends_at"):
            setattr(data, name, value)
    if "questions" in form:
        data.questions = _questions(form.get("questions", ""), errors, event.questions if event else [])
    capacity = parse_int(form.get("capacity", ""), minimum=1, maximum=100_000)
    if capacity is None:
        errors["capacity"] = "Un nombre de places de 1 à 100 000 est attendu."
    else:
        data.capacity = capacity
    return data


def _questions(raw: str, errors: dict[str, str], existing: list[dict[str, str]]) -> list[dict[str, str]]:
    """One question a line ("Régime alimentaire"; a line ending with " (long)" asks a paragraph);
    an unchanged label keeps its key, so the answers already given stay attached to it."""
    import re
    import unicodedata

    questions: list[dict[str, str]] = []
    for line in raw.splitlines():
        label = " ".join(line.split())
        if not label:
            continue
        kind = "text"
        if label.endswith("(long)"):
            kind, label = "textarea", label.removesuffix("(long)").strip()
        ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
        known = next((q["key"] for q in existing if q.get("label") == label), None)
        key = known or re.sub(r"[^a-z0-9]+", "_", ascii_label).strip("_")[:40] or f"question_{len(questions) + 1}"
        if any(q["key"] == key for q in questions):
            key = f"{key[:36]}_{len(questions) + 1}"
        questions.append({"key": key, "label": label[:200], "kind": kind})
    if len(questions) > 10:
        errors["questions"] = "Au plus dix questions."
    return questions[:10]


def questions_text(event: Event | None) -> str:
    if event is None:
        return ""
    return "\n".join(q["label"] + (" (long)" if q.get("kind") == "textarea" else "") for q in event.questions or [])


def _form_page(event: Event | None, errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    return render_template("events/event_form.html", event=event, errors=errors, form=request.form,
                           kinds=list(EventKind), statuses=list(EventStatus), local_input=local_input,
                           questions_text=questions_text), status


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def create_event() -> Any:
    if not perms.can_create_event(me()):
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _event_input(errors, creating=True)
        if not errors:
            try:
                event = services.create_event(db.session, me(), data)
            except services.EventError as exc:
                db.session.rollback()
                errors[exc.field or "form"] = exc.message
            else:
                db.session.commit()
                flash("L'événement est créé. Ajoutez ses sessions si besoin.", "success")
                return redirect(url_for("events.edit_event", event_id=event.id))
        return _form_page(None, errors, 422)
    return _form_page(None, errors)


@bp.route("/<int:event_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int) -> Any:
    event = managed(event_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _event_input(errors, creating=False, event=event)
        if not errors:
            try:
                services.update_event(db.session, me(), event, data)
            except services.EventError as exc:
                db.session.rollback()
                errors[exc.field or "form"] = exc.message
            else:
                db.session.commit()
                flash("L'événement est enregistré.", "success")
                return redirect(url_for("events.edit_event", event_id=event.id))
        return _form_page(load_event(event_id), errors, 422)
    return _form_page(event, errors)


@bp.post("/<int:event_id>/sessions")
@login_required
def add_session(event_id: int) -> Any:
    event = managed(event_id)
    errors: dict[str, str] = {}
    starts, ends = _local("session_starts_at", errors, True), _local("session_ends_at", errors, True)
    raw_capacity = (request.form.get("session_capacity") or "").strip()
    capacity = parse_int(raw_capacity, minimum=1, maximum=100_000) if raw_capacity else None
    if raw_capacity and capacity is None:
        errors["session_capacity"] = "Un nombre de places est attendu."
    if not errors and starts is not None and ends is not None:
        try:
            services.add_session(db.session, me(), event, services.SessionInput(
                title=request.form.get("session_title", ""), kind=request.form.get("session_kind", "plenary"),
                slot=request.form.get("session_slot") or None, starts_at=starts, ends_at=ends, capacity=capacity,
                room=request.form.get("session_room") or None,
                expert_id=parse_id(request.form.get("session_expert_id"))))
        except services.EventError as exc:
            db.session.rollback()
            errors[exc.field or "form"] = exc.message
        else:
            db.session.commit()
            flash("La session est ajoutée.", "success")
            return redirect(url_for("events.edit_event", event_id=event.id))
    flash(" ".join(errors.values()), "error")
    return redirect(url_for("events.edit_event", event_id=event.id))


@bp.post("/<int:event_id>/supports")
@login_required
def add_materials(event_id: int) -> Any:
    """After the event: the replay link, and the slides kept by the library as a document."""
    event = managed(event_id)
    upload = request.files.get("slides")
    document_id = None
    attachments = registry().attachments
    try:
        if upload is not None and upload.filename:
            if attachments is None:
                raise services.EventError("La bibliothèque n'est pas disponible.")
            document_id = attachments.accept(db.session, me(), upload, {
                "title": f"Support : {event.title}"[:200], "doc_type": "support_webinaire",
                "description": f"Les diapositives de « {event.title} ».", "confirm_redaction": True})
            _publish_if_allowed(document_id)
        services.add_materials(db.session, me(), event, replay_url=request.form.get("replay_url") or None,
                               slides_document_id=document_id)
    except UploadRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
    except services.EventError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("Le replay et les supports sont enregistrés ; les inscrits sont prévenus.", "success")
    return redirect(url_for("events.edit_event", event_id=event.id))


def _publish_if_allowed(document_id: int) -> None:
    """Publish the slides at once when the organiser may publish in the library (moderators)."""
    from types import SimpleNamespace

    from achats.platform.moderation import ModerationError

    target = registry().moderation_targets.get("document")
    if target is None:
        return
    try:
        with db.session.begin_nested():
            target.act(db.session, me(), SimpleNamespace(action="publish", target_id=document_id, reason=None))
    except ModerationError:
        pass  # left for the library's review


# --- the registrant list --------------------------------------------------------------------------------------


def _filters() -> services.RegistrantFilters:
    status = request.args.get("statut") or None
    if status not in (None, "confirmed", "waitlisted", "cancelled"):
        status = None
    from achats.platform.taxonomy import OrganisationKind

    kind = request.args.get("type") or None
    if kind not in {k.value for k in OrganisationKind}:
        kind = None
    dep = (request.args.get("departement") or "").strip()[:3] or None
    return services.RegistrantFilters(status=status, session_id=parse_id(request.args.get("atelier")),
                                      organisation_kind=kind, departement=dep,
                                      q=(request.args.get("q") or "").strip()[:100] or None)


@bp.get("/<int:event_id>/inscrits")
@login_required
def registrants(event_id: int) -> str:
    event = managed(event_id)
    rows = services.registrants(db.session, event, _filters())
    return render_template("events/registrant_list.html", event=event, rows=rows, filters=_filters(),
                           positions=seats.event_positions(db.session, event.id),
                           figures=services.attendance(db.session, event),
                           workshops=[s for s in event.sessions if s.kind != SessionKind.PLENARY])


EXPORT_HEADER = ["Nom", "Adresse", "Organisme", "Type d'organisme", "Département", "Statut", "Position d'attente",
                 "Sessions", "Réponses", "Inscrit le", "Présent"]


def _export_rows(event: Event) -> list[list[Any]]:
    positions = seats.event_positions(db.session, event.id)
    out = []
    for r in services.registrants(db.session, event, _filters()):
        org = r.user.organisation
        out.append([r.user.name, r.user.email or "", org.name if org else "", org.kind.label if org else "",
                    (org.departement or "") if org else "", r.status.label, positions.get(r.id) or "",
                    " ; ".join(f"{c.session.title} ({c.status.label})" for c in r.choices),
                    " ; ".join(f"{k} : {v}" for k, v in (r.answers or {}).items()),
                    to_paris(r.created_at).strftime("%d/%m/%Y %H:%M"),
                    "oui" if r.checked_in_at else ""])
    return out


@bp.get("/<int:event_id>/inscrits.csv")
@login_required
def export_csv(event_id: int) -> Response:
    event = managed(event_id)
    body = "\ufeff" + csv_text(EXPORT_HEADER, _export_rows(event))
    return attachment(body.encode("utf-8"), "text/csv", f"inscrits-evenement-{event.id}.csv")


@bp.get("/<int:event_id>/inscrits.xlsx")
@login_required
def export_xlsx(event_id: int) -> Response:
    event = managed(event_id)
    return attachment(xlsx_bytes("Inscrits", EXPORT_HEADER, _export_rows(event)),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      f"inscrits-evenement-{event.id}.xlsx")


@bp.post("/<int:event_id>/inscrits/ajouter")
@login_required
def add_registrant(event_id: int) -> Any:
    event = managed(event_id)
    email = clean(request.form.get("email")).lower()[:254]
    user = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if user is None:
        flash("Aucun compte n'a cette adresse.", "error")
    else:
        try:
            services.register(db.session, event, user, actor=me())
        except services.AlreadyRegistered:
            db.session.rollback()
            flash(f"{user.name} est déjà inscrit(e).", "warning")
        except services.EventError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"{user.name} est inscrit(e).", "success")
    return redirect(url_for("events.registrants", event_id=event.id))


def _registration(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@bp.post("/<int:event_id>/inscrits/<int:registration_id>/retirer")
@login_required
def remove_registrant(event_id: int, registration_id: int) -> Any:
    event = managed(event_id)
    registration = _registration(event, registration_id)
    try:
        services.cancel(db.session, registration, me())
    except services.EventError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"L'inscription de {registration.user.name} est annulée.", "success")
    return redirect(url_for("events.registrants", event_id=event.id))


@bp.post("/<int:event_id>/message")
@login_required
def send_message(event_id: int) -> Any:
    event = managed(event_id)
    text = clean(request.form.get("message"))
    session_id = parse_id(request.form.get("atelier"))
    if not 10 <= len(text) <= 1000:
        flash("Le message compte de 10 à 1 000 caractères.", "error")
    else:
        enqueue_after_commit(db.session, "events.send_message", event.id, session_id, text, me().id)
        db.session.commit()
        flash("Le message part aux inscrits.", "success")
    return redirect(url_for("events.registrants", event_id=event.id))


# --- check-in ------------------------------------------------------------------------------------------------


@bp.get("/<int:event_id>/pointage")
@login_required
def check_in_page(event_id: int) -> str:
    event = managed(event_id)
    q = (request.args.get("q") or "").strip()[:100]
    rows = services.registrants(db.session, event, services.RegistrantFilters(status="confirmed", q=q or None))
    return render_template("events/check_in.html", event=event, rows=rows, q=q,
                           present=services.present_count(db.session, event.id),
                           confirmed=len(services.registrants(db.session, event,
                                                              services.RegistrantFilters(status="confirmed"))))


@bp.post("/<int:event_id>/pointage/<int:registration_id>")
@login_required
def check_in(event_id: int, registration_id: int) -> Any:
    event = managed(event_id)
    registration = _registration(event, registration_id)
    try:
        services.check_in(db.session, registration, me(), request.form.get("present") != "0")
    except services.EventError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
    return redirect(url_for("events.check_in_page", event_id=event.id, q=request.form.get("q") or None))


__all__ = ["RegistrationStatus"]
