"""Search fixtures: index entries directly, as the forum services do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest


@pytest.fixture
def index(db: Any) -> Callable[..., dict[str, Any]]:
    """index(kind="post", title=…, body=…, **fields) → the arguments used; committed."""
    from achats.platform.search import index_entry

    ids = count(1)

    def make(kind: str = "post", *, title: str = "Sujet", body: str = "", commit: bool = True,
             **fields: Any) -> dict[str, Any]:
        object_id = fields.pop("object_id", None) or next(ids) + 1000
        args = {
            "kind": kind, "object_id": object_id, "title": title, "body": body,
            "url": fields.pop("url", f"http://localhost/forums/sujets/{fields.get('thread_id') or object_id}"),
            "created_at": fields.pop("created_at", datetime(2026, 3, 10, 10, 0, tzinfo=UTC)),
            **fields,
        }
        index_entry(db.session, **args)
        if commit:
            db.session.commit()
        return args

    return make


@pytest.fixture
def find(db: Any) -> Callable[..., list[tuple[str, int]]]:
    """find(q, **filters) → [(kind, object_id)] in rank order."""
    from achats.platform.search import search

    def run(q: str, **kw: Any) -> list[tuple[str, int]]:
        return [(h.kind, h.object_id) for h in search(db.session, q, **kw).hits]

    return run
