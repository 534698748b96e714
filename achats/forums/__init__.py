"""Forums: categories, threads, posts, questions and answers, the Guichet vert desk."""

from achats.forums import models as _models  # noqa: F401  (tables known to metadata and Alembic)

blueprints: list = []
api_blueprints: list = []
