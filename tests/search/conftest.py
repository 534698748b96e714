"""Search fixtures: index entries directly, as the features' subscriptions do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest

from achats.platform.search import MEMBER, MEMBERS, MODERATORS


@pytest.fixture(autouse=True)
def _more_types(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search tests index documents and events too: declared on this app only."""
    from achats.platform.features import SearchType, registry

    types = registry(app).search_types
    monkeypatch.setitem(types, "document", SearchType("document", "Document", "Documents", "documents"))
    monkeypatch.setitem(types, "event", SearchType("event", "Événement", "Événements", "evenements"))


@pytest.fixture
def index(db: Any) -> Callable[..., dict[str, Any]]:
    """index(kind="post", title=…, body=…, thread=…, facets=…, hidden=…, **fields) → the arguments
    used; committed. `thread=N` puts the entry in thread N; `hidden=True` gives it the moderators'
    audience, `thread_hidden=True` its container's."""
    from achats.platform.search import index_entry

    ids = count(1)

    def make(kind: str = "post", *, title: str = "Sujet", body: str = "", commit: bool = True,
             thread: int | None = None, hidden: bool = False, thread_hidden: bool = False,
             **fields: Any) -> dict[str, Any]:
        object_id = fields.pop("object_id", None) or next(ids) + 1000
        args = {
            "kind": kind, "object_id": object_id, "title": title, "body": body,
            "url": fields.pop("url", f"http://localhost/forums/sujets/{thread or object_id}"),
            "created_at": fields.pop("created_at", datetime(2026, 3, 10, 10, 0, tzinfo=UTC)),
            "container": ("thread", thread) if thread is not None else None,
            "audience": MODERATORS if hidden else MEMBERS,
            "container_audience": MODERATORS if thread_hidden else MEMBERS,
            **fields,
        }
        index_entry(db.session, **args)
        if commit:
            db.session.commit()
        return args

    return make


@pytest.fixture
def find(db: Any) -> Callable[..., list[tuple[str, int]]]:
    """find(q, **filters) → [(kind, object_id)] in rank order, for a member (viewer= to change)."""
    from achats.platform.search import search

    def run(q: str, **kw: Any) -> list[tuple[str, int]]:
        kw.setdefault("viewer", MEMBER)
        return [(h.kind, h.object_id) for h in search(db.session, q, **kw).hits]

    return run
