"""The events' pages: the list (coming, by month, and past with their replays), an event,
registration and its confirmation, my registrations, the clinique, calendars; the organisers'
pages are in views/organiser.py."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from babel.dates import format_date
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from achats.events import permissions as perms
from achats.events import services
from achats.events.models import Event, Registration
from achats.events.notifying import when
from achats.events.services import seats
from achats.events.services.calendars import (
    event_ics,
    feed_ics,
    feed_owner_id,
    feed_token,
    revoke_feed,
)
from achats.events.vocabulary import ChoiceStatus, RegistrationStatus, SessionKind
from achats.platform.dates import PARIS, to_paris
from achats.platform.downloads import attachment
from achats.platform.extensions import db
from achats.platform.features import registry
from achats.platform.ids import parse_id, parse_ids

bp = Blueprint("events", __name__, url_prefix="/evenements")


def me() -> Any:
    return current_user._get_current_object()


def load_event(event_id: int) -> Event:
    event = services.get_event(db.session, event_id, me())
    if event is None:
        abort(404)
    return event


def _month(value: datetime) -> str:
    return format_date(to_paris(value), "MMMM y", locale="fr_FR").capitalize()


def slides_info(event: Event) -> Any:
    """The slides as the viewer may see them (a library document, described by the library)."""
    attachments = registry().attachments
    if event.slides_document_id is None or attachments is None:
        return None
    return attachments.describe(db.session, [event.slides_document_id], me()).get(event.slides_document_id)


@bp.app_template_filter("event_when")
def _event_when(event: Any) -> str:
    return when(event)


@bp.get("/")
def list_events() -> str:
    viewer = me()
    coming = services.list_events(db.session, viewer, upcoming=True)
    past = services.list_events(db.session, viewer, upcoming=False, limit=30)
    months: OrderedDict[str, list[Event]] = OrderedDict()
    for event in coming:
        months.setdefault(_month(event.starts_at), []).append(event)
    view = request.args.get("vue") == "mois"
    mine = {r.event_id: r for r in services.my_registrations(db.session, viewer)} if perms.is_signed_in(viewer) else {}
    return render_template("events/event_list.html", months=months, past=past, mine=mine,
                           slides={e.id: slides_info(e) for e in past if e.slides_document_id},
                           can_create=perms.can_create_event(viewer), month_view=view,
                           grids=[_grid(events) for events in months.values()] if view else [])


def _grid(events: list[Event]) -> list[list[tuple[Any, list[Event]]]]:
    """The month of `events` as weeks (Monday first) of (day or None, that day's events)."""
    import calendar

    first = events[0].starts_at.astimezone(PARIS)
    by_day: dict[Any, list[Event]] = {}
    for event in events:
        by_day.setdefault(event.starts_at.astimezone(PARIS).date(), []).append(event)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[(day if day.month == first.month else None, by_day.get(day, [])) for day in week] for week in weeks]


def _registration_context(event: Event) -> dict[str, Any]:
    registration = services.find_registration(db.session, event, me())
    if registration is not None and not registration.active:
        registration = None
    slots: OrderedDict[str, list[Any]] = OrderedDict()
    for s in event.sessions:
        if s.kind == SessionKind.WORKSHOP:
            slots.setdefault(s.slot or s.title, []).append(s)
    chosen = {c.session_id: c for c in registration.choices} if registration else {}
    return {
        "event": event, "registration": registration,
        "position": seats.event_position(db.session, registration) if registration else None,
        "choice_positions": {sid: seats.choice_position(db.session, c) for sid, c in chosen.items()},
        "chosen": chosen, "slots": slots,
        "plenaries": [s for s in event.sessions if s.kind == SessionKind.PLENARY],
        "appointments": [s for s in event.sessions if s.kind == SessionKind.APPOINTMENT],
        "open": services.registration_open(event), "closed_reason": services.closed_reason(event),
        "changeable": services.can_still_change(event),
        "show_join": perms.can_see_join_url(me(), event, registration),
        "manage": perms.can_manage_event(me(), event), "slides": slides_info(event),
        "can_register": perms.can_register(me()), "ChoiceStatus": ChoiceStatus, "RegistrationStatus": RegistrationStatus,
        "waiting": seats.waiting_count(db.session, event.id),
    }


@bp.get("/<int:event_id>")
def show_event(event_id: int) -> str:
    event = load_event(event_id)
    return render_template("events/event_show.html", **_registration_context(event))


def _answers(event: Event) -> dict[str, str]:
    return {q["key"]: request.form.get(f"answer_{q['key']}", "") for q in event.questions or []}


def _workshop_ids(event: Event) -> list[int]:
    """The workshops picked in the form: one radio group per slot ("slot_<n>"), or session_ids."""
    del event
    ids = [value for key in request.form if key.startswith("slot_")
           if (value := parse_id(request.form.get(key))) is not None]
    return ids + parse_ids(request.form.getlist("session_ids"))


def _appointment() -> services.Appointment | None:
    session_id = parse_id(request.form.get("appointment_id"))
    if session_id is None:
        return None
    return services.Appointment(session_id, request.form.get("question", ""), request.form.get("link") or None)


