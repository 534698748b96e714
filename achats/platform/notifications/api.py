"""GET /api/v1/notifications and POST /api/v1/notifications/read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_login import current_user
from pydantic import BaseModel, Field, model_validator

from achats.platform.api import ApiBlueprint, Id, ListQuery, StrictBody, keyset_page
from achats.platform.extensions import db
from achats.platform.notifications.models import Notification
from achats.platform.notifications.services import (
    mark_read,
    notifications_query,
    serialize,
    unread_count,
)

api = ApiBlueprint("notifications_api", __name__, tag="Notifications")


class ActorOut(BaseModel):
    id: int
    name: str


class TargetOut(BaseModel):
    type: str
    id: int | None
    url: str | None


class NotificationOut(BaseModel):
    id: int
    kind: str
    created_at: datetime
    read_at: datetime | None
    actor: ActorOut | None
    target: TargetOut | None
    text: str


class NotificationList(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int


class NotificationQuery(ListQuery):
    unread: bool = False


class ReadBody(StrictBody):
    ids: list[Id] | None = Field(default=None, max_length=500)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> ReadBody:
        if not self.all and not self.ids:
            raise ValueError("Indiquez « ids » ou « all: true ».")
        return self


class ReadResult(BaseModel):
    marked: int
    unread_count: int


@api.operation("/notifications", "GET", "Mes notifications, les plus récentes d'abord",
               query=NotificationQuery, response=NotificationList)
def list_notifications(query: NotificationQuery) -> dict[str, Any]:
    items, cursor = keyset_page(
        db.session, notifications_query(current_user.id, query.unread), [Notification.id],
        query.limit, query.cursor, key=lambda n: [n.id], converters=[int],
    )
    base = current_app.config["ACHATS_BASE_URL"]
    return {
        "items": [serialize(n, base) for n in items],
        "next_cursor": cursor,
        "unread_count": unread_count(db.session, current_user.id),
    }


@api.operation("/notifications/read", "POST", "Marquer des notifications comme lues",
               body=ReadBody, response=ReadResult)
def read_notifications(body: ReadBody) -> dict[str, Any]:
    marked = mark_read(db.session, current_user, ids=body.ids, all_=body.all)
    db.session.commit()
    return {"marked": marked, "unread_count": unread_count(db.session, current_user.id)}
