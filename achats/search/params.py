"""Search filters read from a request, shared by the page and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask_login import current_user

SEARCH_LIMIT = "60 per minute"


def search_rate_limit() -> str:
    """The search rate limit (ACHATS_SEARCH_RATE_LIMIT in the app config overrides it, e.g. for a benchmark)."""
    return str(current_app.config.get("ACHATS_SEARCH_RATE_LIMIT") or SEARCH_LIMIT)


def rate_limit_key() -> str:
    # Per account when signed in: colleagues behind one public-sector proxy share an address.
    from flask_limiter.util import get_remote_address

    if current_user.is_authenticated:
        return f"search-user:{current_user.id}"
    return f"search-ip:{get_remote_address()}"


@dataclass
class SearchFilters:
    q: str = ""
    types: list[str] = field(default_factory=list)
    facets: dict[str, str] = field(default_factory=dict)
    author_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def search_kwargs(self) -> dict[str, Any]:
        return {
            "types": self.types or None, "facets": self.facets or None, "owner_id": self.author_id,
            "date_from": self.date_from, "date_to": self.date_to,
        }
