"""E-mail: an outbox table written in the caller's transaction, delivered after commit, retried."""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from sqlalchemy import JSON, Index, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from achats.platform.db import Base, on_commit, utcnow
from achats.platform.extensions import app_object

log = logging.getLogger("achats.mail")

MAX_ATTEMPTS = 8


class OutgoingMail(Base):
    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Secrets in the body (a reset or confirmation link), one per line: kept while a retry needs
    # them, replaced by REDACTED in the stored body once the mail is sent or given up.
    sensitive: Mapped[str | None] = mapped_column(Text)
    # One attached file (a calendar invitation): its name, type and bytes.
    attachment: Mapped[dict[str, str] | None] = mapped_column(JSON)
    attachment_data: Mapped[bytes | None] = mapped_column(LargeBinary)

    def redact(self) -> None:
        for secret in (self.sensitive or "").splitlines():
            if secret:
                self.body_text = self.body_text.replace(secret, REDACTED)
                if self.body_html:
                    self.body_html = self.body_html.replace(secret, REDACTED)
        self.sensitive = None


REDACTED = "[lien retiré après l'envoi]"


def queue_mail(session: Session, to: str, subject: str, template: str, *, sensitive: list[str] | None = None,
               attachment: tuple[str, str, bytes] | None = None, **context: Any) -> OutgoingMail:
    """Write a mail to the outbox in the current transaction; it is sent once that commits.

    `template` names `mail/<template>.txt` (and `.html` when present) under templates/.
    `sensitive`: secrets the body carries (a one-time link), removed from the stored copy once
    the mail has left (or will never leave). `attachment`: (filename, "type/subtype", bytes).
    """
    context.setdefault("base_url", current_app.config["ACHATS_BASE_URL"])
    text = render_template(f"mail/{template}.txt", **context)
    try:
        html: str | None = render_template(f"mail/{template}.html", **context)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        html = None
    mail = OutgoingMail(recipient=to, subject=subject, body_text=text, body_html=html,
                        sensitive="\n".join(s for s in (sensitive or []) if s) or None)
    if attachment is not None:
        name, content_type, data = attachment
        mail.attachment = {"filename": name, "content_type": content_type}
        mail.attachment_data = data
    session.add(mail)
    session.flush()
    app = app_object()
    mail_id = mail.id
    on_commit(session, lambda: dispatch(app, [mail_id]))
    return mail


def dispatch(app: Any, ids: list[int]) -> None:
    """Hand the committed mails to the task queue (run inline in tests): requests never wait for
    SMTP, and a failure is retried by the periodic task with the outbox's backoff."""
    from achats.platform.tasks import enqueue

    with app.app_context():
        try:
            enqueue("platform.deliver_mail", ids)
        except Exception:  # noqa: BLE001 - queue unreachable: the periodic retry sends them
            log.warning("mail %s: queue unavailable, left for the periodic retry", ids)


def mail_part() -> Any:
    """The outbox's tasks: deliver the mails of a commit, retry the due ones every minute."""
    from huey import crontab

    from achats.platform.features import Feature, Task

    return Feature(name="platform.mail", deletion_handlers=[forget_person], tasks=[
        Task("platform.deliver_mail", lambda ids: deliver(_app(), ids)),
        Task("platform.retry_mail", lambda: f"{deliver(_app())} message(s) en attente envoyé(s).",
             schedule=crontab(minute="*")),
    ])


def _app() -> Any:
    return app_object()


def build_message(app: Any, mail: OutgoingMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = app.config["ACHATS_MAIL_FROM"]
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="achats.local")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.body_text)
    if mail.body_html:
        msg.add_alternative(mail.body_html, subtype="html")
    if mail.attachment and mail.attachment_data is not None:
        maintype, _, subtype = mail.attachment.get("content_type", "application/octet-stream").partition("/")
        params = {"method": "PUBLISH"} if subtype == "calendar" else {}
        msg.add_attachment(mail.attachment_data, maintype=maintype, subtype=subtype,
                           filename=mail.attachment.get("filename", "piece-jointe"), params=params)
    return msg


def _send_smtp(url: str, msg: EmailMessage) -> None:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    timeout = 20
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(msg)


def _write_outbox(directory: str, mail_id: int, msg: EmailMessage) -> None:
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S")
    (path / f"{stamp}-{mail_id:06d}.eml").write_bytes(bytes(msg))


def deliver(app: Any, ids: list[int] | None = None, limit: int = 200) -> int:
    """Try the given mails (or every due one); failures are rescheduled with backoff. Returns sent."""
    from achats.platform.extensions import db

    sent = 0
    with app.app_context(), Session(db.engine) as session:
        query = select(OutgoingMail).where(OutgoingMail.sent_at.is_(None))
        if ids is not None:
            query = query.where(OutgoingMail.id.in_(ids))
        else:
            query = query.where(
                OutgoingMail.next_attempt_at <= utcnow(), OutgoingMail.attempts < MAX_ATTEMPTS
            )
        for mail in session.scalars(query.order_by(OutgoingMail.id).limit(limit)):
            msg = build_message(app, mail)
            mail.attempts += 1
            try:
                smtp_url = app.config.get("ACHATS_SMTP_URL")
                if smtp_url:
                    _send_smtp(smtp_url, msg)
                else:
                    _write_outbox(app.config["ACHATS_OUTBOX_DIR"], mail.id, msg)
            except Exception as exc:  # noqa: BLE001 - any failure is retried later
                mail.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                mail.next_attempt_at = utcnow() + timedelta(minutes=2 ** min(mail.attempts, 8))
                log.warning("mail %s to outbox retry: %s", mail.id, mail.last_error)
                if mail.attempts >= MAX_ATTEMPTS:
                    mail.redact()  # given up: the link it carried must not stay readable
            else:
                mail.sent_at = utcnow()
                mail.last_error = None
                mail.redact()
                sent += 1
            session.commit()
    return sent


def forget_person(session: Session, user: Any) -> None:
    """Account deletion: the outbox keeps the address and a "Bonjour X" body, sent or not."""
    from sqlalchemy import delete

    if user.email:
        session.execute(delete(OutgoingMail).where(OutgoingMail.recipient == user.email))
