"""Moderation of accounts: the approval queue, approval, rejection, suspension, roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.auth.models import AccountStatus, User
from achats.auth.services.accounts import external_url, revoke_sessions
from achats.auth.services.errors import AccountError
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.mail import queue_mail
from achats.platform.moderation.audit import audit
from achats.platform.notifications.services import Target, notify
from achats.platform.security import Role


def pending_accounts_query() -> Any:
    return (
        select(User)
        .where(User.status == AccountStatus.PENDING)
        .order_by(User.created_at)
    )


def approve_account(session: Session, moderator: User, user: User, reason: str | None = None) -> User:
    """Activate an account awaiting approval (or one rejected by mistake). The address must have
    been confirmed: approving an unconfirmed one would let anyone use someone else's address."""
    if user.status == AccountStatus.UNCONFIRMED or user.email_confirmed_at is None:
        raise AccountError("Ce compte n'a pas encore confirmé son adresse e-mail : il ne peut pas être validé "
                           "avant (le lien de confirmation lui a été envoyé à l'inscription).")
    if user.status not in (AccountStatus.PENDING, AccountStatus.REJECTED):
        raise AccountError("Ce compte n'est pas en attente de validation.")
    user.status = AccountStatus.ACTIVE
    user.approved_at = utcnow()
    user.approved_by_id = moderator.id
    if user.organisation is not None:
        user.organisation.verified = True
    audit(session, "account.approve", actor=moderator, target_type="user", target_id=user.id, reason=reason)
    # In the app and, when the person accepts e-mails, by mail (the kind's mail channel).
    notify(session, user, "account_approved", moderator,
           Target("user", user.id, url_for("auth.show_user", user_id=user.id)),
           "Votre compte a été validé : vous pouvez maintenant publier et participer.",
           mail_context={"url": external_url("platform.home")})
    record(session, "account_approved", user=user)
    return user


def reject_account(session: Session, moderator: User, user: User, reason: str) -> User:
    if user.status not in (AccountStatus.PENDING, AccountStatus.UNCONFIRMED):
        raise AccountError("Ce compte n'est pas en attente de validation.")
    if not reason.strip():
        raise AccountError("Indiquez la raison du refus.", "reason")
    user.status = AccountStatus.REJECTED
    revoke_sessions(session, user)
    audit(session, "account.reject", actor=moderator, target_type="user", target_id=user.id, reason=reason)
    if user.email:
        queue_mail(session, user.email, "Votre demande de compte Achats", "account_rejected", user=user, reason=reason)
    return user


def suspend_account(session: Session, moderator: User, user: User, reason: str, until: datetime | None = None) -> User:
    if user.id == moderator.id:
        raise AccountError("Vous ne pouvez pas suspendre votre propre compte.")
    if Role(user.role).at_least(Role(moderator.role)) and Role(moderator.role) != Role.ADMIN:
        raise AccountError("Seul un administrateur peut suspendre un modérateur.")
    if until is not None and until <= utcnow():
        raise AccountError("La date de fin de suspension doit être dans le futur.", "until")
    user.status = AccountStatus.SUSPENDED
    user.suspended_until = until
    revoke_sessions(session, user)
    audit(session, "account.suspend", actor=moderator, target_type="user", target_id=user.id, reason=reason,
          until=until)
    return user


def reinstate_account(session: Session, moderator: User, user: User, reason: str | None = None) -> User:
    if user.status != AccountStatus.SUSPENDED:
        raise AccountError("Ce compte n'est pas suspendu.")
    user.status = AccountStatus.ACTIVE
    user.suspended_until = None
    audit(session, "account.reinstate", actor=moderator, target_type="user", target_id=user.id, reason=reason)
    return user


def lift_expired_suspension(user: User) -> None:
    if user.status == AccountStatus.SUSPENDED and user.suspended_until and user.suspended_until <= utcnow():
        user.status = AccountStatus.ACTIVE
        user.suspended_until = None


def change_role(session: Session, admin: User, user: User, role: str) -> User:
    try:
        new_role = Role(role)
    except ValueError:
        raise AccountError("Rôle inconnu.", "role") from None
    if user.id == admin.id:
        raise AccountError("Vous ne pouvez pas modifier votre propre rôle.", "role")
    if new_role == user.role:
        return user
    old = user.role
    user.role = new_role
    revoke_sessions(session, user)  # a role change ends the sessions opened with the old rights
    audit(session, "account.role_change", actor=admin, target_type="user", target_id=user.id, old=old, new=new_role)
    notify(session, user, "role_changed", admin,
           Target("user", user.id, url_for("auth.show_user", user_id=user.id)),
           f"Votre rôle est désormais : {new_role.label}.")
    return user
