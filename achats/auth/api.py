"""GET /me, the caller's API tokens, and the account side of moderation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import current_user
from pydantic import BaseModel, Field

from achats.auth import services
from achats.auth.models import ApiToken, User
from achats.platform.api import ApiBlueprint, ApiError, StrictBody
from achats.platform.extensions import db

api = ApiBlueprint("auth_api", __name__, tag="Comptes")


class OrganisationOut(BaseModel):
    id: int
    name: str
    kind: str
    siret: str | None
    departement: str | None


class MeOut(BaseModel):
    id: int
    name: str
    email: str | None
    role: str
    status: str
    organisation: OrganisationOut | None
    themes: list[str]


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class TokenList(BaseModel):
    items: list[TokenOut]
    next_cursor: str | None = None


class TokenCreated(BaseModel):
    id: int
    name: str
    token: str


class TokenBody(StrictBody):
    name: str = Field(min_length=1, max_length=80)


def me_payload(user: User) -> dict[str, Any]:
    org = user.organisation
    return {
        "id": user.id, "name": user.name, "email": user.email, "role": str(user.role), "status": str(user.status),
        "organisation": None if org is None else {
            "id": org.id, "name": org.name, "kind": str(org.kind), "siret": org.siret, "departement": org.departement,
        },
        "themes": user.themes,
    }


@api.operation("/me", "GET", "Le compte appelant", response=MeOut)
def get_me() -> dict[str, Any]:
    return me_payload(current_user)


def _token_payload(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
            "last_used_at": t.last_used_at}


@api.operation("/tokens", "GET", "Mes jetons d'API actifs", response=TokenList)
def list_tokens() -> dict[str, Any]:
    tokens = db.session.scalars(services.user_tokens_query(current_user).order_by(ApiToken.id)).all()
    return {"items": [_token_payload(t) for t in tokens], "next_cursor": None}


@api.operation("/tokens", "POST", "Créer un jeton d'API (le secret n'est montré qu'une fois)",
               body=TokenBody, response=TokenCreated, status=201)
def create_token(body: TokenBody) -> dict[str, Any]:
    user = db.session.get(User, current_user.id)
    if user is None:
        raise ApiError(401, "Connectez-vous ou fournissez un jeton d'API.")
    try:
        token, secret = services.create_api_token(db.session, user, body.name)
    except services.AccountError as exc:
        raise ApiError(422, str(exc), errors={"name": [str(exc)]}) from None
    db.session.commit()
    return {"id": token.id, "name": token.name, "token": secret}


@api.operation("/tokens/<int:token_id>", "DELETE", "Révoquer un jeton d'API", status=204)
def delete_token(token_id: int) -> None:
    if services.revoke_api_token(db.session, current_user, token_id) is None:
        raise ApiError(404, "Jeton introuvable.")
    db.session.commit()
