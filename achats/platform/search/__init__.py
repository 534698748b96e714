"""Full-text search owned by the platform: any feature indexes its objects, one query finds them.

Features declare their entry types (Feature.search_types, with a reindexer for `achats
reindex`) and write entries from their own subscriptions to their domain events, in the
caller's transaction (flushed, never committed). index.py says how each database stores the
text, query.py how it searches (accents, French word forms, ranking, audiences), audience.py who
an entry is for, text.py how snippets are cut and highlighted.
"""

from __future__ import annotations

from achats.platform.search.audience import (
    ANONYMOUS,
    MEMBER,
    MEMBERS,
    MODERATORS,
    OWNER,
    PUBLIC,
    Reader,
    reader_of,
    role_audience,
)
from achats.platform.search.index import (
    UnknownSearchType,
    entry_for,
    entry_row,
    facet_tokens,
    index_entries,
    index_entry,
    reindex,
    reindexable_types,
    remove_container,
    remove_entry,
    update_container,
)
from achats.platform.search.models import SearchEntry
from achats.platform.search.query import (
    COUNT_CAP,
    RANK_WINDOW,
    FacetCounts,
    Hit,
    SearchResults,
    count_facet_tokens,
    effective_reader,
    facet_counts,
    matching_facets,
    matching_ids,
    search,
)
from achats.platform.search.text import fold, html_to_text, plain_text

__all__ = [
    "ANONYMOUS",
    "COUNT_CAP",
    "MEMBER",
    "MEMBERS",
    "MODERATORS",
    "OWNER",
    "PUBLIC",
    "RANK_WINDOW",
    "FacetCounts",
    "Hit",
    "Reader",
    "SearchEntry",
    "SearchResults",
    "UnknownSearchType",
    "count_facet_tokens",
    "effective_reader",
    "entry_for",
    "entry_row",
    "facet_counts",
    "facet_tokens",
    "fold",
    "html_to_text",
    "index_entries",
    "index_entry",
    "matching_facets",
    "matching_ids",
    "plain_text",
    "reader_of",
    "reindex",
    "reindexable_types",
    "remove_container",
    "remove_entry",
    "role_audience",
    "search",
    "update_container",
]
