"""GET /moderation/queue and POST /moderation/actions: one entry point, the targets the features declare.

The shell decides nothing about who may act: each target asks its feature's own predicate, the
one its pages ask (a category moderator may moderate their category here as in the pages).
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from achats.platform.api import ApiBlueprint, ApiError, Id, StrictBody
from achats.platform.extensions import db
from achats.platform.features import Feature, registry
from achats.platform.moderation import ModerationError

api = ApiBlueprint("moderation_api", __name__, tag="Modération")


def moderation_part() -> Feature:
    from achats.platform.moderation.audit import forget_person

    return Feature(name="platform.moderation", api_blueprints=[api], deletion_handlers=[forget_person])


class ActionBody(StrictBody):
    action: str = Field(min_length=1, max_length=30, pattern=r"^[a-z_]+$",
                        description="hide, restore, lock, unlock, pin, unpin, move, approve, reject, suspend, "
                                    "reinstate, publish… selon le type de cible.")
    target_type: str = Field(min_length=1, max_length=30, pattern=r"^[a-z_]+$",
                             description="post, thread, user, flag, document… (les types déclarés).")
    target_id: Id
    reason: str = Field(default="", max_length=1000)
    category_id: Id | None = None
    # With an offset: a naive date would be ambiguous (and cannot be compared with UTC times).
    until: AwareDatetime | None = None


class ActionResult(BaseModel):
    ok: bool
    action: str
    target_type: str
    target_id: int
    state: dict[str, Any] = Field(default_factory=dict)


class QueueOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    flags: list[dict[str, Any]] = Field(default_factory=list)
    pending_documents: list[dict[str, Any]] = Field(default_factory=list)
    pending_accounts: list[dict[str, Any]] = Field(default_factory=list)
    held_posts: list[dict[str, Any]] = Field(default_factory=list)


@api.operation("/moderation/queue", "GET", "La file de modération (ce que l'appelant peut traiter)",
               response=QueueOut)
def moderation_queue() -> dict[str, Any]:
    actor = current_user._get_current_object()
    sections = [s for s in registry().queue_sections.values() if s.visible_to(actor)]
    if not sections:
        raise ApiError(403, "Réservé aux modérateurs.")
    result: dict[str, Any] = {"flags": [], "pending_documents": [], "pending_accounts": [], "held_posts": []}
    for section in sections:
        result[section.name] = section.items(db.session, actor)
    return result


@api.operation("/moderation/actions", "POST", "Agir sur un contenu ou un compte (modération)",
               body=ActionBody, response=ActionResult, errors=(409,))
def moderation_action(body: ActionBody) -> dict[str, Any]:
    target = registry().moderation_targets.get(body.target_type)
    if target is None:
        known = ", ".join(sorted(registry().moderation_targets))
        raise ApiError(422, "Type de cible inconnu.", errors={"target_type": [f"Types acceptés : {known}."]})
    if body.action not in target.actions:
        raise ApiError(422, f"Action impossible sur {target.label} : {', '.join(target.actions)}.",
                       errors={"action": [f"Actions acceptées : {', '.join(target.actions)}."]})
    actor = current_user._get_current_object()
    try:
        state = target.act(db.session, actor, body)
    except ModerationError as exc:
        db.session.rollback()
        raise ApiError(exc.status, exc.detail, errors={exc.field: [exc.detail]} if exc.field else None) from None
    db.session.commit()
    return {"ok": True, "action": body.action, "target_type": body.target_type, "target_id": body.target_id,
            "state": state}
