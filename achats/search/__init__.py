"""Search pages: /recherche for people, GET /api/v1/search for programs, `achats reindex`."""

from achats.search.api import api
from achats.search.setup import bp

__all__ = ["api", "bp"]
