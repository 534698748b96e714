"""The search page, /recherche: the header's search box lands here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from achats.auth.models import User
from achats.forums.models import Category, Tag, TagFacet
from achats.platform import search as search_index
from achats.platform.cache import fragment_for, memo
from achats.platform.extensions import db, limiter
from achats.platform.pagination import Pager
from achats.platform.search import COUNT_CAP, SearchKind
from achats.platform.security import require
from achats.search.params import SearchFilters, rate_limit_key, search_rate_limit

bp = Blueprint("search", __name__)

PER_PAGE = 20
# French values in the page's URLs; the index speaks English.
TYPES = {"sujets": SearchKind.THREAD, "messages": SearchKind.POST, "documents": SearchKind.DOCUMENT,
         "evenements": SearchKind.EVENT}
SOLVED = {"oui": True, "non": False}


def _parse_date(raw: str, label: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{label} : date invalide, attendue au format AAAA-MM-JJ.")
        return None


def _filters(categories: list[Any], errors: list[str]) -> tuple[SearchFilters, dict[str, str]]:
    """Read the query string; unknown values are ignored or reported in French, never a 500."""
    args = request.args
    raw = {
        "q": (args.get("q") or "").strip()[:200],
        "type": args.get("type", ""),
        "categorie": args.get("categorie", ""),
        "tag": (args.get("tag") or "").strip()[:60],
        "auteur": args.get("auteur", ""),
        "resolu": args.get("resolu", ""),
        "du": args.get("du", ""),
        "au": args.get("au", ""),
    }
    filters = SearchFilters(q=raw["q"])
    if raw["type"] in TYPES:
        filters.types = [TYPES[raw["type"]].value]
    else:
        raw["type"] = ""
    by_slug = {c.slug: c for c in categories}
    if raw["categorie"] in by_slug:
        filters.category_id = by_slug[raw["categorie"]].id
    else:
        raw["categorie"] = ""
    filters.tag = raw["tag"] or None
    if raw["auteur"].isdigit():
        filters.author_id = int(raw["auteur"])
    else:
        raw["auteur"] = ""
    filters.solved = SOLVED.get(raw["resolu"])
    if filters.solved is None:
        raw["resolu"] = ""
    filters.date_from = _parse_date(raw["du"], "Du", errors)
    filters.date_to = _parse_date(raw["au"], "Au", errors)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append("La date de début doit précéder la date de fin.")
        filters.date_from = filters.date_to = None
    return filters, raw


def _filter_choices() -> tuple[list[Any], list[Any]]:
    categories = [_Choice(*r) for r in db.session.execute(
        select(Category.id, Category.slug, Category.name).order_by(Category.position, Category.name))]
    tags = [_TagChoice(*r) for r in db.session.execute(
        select(Tag.slug, Tag.name, Tag.facet).order_by(Tag.facet, Tag.position, Tag.name))]
    return categories, tags


@dataclass(frozen=True)
class _Choice:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class _TagChoice:
    slug: str
    name: str
    facet: str


@bp.get("/recherche")
@require(lambda user: True)  # every signed-in account reads, pending ones included
@limiter.limit(search_rate_limit, key_func=rate_limit_key)
def search_page() -> Any:
    # The filters' choices: plain rows, kept in the derived cache until the content changes.
    categories, tags = memo("content", "search_filter_choices", _filter_choices)
    errors: list[str] = []
    filters, raw = _filters(list(categories), errors)
    page_number = request.args.get("page", "1")
    page_number = int(page_number) if page_number.isdigit() and 0 < int(page_number) <= COUNT_CAP // PER_PAGE else 1

    key = ("search-page", tuple(sorted(raw.items())), tuple(errors), page_number)
    body = fragment_for("content", key, lambda: _render_body(filters, raw, errors, page_number, categories, tags),
                        ttl=current_app.config.get("ACHATS_SEARCH_CACHE_SECONDS", 0))
    return render_template("search/search_page.html", body=body, q=filters.q, page_number=page_number)


def _render_body(filters: SearchFilters, raw: dict[str, str], errors: list[str], page_number: int,
                 categories: list[Any], tags: list[Any]) -> str:
    results = search_index.search(db.session, filters.q, limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE,
                                  **filters.search_kwargs())
    author_ids = {h.author_id for h in results.hits if h.author_id}
    if filters.author_id:
        author_ids.add(filters.author_id)
    authors = {u.id: u for u in db.session.execute(
        select(User.id, User.name, User.status).where(User.id.in_(author_ids)))} if author_ids else {}
    author = authors.get(filters.author_id) if filters.author_id else None

    tag_groups: dict[str, list[Any]] = {}
    for tag in tags:
        try:
            group = TagFacet(tag.facet).label
        except ValueError:
            group = "Autres"
        tag_groups.setdefault(group, []).append(tag)

    pagination_args = {k: v for k, v in raw.items() if v}
    return render_template(
        "search/_body.html",
        q=filters.q, raw=raw, errors=errors, results=results,
        page=Pager(page=page_number, pages=max(1, math.ceil(min(results.total, COUNT_CAP) / PER_PAGE)),
                   per_page=PER_PAGE),
        pagination_args=pagination_args, categories=categories,
        filters_active=any(v for k, v in raw.items() if k != "q"),
        without_author={k: v for k, v in pagination_args.items() if k != "auteur"},
        category_names={c.id: c.name for c in categories}, tag_groups=tag_groups,
        authors=authors, author=author,
        types=TYPES, kinds=SearchKind,
    )
