"""Accounts and organisations: e-mail and handle rules, lookups, profiles, administrative creation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from achats.auth.models import (
    AccountStatus,
    Organisation,
    User,
    UserTheme,
)
from achats.auth.passwords import hash_password, password_problems
from achats.auth.services.errors import (
    AccountError,
)
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.moderation.audit import audit
from achats.platform.security import Role
from achats.platform.taxonomy import (
    THEMES,
    OrganisationKind,
    is_departement_code,
    normalise_siret,
    siret_error,
)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail (ACHATS_BASE_URL and the endpoint's path)."""
    return str(current_app.config["ACHATS_BASE_URL"]) + url_for(endpoint, **values)


def revoke_sessions(session: Session, user: User) -> None:
    """End every session and remember-me cookie of `user` now, and their sockets after commit."""
    user.rotate_session_token()
    record(session, "account_sessions_ended", user_id=user.id)


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
