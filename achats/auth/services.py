"""Account rules: registration, confirmation, approval, sign-in, passwords, roles, tokens, RGPD."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from achats.auth.models import (
    AccountStatus,
    ApiToken,
    EmailToken,
    EmailTokenPurpose,
    Organisation,
    User,
    UserTheme,
    hash_secret,
)
from achats.auth.passwords import hash_password, password_problems, verify_password
from achats.auth.signals import account_approved, account_deleted
from achats.platform.db import utcnow
from achats.platform.mail import queue_mail
from achats.platform.moderation.audit import audit
from achats.platform.notifications.models import NotificationKind
from achats.platform.notifications.services import Target, notify
from achats.platform.realtime import disconnect_user_after_commit
from achats.platform.security import Role
from achats.platform.taxonomy import (
    THEMES,
    OrganisationKind,
    is_departement_code,
    normalise_siret,
    siret_error,
)

CONFIRM_TTL = timedelta(hours=48)
RESET_TTL = timedelta(hours=1)
DELETED_NAME = "Compte supprimé"


class AccountError(Exception):
    """A rule refused the action; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidToken(AccountError):
    pass


def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError("Saisissez une adresse e-mail valide (nom@organisme.fr).", "email") from None


def find_user_by_email(session: Session, email: str) -> User | None:
    try:
        email = normalise_email(email)
    except AccountError:
        return None
    return session.scalar(select(User).where(User.email == email))


