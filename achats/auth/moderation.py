"""Accounts as moderation targets (POST /moderation/actions) and the queue's pending accounts.

The same predicates as the account pages decide: can_moderate_accounts to approve or reject,
can_suspend to suspend or reinstate."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from achats.auth import services
from achats.auth.models import AccountStatus, User
from achats.auth.permissions import can_moderate_accounts, can_suspend
from achats.platform.features import ModerationTarget, QueueSection
from achats.platform.ids import valid_id
from achats.platform.moderation import Conflict, NotFound, Refused


def pending_accounts(session: Session, actor: Any) -> list[dict[str, Any]]:
    users = session.scalars(services.pending_accounts_query().limit(200)).all()
    return [
        {
            "id": u.id, "name": u.name, "email": u.email, "created_at": u.created_at.isoformat(),
            "organisation": None if u.organisation is None else {
                "id": u.organisation.id, "name": u.organisation.name, "siret": u.organisation.siret,
                "kind": str(u.organisation.kind), "departement": u.organisation.departement,
                "verified": u.organisation.verified,
            },
        }
        for u in users
    ]


def act_on_user(session: Session, actor: Any, request: Any) -> dict[str, Any]:
    user = session.get(User, request.target_id) if valid_id(request.target_id) else None
    if user is None or user.status == AccountStatus.DELETED:
        raise NotFound("Compte introuvable.")
    actor = session.get(User, actor.id)
    try:
        if request.action in ("approve", "reject"):
            if not can_moderate_accounts(actor):
                raise Refused("Réservé aux modérateurs.")
            if request.action == "approve":
                services.approve_account(session, actor, user, request.reason)
            else:
                services.reject_account(session, actor, user, request.reason or "")
        else:
            if not can_suspend(actor, user):
                raise Refused("Vous ne pouvez pas suspendre ou rétablir ce compte.")
            if request.action == "suspend":
                services.suspend_account(session, actor, user, request.reason, request.until)
            else:
                services.reinstate_account(session, actor, user, request.reason)
    except services.AccountError as exc:
        raise Conflict(str(exc)) from None
    return {"status": str(user.status)}


def moderation_targets() -> list[ModerationTarget]:
    return [ModerationTarget("user", "un compte", ("approve", "reject", "suspend", "reinstate"), act_on_user)]


def queue_sections() -> list[QueueSection]:
    return [QueueSection("pending_accounts", "Comptes à valider", pending_accounts, can_moderate_accounts)]
