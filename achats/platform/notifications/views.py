"""The notifications page: list, mark one or all read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from achats.platform.extensions import db
from achats.platform.ids import parse_ids, parse_page, valid_id
from achats.platform.notifications.services import mark_read, notifications_query

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def list_notifications() -> str:
    unread_only = request.args.get("filtre") == "non-lues"
    query = notifications_query(current_user.id, unread_only)
    from achats.platform.notifications.models import Notification

    page = db.paginate(query.order_by(Notification.id.desc()), page=parse_page(request.args.get("page")),
                       per_page=30, error_out=False)
    return render_template("notifications/notification_list.html", page=page, unread_only=unread_only)


@bp.post("/lues")
@login_required
def mark_notifications_read() -> Any:
    ids = parse_ids(request.form.getlist("ids"))
    if request.form.get("all"):
        changed = mark_read(db.session, current_user, all_=True)
    else:
        changed = mark_read(db.session, current_user, ids=ids)
    db.session.commit()
    if changed:
        flash("Notifications marquées comme lues.", "success")
    return redirect(url_for("notifications.list_notifications"))


def _own_notification(notification_id: int) -> Any:
    from flask import abort

    from achats.platform.notifications.models import Notification

    n = db.session.get(Notification, notification_id)
    if n is None or n.recipient_id != current_user.id:
        abort(404)
    return n


@bp.get("/<int:notification_id>")
@login_required
def show_notification(notification_id: int) -> Any:
    """Go to what it is about, changing nothing (a prefetch or a crawler may follow GET links)."""
    from achats.platform.security import safe_next

    n = _own_notification(notification_id)
    return redirect(safe_next(n.target_url, url_for("notifications.list_notifications")))


@bp.post("/<int:notification_id>")
@login_required
def open_notification(notification_id: int) -> Any:
    """Mark read, then go to what it is about (the list's buttons post here)."""
    from achats.platform.security import safe_next

    n = _own_notification(notification_id)
    mark_read(db.session, current_user, ids=[n.id])
    db.session.commit()
    return redirect(safe_next(n.target_url, url_for("notifications.list_notifications")))


def init_notifications(app: Flask) -> None:
    """The bell's count for templates, the count sent to a socket on connect, and `ack`."""
    from flask import g

    from achats.platform import realtime
    from achats.platform.extensions import socketio
    from achats.platform.notifications.services import unread_count

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        cached = getattr(g, "unread_notifications", None)
        if cached is None:
            cached = g.unread_notifications = unread_count(db.session, current_user.id)
        return int(cached)

    app.jinja_env.globals["unread_notifications"] = unread_notifications

    def send_count(user: Any) -> None:
        # Only the socket that just connected: its user's other tabs already know the count
        # (to the whole room, 1,000 sockets of one user never finished connecting).
        socketio.emit("unread_count", {"count": unread_count(db.session, user.id)}, to=realtime.socket_sid())

    realtime.on_connect(app, send_count)

    @socketio.on("ack")
    @realtime.rate_limited_handler
    def handle_ack(data: Any) -> dict[str, Any]:
        from achats.platform.notifications.services import mark_read

        user = realtime.load_socket_user()
        ids = data.get("ids") if isinstance(data, dict) else None
        if user is None or not isinstance(ids, list) or not all(
            type(i) is int and valid_id(i) for i in ids[:500]  # ids the database can hold
        ):
            return {"ok": False, "error": "requête invalide"}
        marked = mark_read(db.session, user, ids=ids[:500])
        db.session.commit()
        return {"ok": True, "marked": marked}
