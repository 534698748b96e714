"""The search index's first module name, kept for code written against it (bench/dataset.py):
everything lives in index.py (writing) and query.py (searching); import from
`achats.platform.search` instead."""

from achats.platform.search.index import (  # noqa: F401
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
from achats.platform.search.query import COUNT_CAP, RANK_WINDOW, Hit, SearchResults, search  # noqa: F401
