"""Wires the search feature into the platform when its blueprint is registered."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState

from achats.search.views import bp


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    from achats.search.cli import reindex_command

    state.app.cli.add_command(reindex_command)
