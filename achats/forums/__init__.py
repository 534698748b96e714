"""Forums: categories, threads, posts, questions and answers, the Guichet vert desk."""

from achats.forums import models as _models  # noqa: F401  (tables known to metadata and Alembic)
from achats.forums.setup import api as _api
from achats.forums.ui_setup import bp as _pages

blueprints: list = [_pages]
api_blueprints: list = [_api]
