"""The forum API under /api/v1: categories, threads, posts, revisions, answers, flags, watch, desk figures."""

from achats.forums.api import desk, posts, threads  # noqa: F401  (registers the operations)
from achats.forums.api.blueprint import api, domain_errors
from achats.forums.api.schemas import author_out, post_payload, thread_payload, thread_url

__all__ = ["api", "author_out", "domain_errors", "post_payload", "thread_payload", "thread_url"]
