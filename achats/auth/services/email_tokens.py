"""Single-use e-mail tokens (confirmation, password reset): only their hash is stored."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.auth.models import (
    EmailToken,
    EmailTokenPurpose,
    User,
    hash_secret,
)
from achats.auth.services.errors import (
    InvalidToken,
)
from achats.platform.db import utcnow


def revoke_email_tokens(session: Session, user: User, purpose: EmailTokenPurpose) -> None:
    """Every outstanding link of that purpose stops working (a newer one, a changed password)."""
    now = utcnow()
    for token in session.scalars(select(EmailToken).where(
            EmailToken.user_id == user.id, EmailToken.purpose == purpose, EmailToken.used_at.is_(None))):
        token.used_at = now


def issue_email_token(session: Session, user: User, purpose: EmailTokenPurpose, ttl: timedelta) -> str:
    """A new single-use link; the earlier ones of the same purpose die (only the newest works)."""
    revoke_email_tokens(session, user, purpose)
    secret = secrets.token_urlsafe(32)
    session.add(
        EmailToken(user_id=user.id, purpose=purpose, token_hash=hash_secret(secret), expires_at=utcnow() + ttl)
    )
    session.flush()
    return secret


def consume_email_token(session: Session, secret: str, purpose: EmailTokenPurpose) -> User:
    token = session.scalar(
        select(EmailToken).where(EmailToken.token_hash == hash_secret(secret), EmailToken.purpose == purpose)
    )
    if token is None or not token.usable():
        raise InvalidToken("Ce lien n'est plus valable : il a déjà servi ou il a expiré.")
    token.used_at = utcnow()
    # Any other outstanding token of the same purpose dies with this one.
    for other in session.scalars(
        select(EmailToken).where(
            EmailToken.user_id == token.user_id, EmailToken.purpose == purpose, EmailToken.used_at.is_(None)
        )
    ):
        other.used_at = token.used_at
    return token.user


def peek_email_token(session: Session, secret: str, purpose: EmailTokenPurpose) -> User | None:
    token = session.scalar(
        select(EmailToken).where(EmailToken.token_hash == hash_secret(secret), EmailToken.purpose == purpose)
    )
    return token.user if token is not None and token.usable() else None
