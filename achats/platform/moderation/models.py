"""Flags raised by members on any content; handled from the review queue."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from achats.platform.db import Base, str_enum, utcnow


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    INAPPROPRIATE = "inappropriate"
    CONFIDENTIAL = "confidential"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "spam": "Spam ou publicité",
            "off_topic": "Hors sujet",
            "inappropriate": "Propos inappropriés",
            "confidential": "Données personnelles ou confidentielles",
            "other": "Autre",
        }[self.value]


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the moderator acted on the content
    DISMISSED = "dismissed"


class Flag(Base):
    __tablename__ = "moderation_flag"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id", "reporter_id"),
        Index("ix_moderation_flag_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int]
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[FlagReason] = mapped_column(str_enum(FlagReason, "reason"))
    detail: Mapped[str | None] = mapped_column(Text)
    status: Mapped[FlagStatus] = mapped_column(str_enum(FlagStatus, "status"), default=FlagStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)

    reporter = relationship("User", foreign_keys=[reporter_id], lazy="joined")
