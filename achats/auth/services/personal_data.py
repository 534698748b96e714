"""Personal data: the self-service export and the deletion that anonymises an account.

Whatever a feature (or the shell) stores about a person comes from its declaration: its export
parts, and its deletion handlers, which run before the account itself is anonymised (they still
see the name and the address they must remove)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.auth.models import AccountStatus, ApiToken, EmailToken, User
from achats.auth.passwords import verify_password
from achats.auth.services.errors import AccountError
from achats.auth.services.signin import end_sessions
from achats.platform.accounts import DELETED_ACCOUNT_NAME
from achats.platform.db import utcnow
from achats.platform.features import registry
from achats.platform.moderation.audit import audit


def export_user_data(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about `user`: the account, then each feature's declared export parts."""
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
    }
    for name, exporter in registry().exports.items():
        data[name] = exporter(session, user)
    return data


def export_api_tokens(session: Session, user: User) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": t.name, "created_at": t.created_at.isoformat(),
         "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
         "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
        for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    ]


def delete_account(session: Session, user: User, password: str | None, confirm_text: str) -> None:
    """Anonymise: the posts stay, attributed to "Compte supprimé"; name and e-mail are gone."""
    if confirm_text.strip().upper() != "SUPPRIMER":
        raise AccountError("Tapez SUPPRIMER pour confirmer.", "confirm")
    if user.password_hash and not verify_password(user.password_hash, password or ""):
        raise AccountError("Le mot de passe est incorrect.", "password")
    audit(session, "account.delete", target_type="user", target_id=user.id)
    # Each feature (and the shell: notifications, audit trail, outbox) removes the person from its
    # data while the name and address are still known.
    for handler in registry().deletion_handlers:
        handler(session, user)
    user.name = DELETED_ACCOUNT_NAME
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
    for email_token in session.scalars(select(EmailToken).where(EmailToken.user_id == user.id)):
        session.delete(email_token)
    end_sessions(session, user, "account_deleted")
