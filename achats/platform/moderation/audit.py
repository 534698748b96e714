"""The audit log: who did what, when, to what; stored and written to the `achats.audit` logger."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from achats.platform.db import Base, utcnow

log = logging.getLogger("achats.audit")


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(30))
    target_id: Mapped[int | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


def audit(
    session: Any,
    action: str,
    *,
    actor: Any = None,
    target_type: str | None = None,
    target_id: int | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Record an action in the caller's transaction and log it as one JSON line.

    JSON encoding escapes control characters, so user input cannot forge log lines; callers
    never pass secrets (passwords, tokens) in `detail`.
    """
    actor_id = getattr(actor, "id", None)
    text = json.dumps(detail, ensure_ascii=False, default=str) if detail else None
    entry = AuditEntry(
        actor_id=actor_id, action=action, target_type=target_type, target_id=target_id, ip=ip, detail=text
    )
    session.add(entry)
    log.info(
        json.dumps(
            {"action": action, "actor": actor_id, "target": [target_type, target_id], "ip": ip, "detail": detail},
            ensure_ascii=True,
            default=str,
        )
    )
    return entry


def forget_person(session: Any, user: Any) -> None:
    """Account deletion: the audit trail keeps ids and facts, not the person: no IP of theirs, and
    free text about them (a moderator's reason quoting their name or address) loses both."""
    from sqlalchemy import and_, or_, select

    from achats.platform.accounts import person_scrubber

    scrub = person_scrubber(user.name, user.email)
    about_user = or_(AuditEntry.actor_id == user.id,
                     and_(AuditEntry.target_type == "user", AuditEntry.target_id == user.id))
    for entry in session.scalars(select(AuditEntry).where(about_user)):
        if entry.actor_id == user.id:
            entry.ip = None
        if entry.detail:
            entry.detail = scrub(entry.detail)
