"""The forum's HTML pages (blueprint "forums"); the JSON API lives in achats/forums/api.py."""

from achats.forums.views import actions, reading, writing  # noqa: F401  (routes attach to bp)
from achats.forums.views.blueprint import bp

__all__ = ["bp"]
