"""Organisations, user accounts, API tokens and single-use e-mail tokens."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from achats.platform.db import Base, TimestampMixin, str_enum, utcnow
from achats.platform.security import Role
from achats.platform.taxonomy import OrganisationKind


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccountStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # e-mail not yet confirmed
    PENDING = "pending"  # confirmed, awaiting a moderator's approval: may read, not write
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    DELETED = "deleted"  # anonymised at the owner's request

    @property
    def label(self) -> str:
        return {
            "unconfirmed": "Adresse à confirmer",
            "pending": "En attente de validation",
            "active": "Actif",
            "rejected": "Refusé",
            "suspended": "Suspendu",
            "deleted": "Supprimé",
        }[self.value]


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisation"
    __cache_namespace__ = "content"  # its name shows beside posts (see achats.platform.cache)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "kind"))
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    departement: Mapped[str | None] = mapped_column(String(3))
    verified: Mapped[bool] = mapped_column(default=False)

    members: Mapped[list[User]] = relationship(back_populates="organisation", lazy="raise_on_sql")

    @property
    def siren(self) -> str | None:
        return self.siret[:9] if self.siret else None


class UserTheme(Base):
    """A theme of expertise (slug from taxonomy.THEMES) on a user's profile."""

    __tablename__ = "user_theme"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40), primary_key=True)


class User(TimestampMixin, Base):
    __tablename__ = "user"
    # Names, roles, statuses show beside posts (achats.platform.cache); sign-in bookkeeping does not.
    __cache_namespace__ = "content"
    __cache_ignore__ = frozenset({"last_login_at", "last_seen_at", "session_token", "password_hash",
                                  "email_notifications", "email", "suspended_until"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(120))
    # The @mention handle, derived from the name at creation ("nathalie.girard", "marc.lambert2").
    handle: Mapped[str | None] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.MEMBER)
    status: Mapped[AccountStatus] = mapped_column(str_enum(AccountStatus, "status"), default=AccountStatus.UNCONFIRMED)
    job_title: Mapped[str | None] = mapped_column(String(120))
    bio: Mapped[str | None] = mapped_column(Text)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    # Rotated on logout, password change, role change and suspension: ends every session.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(24))
    email_confirmed_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    suspended_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    email_notifications: Mapped[bool] = mapped_column(default=True)
    deleted_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    theme_rows: Mapped[list[UserTheme]] = relationship(
        # Loaded when asked for (profiles, expert matching), not with every signed-in request.
        cascade="all, delete-orphan", lazy="select", order_by=UserTheme.theme
    )

    # --- Flask-Login -------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status in (AccountStatus.ACTIVE, AccountStatus.PENDING)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    # --- helpers ---------------------------------------------------------------------------
    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def can_write(self) -> bool:
        """Pending accounts read but do not write."""
        return self.status == AccountStatus.ACTIVE

    @property
    def themes(self) -> list[str]:
        return [row.theme for row in self.theme_rows]

    @property
    def display_name(self) -> str:
        return self.name

    def rotate_session_token(self) -> None:
        self.session_token = secrets.token_urlsafe(24)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class ApiToken(TimestampMixin, Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    PREFIX = "ach_"

    @classmethod
    def generate(cls, user: User, name: str) -> tuple[ApiToken, str]:
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls(user_id=user.id, name=name, token_hash=hash_secret(secret), prefix=secret[:10])
        return token, secret


class EmailTokenPurpose(enum.StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"


class EmailToken(TimestampMixin, Base):
    """Random, single-use, short-lived token sent by e-mail; only its hash is stored."""

    __tablename__ = "email_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[EmailTokenPurpose] = mapped_column(str_enum(EmailTokenPurpose, "purpose"))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()
