"""GET /moderation/queue and POST /moderation/actions: one entry point, handlers per target type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from flask_login import current_user
from pydantic import AwareDatetime, BaseModel, Field

from achats.platform.api import ApiBlueprint, ApiError, Id, StrictBody
from achats.platform.extensions import db
from achats.platform.security import Role, has_role

api = ApiBlueprint("moderation_api", __name__, tag="Modération")

# target_type -> handler(session, actor, body) -> result dict; raises ApiError on refusal.
_handlers: dict[str, Callable[[Any, Any, ActionBody], dict[str, Any]]] = {}
# name -> provider(session, actor) -> list of queue items.
_queue_providers: dict[str, Callable[[Any, Any], list[dict[str, Any]]]] = {}


def register_action_handler(target_type: str, handler: Callable[[Any, Any, ActionBody], dict[str, Any]]) -> None:
    _handlers[target_type] = handler


def register_queue_provider(name: str, provider: Callable[[Any, Any], list[dict[str, Any]]]) -> None:
    _queue_providers[name] = provider


class ActionBody(StrictBody):
    action: Literal[
        "hide", "restore", "lock", "unlock", "pin", "unpin", "move", "approve", "reject", "suspend",
        "reinstate", "publish", "archive", "unarchive", "dismiss",
    ]
    target_type: Literal["post", "thread", "document", "user", "flag"]
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
    flags: list[dict[str, Any]] = Field(default_factory=list)
    pending_documents: list[dict[str, Any]] = Field(default_factory=list)
    pending_accounts: list[dict[str, Any]] = Field(default_factory=list)
    held_posts: list[dict[str, Any]] = Field(default_factory=list)


@api.operation("/moderation/queue", "GET", "La file de modération (modérateurs)", response=QueueOut)
def moderation_queue() -> dict[str, Any]:
    if not has_role(current_user, Role.MODERATOR):
        raise ApiError(403, "Réservé aux modérateurs.")
    result: dict[str, Any] = {"flags": [], "pending_documents": [], "pending_accounts": [], "held_posts": []}
    for name, provider in _queue_providers.items():
        result[name] = provider(db.session, current_user)
    return result


@api.operation("/moderation/actions", "POST", "Agir sur un contenu ou un compte (modérateurs)",
               body=ActionBody, response=ActionResult, errors=(409,))
def moderation_action(body: ActionBody) -> dict[str, Any]:
    if not has_role(current_user, Role.MODERATOR):
        raise ApiError(403, "Réservé aux modérateurs.")
    handler = _handlers.get(body.target_type)
    if handler is None:
        raise ApiError(422, "Ce type de cible n'est pas encore pris en charge.",
                       errors={"target_type": ["Type de cible non pris en charge."]})
    state = handler(db.session, current_user._get_current_object(), body)  # type: ignore[attr-defined]
    db.session.commit()
    return {"ok": True, "action": body.action, "target_type": body.target_type, "target_id": body.target_id,
            "state": state}
