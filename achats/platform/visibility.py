"""Content moderators can hide, and the one helper every list, page, feed and search filters with."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Mapped, mapped_column

from achats.platform.security import Role, has_role

S = TypeVar("S", bound=Select[Any])


class Hideable:
    """A row a moderator can hide: hidden rows exist only for those who may see hidden content.

    A model overrides `visibility_clause` when more decides who sees a row (a document's review
    status, its audience); callers only ever use `visible_to`."""

    hidden: Mapped[bool] = mapped_column(default=False)

    @classmethod
    def sees_hidden(cls, viewer: Any) -> bool:
        # The agency's moderators see hidden content everywhere (to restore it).
        return has_role(viewer, Role.MODERATOR)

    @classmethod
    def visibility_clause(cls, viewer: Any, *, sees_hidden: bool | None = None) -> ColumnElement[bool] | None:
        """The rows `viewer` may see, as a WHERE clause (None: every row)."""
        if sees_hidden is None:
            sees_hidden = cls.sees_hidden(viewer)
        return None if sees_hidden else cls.hidden.is_(False)


def visible_to(stmt: S, model: type[Hideable], viewer: Any, *, sees_hidden: bool | None = None) -> S:
    """`stmt` restricted to the rows of `model` that `viewer` may see. `sees_hidden` overrides the
    model's own rule when the caller knows more (a category moderator in their category)."""
    clause = model.visibility_clause(viewer, sees_hidden=sees_hidden)
    return stmt if clause is None else stmt.where(clause)
