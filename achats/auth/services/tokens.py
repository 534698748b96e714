"""Personal API tokens: created once, stored hashed, revocable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from achats.auth.models import (
    ApiToken,
    User,
    hash_secret,
)
from achats.auth.services.errors import (
    AccountError,
)
from achats.auth.services.moderation import lift_expired_suspension
from achats.platform.db import utcnow
from achats.platform.moderation.audit import audit

MAX_TOKENS = 20


def create_api_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not 1 <= len(name) <= 80:
        raise AccountError("Donnez un nom à ce jeton (80 caractères au plus).", "name")
    active = session.scalar(
        select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if (active or 0) >= MAX_TOKENS:
        raise AccountError(f"Vous avez déjà {MAX_TOKENS} jetons actifs : révoquez-en un d'abord.", "name")
    token, secret = ApiToken.generate(user, name)
    session.add(token)
    session.flush()
    audit(session, "token.create", actor=user, target_type="api_token", target_id=token.id)
    return token, secret


def revoke_api_token(session: Session, user: User, token_id: int) -> ApiToken | None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return None
    token.revoked_at = utcnow()
    audit(session, "token.revoke", actor=user, target_type="api_token", target_id=token.id)
    return token


def revoke_all_api_tokens(session: Session, user: User) -> int:
    """Revoke every active token of `user` (after a password reset); returns how many."""
    now = utcnow()
    tokens = list(session.scalars(user_tokens_query(user)))
    for token in tokens:
        token.revoked_at = now
    if tokens:
        audit(session, "token.revoke_all", actor=user, target_type="user", target_id=user.id, count=len(tokens))
    return len(tokens)


def user_tokens_query(user: User) -> Any:
    return select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))


def user_from_api_token(session: Session, secret: str) -> User | None:
    if not secret.startswith(ApiToken.PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = token.user
    lift_expired_suspension(user)
    if not user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now  # committed with the request, or not at all on read-only calls
    return user
