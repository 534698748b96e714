"""Registration and e-mail confirmation: the same answer for a known address as for a new one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import Session

from achats.auth.models import (
    AccountStatus,
    EmailTokenPurpose,
    User,
)
from achats.auth.passwords import hash_password, password_problems
from achats.auth.services.accounts import (
    OrganisationInput,
    external_url,
    find_or_create_organisation,
    find_user_by_email,
    make_handle,
    normalise_email,
)
from achats.auth.services.email_tokens import consume_email_token, issue_email_token
from achats.auth.services.errors import (
    AccountError,
)
from achats.platform.db import utcnow
from achats.platform.mail import queue_mail
from achats.platform.moderation.audit import audit
from achats.platform.security import Role
from achats.platform.throttle import hit

# "You already have an account" mails an address may receive, whoever registers with it.
MAILS_PER_ADDRESS = "3 per hour"

CONFIRM_TTL = timedelta(hours=48)
RESET_TTL = timedelta(hours=1)


@dataclass
class Registration:
    name: str
    email: str
    password: str
    organisation: OrganisationInput
    job_title: str | None = None


def register(session: Session, data: Registration, ip: str | None = None) -> User | None:
    """Create an unconfirmed account and mail the confirmation link.

    A known address gets a mail instead ("you already have an account") and the caller answers
    exactly as for a new one, so registration does not reveal who is registered. Returns the new
    user, or None when the address was already known.
    """
    email = normalise_email(data.email)
    name = data.name.strip()
    if not 2 <= len(name) <= 120:
        raise AccountError("Indiquez vos prénom et nom.", "name")
    problems = password_problems(data.password, [name, email.split("@")[0], data.organisation.name])
    if problems:
        raise AccountError(problems[0], "password")
    org = find_or_create_organisation(session, data.organisation)
    existing = find_user_by_email(session, email)
    # Both paths hash the password (the costly part) and queue one mail: the same time either way.
    password_hash = hash_password(data.password)
    if existing is not None:
        # At most a few such mails per address and hour, whoever asks and from wherever.
        if hit(MAILS_PER_ADDRESS, "mail", "account_exists", email):
            queue_mail(session, email, "Vous avez déjà un compte sur Achats", "account_exists",
                       user=existing, reset_url=external_url("auth.forgot_password"))
        audit(session, "account.register_existing", target_type="user", target_id=existing.id, ip=ip)
        return None
    user = User(
        email=email, name=name, password_hash=password_hash, role=Role.MEMBER,
        status=AccountStatus.UNCONFIRMED, organisation=org, job_title=(data.job_title or "").strip() or None,
        handle=make_handle(session, name),
    )
    session.add(user)
    session.flush()
    send_confirmation(session, user)
    audit(session, "account.register", actor=user, target_type="user", target_id=user.id, ip=ip)
    return user


def send_confirmation(session: Session, user: User) -> None:
    secret = issue_email_token(session, user, EmailTokenPurpose.CONFIRM_EMAIL, CONFIRM_TTL)
    url = external_url("auth.confirm_email", token=secret)
    queue_mail(
        session, user.email or "", "Confirmez votre adresse e-mail — Achats", "confirm_email",
        user=user, url=url, hours=int(CONFIRM_TTL.total_seconds() // 3600), sensitive=[url],
    )


def confirm_email(session: Session, secret: str) -> User:
    user = consume_email_token(session, secret, EmailTokenPurpose.CONFIRM_EMAIL)
    if user.status == AccountStatus.UNCONFIRMED:
        user.email_confirmed_at = utcnow()
        if current_app.config.get("ACHATS_REQUIRE_APPROVAL", True):
            user.status = AccountStatus.PENDING
        else:
            user.status = AccountStatus.ACTIVE
            user.approved_at = utcnow()
        audit(session, "account.confirm", actor=user, target_type="user", target_id=user.id)
    return user


