"""Achats: the exchange platform for the public buyers of Bourgogne-Franche-Comté."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing Flask here would defeat `achats serve`'s early gevent patching
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: settings, extensions, the platform shell, then each feature."""
    from flask import Flask

    from achats.platform import bootstrap

    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=instance_path or str(root / "instance"),
        instance_relative_config=True,
    )
    bootstrap.configure(app, overrides or {})
    bootstrap.init_platform(app)

    # The explicit list of features: each exports its blueprints only.
    from achats import auth, forums, search
    from achats.platform import notifications
    from achats.platform.moderation.api import api as moderation_api
    from achats.platform.notifications.api import api as notifications_api

    bootstrap.register_features(
        app,
        blueprints=[auth.bp, notifications.bp, *forums.blueprints, search.bp],
        api_blueprints=[auth.api, notifications_api, moderation_api, *forums.api_blueprints, search.api],
    )
    return app
