"""The library's rules: sharing, review, reading, use. They take the actor explicitly, flush and
never commit, and raise DocumentError (or UploadRefused for a file)."""

from achats.documents.services import reviewing
from achats.documents.services.errors import Conflict, DocumentError, InvalidInput, NotAllowed
from achats.documents.services.metadata import DocumentInput
from achats.documents.services.reading import (
    PER_PAGE,
    SORTS,
    LibraryFilters,
    citations_of,
    clean_filters,
    facets,
    get_by_slug,
    get_document,
    get_version,
    library_query,
    listed,
    matches,
    my_documents,
    page_of,
    pending_versions,
    ranked_hits,
    reuse_figures,
    reuses_of,
    total_from_facets,
    versions_for,
)
from achats.documents.services.uploading import add_version, create_document, update_document
from achats.documents.services.using import add_reuse, record_download, visitor_key

__all__ = [
    "PER_PAGE", "SORTS", "Conflict", "DocumentError", "DocumentInput", "InvalidInput", "LibraryFilters", "NotAllowed",
    "add_reuse", "add_version", "citations_of", "clean_filters", "create_document", "facets", "get_by_slug",
    "get_document", "get_version", "library_query", "listed", "matches", "my_documents", "page_of", "total_from_facets", "ranked_hits", "pending_versions", "record_download",
    "reuse_figures", "reuses_of", "reviewing", "update_document", "versions_for", "visitor_key",
]
