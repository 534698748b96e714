"""Full-text search owned by the platform: any feature indexes its objects, one query finds them.

Features call `index_entry` / `remove_entry` / `update_thread_fields` from their services (in
the caller's transaction: flushed, never committed) and register a reindexer for
`achats reindex`. index.py says how each database stores the text, query.py how it searches
(accents, French word forms, ranking), text.py how snippets are cut and highlighted.
"""

from __future__ import annotations

from achats.platform.search.index import (
    entry_for,
    entry_row,
    index_entries,
    index_entry,
    register_reindexer,
    registered_reindexers,
    reindex,
    remove_entry,
    update_thread_fields,
)
from achats.platform.search.models import SearchEntry, SearchKind
from achats.platform.search.query import COUNT_CAP, RANK_WINDOW, Hit, SearchResults, search
from achats.platform.search.text import fold, html_to_text, plain_text

__all__ = [
    "COUNT_CAP",
    "RANK_WINDOW",
    "Hit",
    "SearchEntry",
    "SearchKind",
    "SearchResults",
    "entry_for",
    "entry_row",
    "fold",
    "html_to_text",
    "index_entries",
    "index_entry",
    "plain_text",
    "register_reindexer",
    "registered_reindexers",
    "reindex",
    "remove_entry",
    "search",
    "update_thread_fields",
]
