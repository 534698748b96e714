"""Forums: categories, threads, posts, questions and answers (issue #3)."""

blueprints: list = []
api_blueprints: list = []
