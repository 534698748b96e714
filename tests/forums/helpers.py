"""Forum fixtures shared by the tests/forums/test_*.py modules (imported with `from … import *`)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

__all__ = ["forum", "make_thread", "make_post", "count_queries"]


@pytest.fixture
def forum(db: Any) -> SimpleNamespace:
    """Three categories (one is the desk) and a few tags of each facet."""
    from achats.forums.models import Category
    from achats.platform.tags import Tag, TagFacet

    general = Category(slug="vie-du-reseau", name="Vie du réseau", description="Échanges entre acheteurs.",
                       position=2)
    desk = Category(slug="guichet-vert", name="Guichet vert", description="Le guichet vert.", position=1,
                    is_desk=True)
    energy = Category(slug="energie-et-batiment", name="Énergie et bâtiment", description="Énergie.", position=3)
    tags = [
        Tag(slug="alimentation-egalim", name="Alimentation durable et EGalim", facet=TagFacet.THEME, position=1),
        Tag(slug="numerique-responsable", name="Numérique responsable", facet=TagFacet.THEME, position=2),
        Tag(slug="fournitures", name="Fournitures", facet=TagFacet.FAMILLE, position=1),
        Tag(slug="travaux", name="Travaux", facet=TagFacet.FAMILLE, position=2),
        Tag(slug="mapa", name="MAPA", facet=TagFacet.PROCEDURE, position=1),
        Tag(slug="cpv-45", name="45 — Travaux de construction", facet=TagFacet.CPV, position=45),
    ]
    db.session.add_all([general, desk, energy, *tags])
    db.session.commit()
    return SimpleNamespace(general=general, desk=desk, energy=energy, tags={t.slug: t for t in tags})


@pytest.fixture
def make_thread(db: Any, forum: SimpleNamespace, make_user: Callable[..., Any]) -> Callable[..., Any]:
    from achats.forums import services

    counter = {"n": 0}

    def make(author: Any = None, *, category: Any = None, title: str | None = None, body: str = "Bonjour à tous, une question.",
             kind: str = "discussion", tags: tuple[str, ...] = ()) -> Any:
        counter["n"] += 1
        thread = services.create_thread(
            db.session, author or make_user(), category=category or forum.general,
            title=title or f"Sujet de test numéro {counter['n']}", body=body, kind=kind, tags=list(tags),
        )
        db.session.commit()
        return thread

    return make


@pytest.fixture
def make_post(db: Any) -> Callable[..., Any]:
    from achats.forums import services

    def make(author: Any, thread: Any, body: str = "Une réponse utile.", reply_to: Any = None, **kw: Any) -> Any:
        post = services.create_post(db.session, author, thread, body=body, reply_to=reply_to, **kw)
        db.session.commit()
        return post

    return make


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db: Any) -> Callable[[], Any]:
    """`with count_queries() as c: ...` then `c.count` is the number of SQL statements run."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting() -> Any:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