@bp.route("/<int:event_id>/inscription", methods=["GET", "POST"])
@login_required
def register(event_id: int) -> Any:
    event = load_event(event_id)
    context = _registration_context(event)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if context["registration"] is not None:
                registration = context["registration"]
                services.change_workshops(db.session, registration, _workshop_ids(event), me())
                appointment = _appointment()
                if appointment is not None:
                    services.book_appointment(db.session, registration, appointment, me())
                elif request.form.get("appointment_id") == "none":
                    services.cancel_appointment(db.session, registration, me())
                message = "Vos choix sont enregistrés."
            else:
                registration = services.register(db.session, event, me(), _workshop_ids(event), _answers(event),
                                                 appointment=_appointment())
                message = None
        except services.AlreadyRegistered:
            db.session.rollback()
            return redirect(url_for("events.confirmation", event_id=event.id))
        except services.EventError as exc:
            db.session.rollback()
            errors[exc.field or "form"] = exc.message
            context = _registration_context(load_event(event_id))
        else:
            db.session.commit()
            if message:
                flash(message, "success")
                return redirect(url_for("events.show_event", event_id=event.id))
            return redirect(url_for("events.confirmation", event_id=event.id))
    status = 422 if errors else 200
    return render_template("events/registration_form.html", errors=errors, form=request.form, **context), status


@bp.get("/<int:event_id>/confirmation")
@login_required
def confirmation(event_id: int) -> Any:
    event = load_event(event_id)
    context = _registration_context(event)
    if context["registration"] is None:
        return redirect(url_for("events.show_event", event_id=event.id))
    return render_template("events/registration_confirmation.html", **context)


@bp.post("/<int:event_id>/annulation")
@login_required
def cancel_registration(event_id: int) -> Any:
    event = load_event(event_id)
    registration = services.find_registration(db.session, event, me())
    if registration is None or not registration.active:
        flash("Vous n'êtes pas inscrit(e) à cet événement.", "warning")
        return redirect(url_for("events.show_event", event_id=event.id))
    try:
        services.cancel(db.session, registration, me())
    except services.EventError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("Votre inscription est annulée : votre place est proposée à la personne suivante.", "success")
    return redirect(url_for("events.show_event", event_id=event.id))


@bp.get("/mes-inscriptions")
@login_required
def my_registrations() -> str:
    registrations = services.my_registrations(db.session, me())
    token = feed_token(db.session, me(), current_app.config["SECRET_KEY"])
    db.session.commit()
    positions = {r.id: seats.event_position(db.session, r) for r in registrations}
    return render_template("events/my_registrations.html", registrations=registrations, positions=positions,
                           feed_url=url_for("events_calendar.feed", token=token, _external=True),
                           RegistrationStatus=RegistrationStatus)


@bp.post("/mes-inscriptions/agenda/renouveler")
@login_required
def revoke_calendar() -> Any:
    revoke_feed(db.session, me())
    db.session.commit()
    flash("L'ancienne adresse de votre agenda ne fonctionne plus ; voici la nouvelle.", "success")
    return redirect(url_for("events.my_registrations"))


@bp.get("/<int:event_id>/clinique")
@login_required
def clinique_day(event_id: int) -> str:
    event = load_event(event_id)
    if not perms.can_view_appointments(me(), event):
        abort(403)
    expert = None if perms.can_manage_event(me(), event) else me()
    return render_template("events/clinique_day.html", event=event,
                           slots=services.appointments(db.session, event, expert))


@bp.get("/<int:event_id>/attestation")
@login_required
def attestation(event_id: int) -> Response:
    from achats.events.api import attestation_response

    event = load_event(event_id)
    registration = services.find_registration(db.session, event, me())
    if registration is None or registration.status != RegistrationStatus.CONFIRMED or registration.checked_in_at is None:
        abort(404)
    return attestation_response(registration)


# --- calendars (outside /evenements: API.md names /events/{id}.ics) ----------------------------------------------

calendar_bp = Blueprint("events_calendar", __name__, url_prefix="/events")


def _ics(data: bytes, name: str) -> Response:
    return attachment(data, "text/calendar", name, cache_control="private, no-cache")


@calendar_bp.get("/<int:event_id>.ics")
def event_calendar(event_id: int) -> Response:
    event = load_event(event_id)
    registration = services.find_registration(db.session, event, me())
    data = event_ics(event, str(current_app.config["ACHATS_BASE_URL"]),
                     show_join_url=perms.can_see_join_url(me(), event, registration))
    return _ics(data, f"evenement-{event.id}.ics")


@calendar_bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    from achats.auth.models import User

    user_id = feed_owner_id(db.session, token, current_app.config["SECRET_KEY"])
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        abort(404)
    return _ics(feed_ics(db.session, user, str(current_app.config["ACHATS_BASE_URL"])), "mes-evenements.ics")


from achats.events.views import organiser  # noqa: E402,F401 - the organisers' routes join bp

__all__ = ["bp", "calendar_bp", "Registration"]
