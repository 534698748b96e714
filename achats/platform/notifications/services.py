"""notify() and reading state: rows written in the cause's transaction, emitted after commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from achats.platform.db import on_commit, utcnow
from achats.platform.extensions import socketio
from achats.platform.features import NotificationKind, registry
from achats.platform.mail import queue_mail
from achats.platform.notifications.models import Notification
from achats.platform.realtime import user_room


@dataclass(frozen=True)
class Target:
    type: str
    id: int | None
    url: str | None


def unread_count_subquery(user_id_column: Any) -> Any:
    """The unread count as a column, so the signed-in user's row brings it in the same round trip."""
    return (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == user_id_column, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def remember_unread_count(count: int) -> None:
    """The count the page's bell shows, known already (see unread_count_subquery)."""
    from flask import g

    g.unread_notifications = int(count)


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count(Notification.id)).where(
            Notification.recipient_id == user_id, Notification.read_at.is_(None)
        )
    ) or 0


def serialize(n: Notification, base_url: str | None = None) -> dict[str, Any]:
    actor = n.actor
    url = n.target_url
    if url and base_url and url.startswith("/"):
        url = base_url + url
    return {
        "id": n.id,
        "kind": n.kind,
        "created_at": n.created_at.isoformat(),
        "read_at": n.read_at.isoformat() if n.read_at else None,
        "actor": {"id": actor.id, "name": actor.name} if actor is not None else None,
        "target": {"type": n.target_type, "id": n.target_id, "url": url} if n.target_type else None,
        "text": n.text,
    }


class UnknownNotificationKind(LookupError):
    """No feature of this app declares the kind."""


def notification_kind(kind: str) -> NotificationKind:
    found = registry().notification_kinds.get(str(kind))
    if found is None:
        raise UnknownNotificationKind(f"type de notification non déclaré : {kind}")
    return found


def notify(
    session: Session, recipient: Any, kind: str, actor: Any, target: Target | None, text: str,
    *, mail_context: dict[str, Any] | None = None,
) -> Notification | None:
    """Write a notification in the current transaction; emit it to `user:<id>` after commit.

    `kind` must be declared by a feature of the app. When the kind's channels include "mail" and
    the recipient accepts e-mails, the kind's mail goes to the outbox in the same transaction
    (context: the recipient as `user`, the absolute `url` of the target, the `text`, plus
    `mail_context`). Nobody is notified of their own action. Returns the row (None when skipped).
    """
    spec = notification_kind(kind)
    if recipient is None or (actor is not None and recipient.id == actor.id):
        return None
    n = Notification(
        recipient_id=recipient.id,
        kind=str(kind),
        actor_id=getattr(actor, "id", None),
        target_type=target.type if target else None,
        target_id=target.id if target else None,
        target_url=target.url if target else None,
        text=text,
    )
    if actor is not None:
        n.actor = actor
    session.add(n)
    session.flush()
    payload = serialize(n, current_app.config.get("ACHATS_BASE_URL"))
    count = unread_count(session, recipient.id)
    room = user_room(recipient.id)

    def emit() -> None:
        socketio.emit("notification", payload, to=room)
        socketio.emit("unread_count", {"count": count}, to=room)

    on_commit(session, emit)
    if "mail" in spec.channels and getattr(recipient, "email", None) and getattr(recipient, "email_notifications", False):
        base = current_app.config.get("ACHATS_BASE_URL", "")
        context: dict[str, Any] = {
            "user": recipient, "text": text, "actor": actor,
            "url": (base + target.url) if target is not None and target.url and target.url.startswith("/")
            else (target.url if target is not None else base + "/"),
        }
        context.update(mail_context or {})
        queue_mail(session, recipient.email, spec.mail_subject or "", spec.mail_template or "", **context)
    return n


def mark_read(session: Session, user: Any, ids: list[int] | None = None, all_: bool = False) -> int:
    """Mark some or all of `user`'s notifications read; emits the new count after commit."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("unread_notifications", None)  # the count known since the user was loaded is old now
    stmt = update(Notification).where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
    if not all_:
        if not ids:
            return 0
        stmt = stmt.where(Notification.id.in_(ids))
    result = session.execute(stmt.values(read_at=utcnow()).execution_options(synchronize_session=False))
    changed = int(getattr(result, "rowcount", 0) or 0)
    count = unread_count(session, user.id)
    room = user_room(user.id)
    on_commit(session, lambda: socketio.emit("unread_count", {"count": count}, to=room))
    return changed or 0


def notifications_query(user_id: int, unread_only: bool = False) -> Any:
    query = select(Notification).where(Notification.recipient_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query


# --- personal data ----------------------------------------------------------------------------


def export_notifications(session: Session, user: Any) -> list[dict[str, Any]]:
    return [
        {"kind": n.kind, "text": n.text, "created_at": n.created_at.isoformat(),
         "read_at": n.read_at.isoformat() if n.read_at else None}
        for n in session.scalars(select(Notification).where(Notification.recipient_id == user.id)
                                 .order_by(Notification.id))
    ]


def forget_person(session: Session, user: Any) -> None:
    """Account deletion: the person's notifications go; those others received about their actions
    ("X vous a mentionné") lose the name."""
    from achats.platform.accounts import person_scrubber

    for n in session.scalars(select(Notification).where(Notification.recipient_id == user.id)):
        session.delete(n)
    scrub = person_scrubber(user.name, user.email)
    for n in session.scalars(select(Notification).where(Notification.actor_id == user.id)):
        n.text = scrub(n.text)
