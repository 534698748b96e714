"""GET /api/v1/search: ranked hits with highlighted snippets, filters, offset cursor."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from flask import current_app, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, model_validator

from achats.platform import search as search_index
from achats.platform.api import (
    ApiBlueprint,
    ApiError,
    ListQuery,
    decode_cursor,
    encode_cursor,
)
from achats.platform.extensions import db, limiter
from achats.platform.features import registry
from achats.platform.ids import MAX_ID
from achats.search.params import rate_limit_key, search_rate_limit

api = ApiBlueprint("search_api", __name__, tag="Recherche")

# The types of API.md; an app accepts those its features declare.
Kind = Literal["thread", "post", "document", "event"]


class SearchQuery(ListQuery):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)

    q: str = Field(default="", max_length=200, description="Texte libre : les mots sont cherchés sans accents ni syntaxe.")
    type: list[Kind] = Field(default_factory=list, description="Un ou plusieurs types (répéter le paramètre).")
    category: int | None = Field(default=None, ge=1, le=MAX_ID, description="Identifiant de catégorie.")
    tag: str | None = Field(default=None, max_length=60, description="Slug d'étiquette.")
    author: int | None = Field(default=None, ge=1, le=MAX_ID, description="Identifiant de l'auteur.")
    solved: bool | None = None
    from_: date | datetime | None = Field(default=None, alias="from", description="Date de début (incluse).")
    to: date | datetime | None = Field(default=None, description="Date de fin (incluse pour une date).")

    @model_validator(mode="after")
    def _range(self) -> SearchQuery:
        if self.from_ is not None and self.to is not None and _as_date(self.from_) > _as_date(self.to):
            raise ValueError("La date de début doit précéder la date de fin.")
        return self


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


class SearchItem(BaseModel):
    type: str
    id: int
    title: str
    url: str
    snippet: str = Field(description="Extrait HTML échappé, les mots trouvés entre <mark>.")
    score: float
    created_at: datetime
    thread_id: int | None
    container: dict[str, Any] | None = Field(default=None, description="Le conteneur : {type, id} (sujet, événement…).")
    page: int | None = Field(default=None, description="Pour un fichier : la page où se trouve l'extrait.")


class SearchPage(BaseModel):
    items: list[SearchItem]
    next_cursor: str | None
    total: int = Field(description="Nombre de résultats, plafonné (voir total_capped).")
    total_capped: bool = Field(description="Vrai quand il y a plus de `total` résultats.")


def _absolute(url: str) -> str:
    """Features may index site-relative paths; API clients get absolute URLs."""
    if url.startswith("/") and not url.startswith("//"):
        return str(current_app.config.get("ACHATS_BASE_URL") or "").rstrip("/") + url
    return url


def _facets(query: SearchQuery) -> dict[str, str]:
    """The declared filters' values: the typed ones of the query (category, solved), any other a
    feature declares read as given; plus the taxonomy's tag."""
    facets: dict[str, str] = {}
    typed = {"category": query.category, "solved": query.solved}
    for spec in registry().search_filters:
        value: Any = typed.get(spec.api_param) if spec.api_param in typed else request.args.get(spec.api_param)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "1" if value else "0"
        facets[spec.facet] = str(value)[:60]
    if query.tag:
        facets["tag"] = query.tag
    return facets


def _offset(cursor: str | None) -> int:
    values = decode_cursor(cursor, 1)
    if values is None:
        return 0
    offset = values[0]
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise ApiError(400, "Curseur de pagination invalide.", errors={"cursor": ["Curseur invalide."]})
    return offset


@api.operation(
    "/search", "GET", "Rechercher dans les sujets, messages, documents et événements",
    query=SearchQuery, response=SearchPage, errors=(400, 401, 429),
    description="Recherche plein texte en français, insensible aux accents ; sans `q`, la liste est vide.",
)
@limiter.limit(search_rate_limit, key_func=rate_limit_key)
def search(query: SearchQuery) -> dict[str, Any]:
    offset = _offset(query.cursor)
    declared = registry().search_types
    unknown = [t for t in query.type if t not in declared]
    if unknown:
        raise ApiError(400, "Type de contenu inconnu.", errors={"type": [f"Types acceptés : {', '.join(declared)}."]})
    results = search_index.search(
        db.session, query.q, viewer=current_user, types=query.type or None, facets=_facets(query),
        owner_id=query.author, date_from=query.from_, date_to=query.to, limit=query.limit, offset=offset,
    )
    items = [
        {"type": h.kind, "id": h.object_id, "title": h.title, "url": _absolute(h.url), "snippet": str(h.snippet_html),
         "score": h.score, "created_at": h.created_at,
         "thread_id": h.container_id if h.container_type == "thread" else None,
         "container": {"type": h.container_type, "id": h.container_id} if h.container_type else None,
         "page": h.page}
        for h in results.hits
    ]
    next_cursor = encode_cursor([offset + len(items)]) if results.has_more else None
    return SearchPage.model_validate(
        {"items": items, "next_cursor": next_cursor, "total": results.total, "total_capped": results.capped}
    ).model_dump(mode="json")
