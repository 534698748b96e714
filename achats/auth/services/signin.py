"""Signing in and out, passwords and their reset."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from achats.auth.models import (
    AccountStatus,
    EmailTokenPurpose,
    User,
)
from achats.auth.passwords import hash_password, password_problems, verify_password
from achats.auth.services.accounts import external_url, find_user_by_email, revoke_sessions
from achats.auth.services.email_tokens import (
    consume_email_token,
    issue_email_token,
    peek_email_token,
    revoke_email_tokens,
)
from achats.auth.services.errors import (
    GENERIC_LOGIN_ERROR,
    AccountError,
    InvalidToken,
    LoginRefused,
)
from achats.auth.services.moderation import lift_expired_suspension
from achats.auth.services.registration import RESET_TTL
from achats.auth.services.tokens import revoke_all_api_tokens
from achats.platform.db import utcnow
from achats.platform.mail import queue_mail
from achats.platform.moderation.audit import audit
from achats.platform.throttle import hit

# A person asked for, or somebody else asked in their name: at most this many such mails per address.
MAILS_PER_ADDRESS = "3 per hour"



def authenticate(session: Session, email: str, password: str, ip: str | None = None) -> User:
    user = find_user_by_email(session, email)
    # The password is checked whether or not the account exists: the same work, the same time.
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not password_ok:
        audit(session, "auth.login_failed", target_type="user", target_id=user.id if user else None, ip=ip)
        raise LoginRefused(GENERIC_LOGIN_ERROR)
    lift_expired_suspension(user)
    if user.status == AccountStatus.UNCONFIRMED:
        raise LoginRefused("Confirmez d'abord votre adresse e-mail : le lien vous a été envoyé à l'inscription.")
    if user.status == AccountStatus.SUSPENDED:
        raise LoginRefused("Ce compte est suspendu. Contactez l'équipe de modération pour en savoir plus.")
    if user.status in (AccountStatus.REJECTED, AccountStatus.DELETED):
        raise LoginRefused(GENERIC_LOGIN_ERROR)
    user.last_login_at = utcnow()
    audit(session, "auth.login", actor=user, target_type="user", target_id=user.id, ip=ip)
    return user


def end_sessions(session: Session, user: User, reason: str) -> None:
    """Invalidate every session, remember-me cookie and socket of `user`."""
    revoke_sessions(session, user)
    audit(session, f"auth.{reason}", actor=user, target_type="user", target_id=user.id)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("Le mot de passe actuel est incorrect.", "current_password")
    set_password(session, user, new)


def set_password(session: Session, user: User, new: str, *, by_reset: bool = False) -> None:
    """A new password, by any path: every session ends, every reset link dies; after a reset (the
    old password may be known to someone else) the personal API tokens are revoked too."""
    problems = password_problems(new, [user.name, (user.email or "").split("@")[0]])
    if problems:
        raise AccountError(problems[0], "password")
    user.password_hash = hash_password(new)
    end_sessions(session, user, "password_change")
    revoke_email_tokens(session, user, EmailTokenPurpose.RESET_PASSWORD)
    revoked = revoke_all_api_tokens(session, user) if by_reset else 0
    if user.email:
        queue_mail(session, user.email, "Votre mot de passe Achats a été modifié", "password_changed", user=user,
                   reset_url=external_url("auth.forgot_password"), revoked_tokens=revoked)


def request_password_reset(session: Session, email: str, ip: str | None = None) -> None:
    """Mail a reset link when the account exists; callers answer the same either way."""
    user = find_user_by_email(session, email)
    audit(session, "auth.reset_requested", target_type="user", target_id=user.id if user else None, ip=ip)
    if user is None or user.status in (AccountStatus.DELETED, AccountStatus.REJECTED) or not user.email:
        return
    if not hit(MAILS_PER_ADDRESS, "mail", "reset_password", user.email):
        audit(session, "auth.reset_mail_throttled", target_type="user", target_id=user.id, ip=ip)
        return  # the address had its links for the hour: the answer stays the same
    secret = issue_email_token(session, user, EmailTokenPurpose.RESET_PASSWORD, RESET_TTL)
    url = external_url("auth.reset_password", token=secret)
    queue_mail(session, user.email, "Réinitialisation de votre mot de passe — Achats", "reset_password",
               user=user, url=url, minutes=int(RESET_TTL.total_seconds() // 60), sensitive=[url])


def reset_password(session: Session, secret: str, new: str) -> User:
    user = peek_email_token(session, secret, EmailTokenPurpose.RESET_PASSWORD)
    if user is None:
        raise InvalidToken("Ce lien n'est plus valable : il a déjà servi ou il a expiré.")
    consume_email_token(session, secret, EmailTokenPurpose.RESET_PASSWORD)
    set_password(session, user, new, by_reset=True)  # a refused password rolls the whole request back
    if user.status == AccountStatus.UNCONFIRMED:
        user.email_confirmed_at = utcnow()
        user.status = AccountStatus.PENDING if current_app.config.get("ACHATS_REQUIRE_APPROVAL", True) else AccountStatus.ACTIVE
    return user