def make_handle(session: Session, name: str) -> str:
    """A unique @mention handle from a display name: accents dropped, lower case, dots."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", ".", ascii_name.lower()).strip(".")[:30] or "membre"
    candidate, n = base, 1
    while session.scalar(select(User.id).where(User.handle == candidate)) is not None:
        n += 1
        candidate = f"{base}{n}"
    return candidate


# --- organisations ----------------------------------------------------------------------------


@dataclass
class OrganisationInput:
    name: str
    kind: str
    siret: str
    departement: str


def find_or_create_organisation(session: Session, data: OrganisationInput) -> Organisation:
    error = siret_error(data.siret)
    if error:
        raise AccountError(error, "siret")
    siret = normalise_siret(data.siret)
    existing = session.scalar(select(Organisation).where(Organisation.siret == siret))
    if existing is not None:
        return existing
    if data.kind not in OrganisationKind.__members__.values():
        raise AccountError("Choisissez un type d'organisme.", "organisation_kind")
    departement: str | None = data.departement.strip().upper()
    if departement == "AUTRE":
        departement = None
    elif not is_departement_code(departement or ""):
        raise AccountError("Indiquez un numéro de département (21, 25, 39…).", "departement")
    name = data.name.strip()
    if not 2 <= len(name) <= 200:
        raise AccountError("Indiquez le nom de votre organisme.", "organisation_name")
    org = Organisation(name=name, kind=OrganisationKind(data.kind), siret=siret, departement=departement)
    session.add(org)
    session.flush()
    return org


# --- one-time e-mail tokens ------------------------------------------------------------------


def issue_email_token(session: Session, user: User, purpose: EmailTokenPurpose, ttl: timedelta) -> str:
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


# --- registration -----------------------------------------------------------------------------


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
    if existing is not None:
        queue_mail(session, email, "Vous avez déjà un compte sur Achats", "account_exists",
                   user=existing, reset_url=_external("auth.forgot_password"))
        audit(session, "account.register_existing", target_type="user", target_id=existing.id, ip=ip)
        return None
    user = User(
        email=email, name=name, password_hash=hash_password(data.password), role=Role.MEMBER,
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
    queue_mail(
        session, user.email or "", "Confirmez votre adresse e-mail — Achats", "confirm_email",
        user=user, url=_external("auth.confirm_email", token=secret), hours=int(CONFIRM_TTL.total_seconds() // 3600),
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


def _external(endpoint: str, **values: Any) -> str:
    return current_app.config["ACHATS_BASE_URL"] + url_for(endpoint, **values)


# --- moderation of accounts ------------------------------------------------------------------


def pending_accounts_query() -> Any:
    return (
        select(User)
        .where(User.status == AccountStatus.PENDING)
        .order_by(User.created_at)
    )


def approve_account(session: Session, moderator: User, user: User, reason: str | None = None) -> User:
    if user.status not in (AccountStatus.PENDING, AccountStatus.UNCONFIRMED, AccountStatus.REJECTED):
        raise AccountError("Ce compte n'est pas en attente de validation.")
    user.status = AccountStatus.ACTIVE
    user.approved_at = utcnow()
    user.approved_by_id = moderator.id
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    if user.organisation is not None:
        user.organisation.verified = True
    audit(session, "account.approve", actor=moderator, target_type="user", target_id=user.id, reason=reason)
    notify(session, user, NotificationKind.ACCOUNT_APPROVED, moderator,
           Target("user", user.id, url_for("auth.show_user", user_id=user.id)),
           "Votre compte a été validé : vous pouvez maintenant publier et participer.")
    if user.email and user.email_notifications:
        queue_mail(session, user.email, "Votre compte Achats est validé", "account_approved", user=user,
                   url=_external("platform.home"))
    account_approved.send(user, session=session)
    return user


def reject_account(session: Session, moderator: User, user: User, reason: str) -> User:
    if user.status not in (AccountStatus.PENDING, AccountStatus.UNCONFIRMED):
        raise AccountError("Ce compte n'est pas en attente de validation.")
    if not reason.strip():
        raise AccountError("Indiquez la raison du refus.", "reason")
    user.status = AccountStatus.REJECTED
    user.rotate_session_token()
    disconnect_user_after_commit(user.id)
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
    user.rotate_session_token()
    disconnect_user_after_commit(user.id)
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
    user.rotate_session_token()  # a role change ends the sessions opened with the old rights
    disconnect_user_after_commit(user.id)
    audit(session, "account.role_change", actor=admin, target_type="user", target_id=user.id, old=old, new=new_role)
    notify(session, user, NotificationKind.ROLE_CHANGED, admin,
           Target("user", user.id, url_for("auth.show_user", user_id=user.id)),
           f"Votre rôle est désormais : {new_role.label}.")
    return user


# --- sign-in ----------------------------------------------------------------------------------


class LoginRefused(AccountError):
    pass


GENERIC_LOGIN_ERROR = "Adresse e-mail ou mot de passe incorrect."


def authenticate(session: Session, email: str, password: str, ip: str | None = None) -> User:
    user = find_user_by_email(session, email)
    if user is None or not verify_password(user.password_hash, password):
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
    user.rotate_session_token()
    disconnect_user_after_commit(user.id)
    audit(session, f"auth.{reason}", actor=user, target_type="user", target_id=user.id)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError("Le mot de passe actuel est incorrect.", "current_password")
    set_password(session, user, new)


def set_password(session: Session, user: User, new: str) -> None:
    problems = password_problems(new, [user.name, (user.email or "").split("@")[0]])
    if problems:
        raise AccountError(problems[0], "password")
    user.password_hash = hash_password(new)
    end_sessions(session, user, "password_change")
    if user.email:
        queue_mail(session, user.email, "Votre mot de passe Achats a été modifié", "password_changed", user=user,
                   reset_url=_external("auth.forgot_password"))


def request_password_reset(session: Session, email: str, ip: str | None = None) -> None:
    """Mail a reset link when the account exists; callers answer the same either way."""
    user = find_user_by_email(session, email)
    audit(session, "auth.reset_requested", target_type="user", target_id=user.id if user else None, ip=ip)
    if user is None or user.status in (AccountStatus.DELETED, AccountStatus.REJECTED) or not user.email:
        return
    secret = issue_email_token(session, user, EmailTokenPurpose.RESET_PASSWORD, RESET_TTL)
    queue_mail(session, user.email, "Réinitialisation de votre mot de passe — Achats", "reset_password",
               user=user, url=_external("auth.reset_password", token=secret), minutes=int(RESET_TTL.total_seconds() // 60))


def reset_password(session: Session, secret: str, new: str) -> User:
    user = peek_email_token(session, secret, EmailTokenPurpose.RESET_PASSWORD)
    if user is None:
        raise InvalidToken("Ce lien n'est plus valable : il a déjà servi ou il a expiré.")
    set_password(session, user, new)  # raises before the token is spent when the password is refused
    consume_email_token(session, secret, EmailTokenPurpose.RESET_PASSWORD)
    if user.status == AccountStatus.UNCONFIRMED:
        user.email_confirmed_at = utcnow()
        user.status = AccountStatus.PENDING if current_app.config.get("ACHATS_REQUIRE_APPROVAL", True) else AccountStatus.ACTIVE
    return user


# --- profile ----------------------------------------------------------------------------------


def update_profile(session: Session, user: User, *, name: str, job_title: str | None, bio: str | None,
                   themes: list[str]) -> User:
    name = name.strip()
    if not 2 <= len(name) <= 120:
        raise AccountError("Indiquez vos prénom et nom.", "name")
    unknown = [t for t in themes if t not in THEMES]
    if unknown:
        raise AccountError("Thème inconnu.", "themes")
    user.name = name
    user.job_title = (job_title or "").strip()[:120] or None
    user.bio = (bio or "").strip()[:2000] or None
    wanted = list(dict.fromkeys(themes))
    user.theme_rows = [row for row in user.theme_rows if row.theme in wanted] + [
        UserTheme(theme=t) for t in wanted if t not in user.themes
    ]
    return user


def members_query(q: str | None = None, role: str | None = None, theme: str | None = None,
                  organisation_id: int | None = None) -> Any:
    query = select(User).where(User.status == AccountStatus.ACTIVE)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.outerjoin(Organisation, User.organisation_id == Organisation.id).where(
            or_(func.lower(User.name).like(like), func.lower(Organisation.name).like(like),
                func.lower(User.job_title).like(like))
        )
    if role in Role.__members__.values():
        query = query.where(User.role == role)
    if theme in THEMES:
        query = query.where(User.theme_rows.any(UserTheme.theme == theme))
    if organisation_id:
        query = query.where(User.organisation_id == organisation_id)
    return query.order_by(func.lower(User.name), User.id)


# --- API tokens -------------------------------------------------------------------------------


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


# --- personal data ----------------------------------------------------------------------------


def export_user_data(session: Session, user: User) -> dict[str, Any]:
    org = user.organisation
    data: dict[str, Any] = {
        "format": "achats-export-1",
        "exported_at": utcnow().isoformat(),
        "account": {
            "id": user.id, "name": user.name, "handle": user.handle, "email": user.email, "role": str(user.role),
            "status": str(user.status), "job_title": user.job_title, "bio": user.bio, "themes": user.themes,
            "created_at": user.created_at.isoformat(),
            "email_confirmed_at": user.email_confirmed_at.isoformat() if user.email_confirmed_at else None,
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
            "email_notifications": user.email_notifications,
        },
        "organisation": None if org is None else {
            "id": org.id, "name": org.name, "kind": str(org.kind), "siret": org.siret, "departement": org.departement,
        },
        "api_tokens": [
            {"id": t.id, "name": t.name, "created_at": t.created_at.isoformat(),
             "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
             "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
            for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
        ],
    }
    from achats.platform.notifications.models import Notification

    data["notifications"] = [
        {"kind": n.kind, "text": n.text, "created_at": n.created_at.isoformat(),
         "read_at": n.read_at.isoformat() if n.read_at else None}
        for n in session.scalars(select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id))
    ]
    for name, exporter in current_app.extensions.get("achats_exporters", {}).items():
        data[name] = exporter(session, user)
    return data


def delete_account(session: Session, user: User, password: str | None, confirm_text: str) -> None:
    """Anonymise: the posts stay, attributed to "Compte supprimé"; name and e-mail are gone."""
    if confirm_text.strip().upper() != "SUPPRIMER":
        raise AccountError("Tapez SUPPRIMER pour confirmer.", "confirm")
    if user.password_hash and not verify_password(user.password_hash, password or ""):
        raise AccountError("Le mot de passe est incorrect.", "password")
    account_deleted.send(user, session=session)
    audit(session, "account.delete", target_type="user", target_id=user.id)
    old_name, old_email = user.name, user.email
    user.name = DELETED_NAME
    user.handle = None
    user.email = None
    user.password_hash = None
    user.job_title = None
    user.bio = None
    user.theme_rows = []
    user.status = AccountStatus.DELETED
    user.deleted_at = utcnow()
    user.email_notifications = False
    user.organisation_id = None
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        session.delete(token)
    for token in session.scalars(select(EmailToken).where(EmailToken.user_id == user.id)):
        session.delete(token)
    from achats.platform.moderation.audit import AuditEntry
    from achats.platform.notifications.models import Notification

    for n in session.scalars(select(Notification).where(Notification.recipient_id == user.id)):
        session.delete(n)
    # The audit trail keeps ids and facts, not the person: no IP of theirs, and free text about
    # them (a moderator's reason quoting their name or address) loses the name and the address.
    scrub = _scrubber({old_name: DELETED_NAME, old_email or "": "[adresse supprimée]"})
    about_user = or_(AuditEntry.actor_id == user.id,
                     and_(AuditEntry.target_type == "user", AuditEntry.target_id == user.id))
    for entry in session.scalars(select(AuditEntry).where(about_user)):
        if entry.actor_id == user.id:
            entry.ip = None
        if entry.detail:
            entry.detail = scrub(entry.detail)
    # Notifications others received about this person's actions quote the name ("X vous a mentionné").
    for n in session.scalars(select(Notification).where(Notification.actor_id == user.id)):
        n.text = scrub(n.text)
    # The outbox keeps the address and a "Bonjour X" body, sent or not: gone with the account.
    if old_email:
        from achats.platform.mail import OutgoingMail

        session.execute(delete(OutgoingMail).where(OutgoingMail.recipient == old_email))
    end_sessions(session, user, "account_deleted")


def _scrubber(replacements: dict[str, str]) -> Any:
    """Replace each key (as typed, and as JSON-escaped in audit details) in a text."""
    import json

    pairs: list[tuple[str, str]] = []
    for old, new in replacements.items():
        if old:
            pairs += [(old, new), (json.dumps(old)[1:-1], new), (json.dumps(old, ensure_ascii=False)[1:-1], new)]

    def scrub(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    return scrub


# --- the CLI ----------------------------------------------------------------------------------


def create_account(session: Session, *, email: str, name: str, role: str = "member",
                   organisation_name: str | None = None, password: str | None = None,
                   pending: bool = False) -> User:
    """Administrative creation (CLI, seed): confirmed, active or pending approval."""
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        raise AccountError(f"Un compte existe déjà pour {email}.", "email")
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError("Rôle inconnu.", "role") from None
    if password is not None:
        problems = password_problems(password, [name, email.split("@")[0]])
        if problems:
            raise AccountError(problems[0], "password")
    org = None
    if organisation_name:
        org = session.scalar(select(Organisation).where(Organisation.name == organisation_name))
        if org is None:
            org = Organisation(name=organisation_name, kind=OrganisationKind.AUTRE, verified=True)
            session.add(org)
    now = utcnow()
    user = User(
        email=email, name=name.strip(), role=role_value, organisation=org,
        password_hash=hash_password(password) if password else None,
        status=AccountStatus.PENDING if pending else AccountStatus.ACTIVE,
        email_confirmed_at=now, approved_at=None if pending else now, handle=make_handle(session, name),
    )
    session.add(user)
    session.flush()
    audit(session, "account.create_cli", target_type="user", target_id=user.id, role=str(role_value))
    return user
