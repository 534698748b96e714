"""Achats: the exchange platform for the public buyers of Bourgogne-Franche-Comté."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing Flask here would defeat `achats serve`'s early gevent patching
    from flask import Flask

    from achats.platform.features import Feature


def default_features() -> list[Feature]:
    """The product's features, in order: each one's declaration (see achats/<feature>/feature.py)."""
    from achats.auth.feature import feature as auth
    from achats.documents.feature import feature as documents
    from achats.events.feature import feature as events
    from achats.forums.feature import feature as forums
    from achats.search.feature import feature as search

    # The library before the forums: the demo threads link to documents that must exist by then;
    # the events after the library: last year's slides become library documents.
    return [auth(), documents(), events(), forums(), search()]


def create_app(overrides: dict[str, Any] | None = None, instance_path: str | None = None,
               features: Sequence[Feature] | None = None) -> Flask:
    """Build the application: settings, the platform shell, then the explicit list of features."""
    from flask import Flask

    from achats.platform import bootstrap

    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=instance_path or str(root / "instance"),
        instance_relative_config=True,
    )
    bootstrap.configure(app, overrides or {})
    bootstrap.assemble(app, list(features) if features is not None else default_features())
    return app
