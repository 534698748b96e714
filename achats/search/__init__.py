"""Search pages: /recherche for people, GET /api/v1/search for programs, `achats reindex`.

The feature's declaration is `achats.search.feature.feature()`."""
