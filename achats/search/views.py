"""The search page, /recherche: the header's search box lands here.

Its types and filters come from the features' declarations (search types, search filters); the
tag filter uses the platform's taxonomy. Results are what the engine lets the reader see."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from achats.platform import search as search_index
from achats.platform.cache import fragment_for, memo
from achats.platform.extensions import db, limiter
from achats.platform.features import FacetChoice, SearchFilter, SearchType, registry
from achats.platform.ids import parse_id, parse_int
from achats.platform.pagination import Pager
from achats.platform.search import COUNT_CAP, effective_reader
from achats.platform.security import require
from achats.platform.tags import Tag, TagFacet
from achats.search.params import SearchFilters, rate_limit_key, search_rate_limit

bp = Blueprint("search", __name__)

PER_PAGE = 20


@dataclass(frozen=True)
class Options:
    """A select's options, escaped once with the choices (kept in the derived cache): a search
    marks the selected one instead of rendering every option through Jinja (150 with the tags)."""

    groups: tuple[tuple[str | None, tuple[tuple[str, str, str], ...]], ...]  # label, (value, start, end)

    @classmethod
    def of(cls, groups: Iterable[tuple[str | None, Iterable[tuple[str, str]]]]) -> Options:
        """`groups`: (optgroup label or None, (value, label)…)…"""
        return cls(tuple((label, tuple((value, f'<option value="{escape(value)}"', f">{escape(text)}</option>")
                                       for value, text in items)) for label, items in groups))

    def render(self, selected: str) -> Markup:
        parts: list[str] = []
        for label, items in self.groups:
            if label is not None:
                parts.append(f'<optgroup label="{escape(label)}">')
            parts += (start + (" selected" if value == selected else "") + end for value, start, end in items)
            if label is not None:
                parts.append("</optgroup>")
        return Markup("".join(parts))  # noqa: S704 - values and labels escaped in Options.of


@dataclass(frozen=True)
class FilterChoices:
    """A declared filter and its choices, as plain data (kept in the derived cache)."""

    spec: SearchFilter
    choices: tuple[FacetChoice, ...]
    options: Options
    tokens: Mapping[str, FacetChoice]  # by index token: what each hit carries

    @classmethod
    def of(cls, spec: SearchFilter, choices: Iterable[FacetChoice]) -> FilterChoices:
        choices = tuple(choices)
        return cls(spec, choices, Options.of([(None, ((c.value, c.label) for c in choices))]),
                   {c.token: c for c in reversed(choices)})

    def by_value(self, value: str) -> FacetChoice | None:
        return next((c for c in self.choices if c.value == value), None)

    def by_token(self, token: str | None) -> FacetChoice | None:
        return self.tokens.get(token) if token is not None else None


def _parse_date(raw: str, label: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{label} : date invalide, attendue au format AAAA-MM-JJ.")
        return None


def _types() -> dict[str, SearchType]:
    """The declared types by their French URL value (?type=sujets)."""
    return {t.url_value: t for t in registry().search_types.values()}


def _filters(declared: list[FilterChoices], errors: list[str]) -> tuple[SearchFilters, dict[str, str]]:
    """Read the query string; unknown values are ignored or reported in French, never a 500."""
    args = request.args
    raw = {
        "q": (args.get("q") or "").strip()[:200],
        "type": args.get("type", ""),
        "tag": (args.get("tag") or "").strip()[:60],
        "auteur": args.get("auteur", ""),
        "du": args.get("du", ""),
        "au": args.get("au", ""),
    }
    filters = SearchFilters(q=raw["q"])
    types = _types()
    if raw["type"] in types:
        filters.types = [types[raw["type"]].name]
    else:
        raw["type"] = ""
    for f in declared:
        value = args.get(f.spec.param, "")
        choice = f.by_value(value)
        raw[f.spec.param] = choice.value if choice is not None else ""
        if choice is not None:
            filters.facets[f.spec.facet] = choice.token
    if raw["tag"]:
        filters.facets["tag"] = raw["tag"]
    author = parse_id(raw["auteur"])
    if author is not None:
        filters.author_id = author
    else:
        raw["auteur"] = ""
    filters.date_from = _parse_date(raw["du"], "Du", errors)
    filters.date_to = _parse_date(raw["au"], "Au", errors)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append("La date de début doit précéder la date de fin.")
        filters.date_from = filters.date_to = None
    return filters, raw


def _filter_choices() -> tuple[list[FilterChoices], Options]:
    """The declared filters and the tags, with their options (the tags grouped by facet)."""
    declared = [FilterChoices.of(f, f.choices(db.session)) for f in registry().search_filters]
    tag_groups: dict[str, list[tuple[str, str]]] = {}
    for slug, name, facet in db.session.execute(
            select(Tag.slug, Tag.name, Tag.facet).order_by(Tag.facet, Tag.position, Tag.name)):
        try:
            group = TagFacet(facet).label
        except ValueError:
            group = "Autres"
        tag_groups.setdefault(group, []).append((slug, name))
    return declared, Options.of(tag_groups.items())


@bp.get("/recherche")
@require(lambda user: True)  # every signed-in account reads, pending ones included
@limiter.limit(search_rate_limit, key_func=rate_limit_key)
def search_page() -> Any:
    # The filters' choices: plain rows, kept in the derived cache until the content changes.
    declared, tag_options = memo("content", "search_filter_choices", _filter_choices)
    errors: list[str] = []
    filters, raw = _filters(declared, errors)
    page_number = parse_int(request.args.get("page"), minimum=1, maximum=COUNT_CAP // PER_PAGE) or 1
    # The body is the same for every reader who may see the same entries.
    reader = effective_reader(db.session, current_user)
    key = ("search-page", tuple(sorted(raw.items())), tuple(errors), page_number, reader)
    body = fragment_for("content", key, lambda: _render_body(filters, raw, errors, page_number, declared, tag_options),
                        ttl=current_app.config.get("ACHATS_SEARCH_CACHE_SECONDS", 0))
    return render_template("search/search_page.html", body=body, q=filters.q, page_number=page_number)


def _render_body(filters: SearchFilters, raw: dict[str, str], errors: list[str], page_number: int,
                 declared: list[FilterChoices], tag_options: Options) -> str:
    results = search_index.search(db.session, filters.q, viewer=current_user, limit=PER_PAGE,
                                  offset=(page_number - 1) * PER_PAGE, **filters.search_kwargs())
    identity = registry().identity
    author_ids = sorted({h.owner_id for h in results.hits if h.owner_id} | (
        {filters.author_id} if filters.author_id else set()))
    authors = dict(identity.display_names(author_ids)) if identity is not None and author_ids else {}
    author = authors.get(filters.author_id) if filters.author_id else None

    def describe(hit: Any) -> tuple[list[str], list[str]]:
        """What the declared filters say of a hit: plain texts ("dans Guichet vert") and badges."""
        texts: list[str] = []
        badges: list[str] = []
        for f in declared:
            choice = f.by_token(hit.facet(f.spec.facet))
            if choice is None:
                continue
            if choice.hit_badge:
                badges.append(choice.hit_badge)
            elif f.spec.hit_format:
                texts.append(f.spec.hit_format.format(label=choice.label))
        return texts, badges

    pagination_args = {k: v for k, v in raw.items() if v}
    return render_template(
        "search/_body.html",
        q=filters.q, raw=raw, errors=errors, results=results,
        page=Pager(page=page_number, pages=max(1, math.ceil(min(results.total, COUNT_CAP) / PER_PAGE)),
                   per_page=PER_PAGE),
        pagination_args=pagination_args, declared=declared, describe=describe,
        filters_active=any(v for k, v in raw.items() if k != "q"),
        without_author={k: v for k, v in pagination_args.items() if k != "auteur"},
        tag_options=tag_options, authors=authors, author=author, types=_types(),
        type_labels={t.name: t.label for t in registry().search_types.values()},
    )
