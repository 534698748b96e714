"""What the search feature brings: the search page, GET /api/v1/search and `achats reindex`."""

from __future__ import annotations

from achats.platform.features import Feature


def feature() -> Feature:
    from achats.search.api import api
    from achats.search.cli import reindex_command
    from achats.search.views import bp

    return Feature(
        name="search",
        blueprints=[bp],
        api_blueprints=[api],
        cli_commands=[reindex_command],
        site_search_endpoint="search.search_page",
    )
