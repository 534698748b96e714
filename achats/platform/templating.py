"""Jinja filters and globals: French dates, numbers, permissions for templates."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal
from flask import Flask, current_app

from achats.platform import dates
from achats.platform.security import Role, has_role
from achats.platform.taxonomy import DEPARTEMENTS_BFC, ORGANISATION_KIND_LABELS, THEMES


def _number(value: Any) -> str:
    if isinstance(value, int) and -10_000_000 < value < 10_000_000:
        return _french_int(value)
    return format_decimal(value or 0, locale="fr_FR")


@lru_cache(maxsize=10_000)
def _french_int(value: int) -> str:
    return format_decimal(value, locale="fr_FR")


def permission(name: str) -> Any:
    """Templates ask the same predicates as the server: `can('edit_post', user, post)`."""
    return current_app.extensions["achats_permissions"][name]


def can(name: str, *args: Any) -> bool:
    return bool(permission(name)(*args))


def register_permissions(app: Flask, predicates: dict[str, Any]) -> None:
    app.extensions.setdefault("achats_permissions", {}).update(predicates)


def init_templating(app: Flask) -> None:
    app.extensions.setdefault("achats_permissions", {})
    app.jinja_env.filters.update(
        datetime_fr=dates.french_datetime,
        date_fr=dates.french_date,
        date_short=dates.short_date,
        relative=dates.relative,
        machine=dates.machine,
        number=_number,
        time_fr=dates.french_time,
    )
    app.jinja_env.globals.update(
        can=can,
        Role=Role,
        has_role=has_role,
        THEMES=THEMES,
        DEPARTEMENTS=DEPARTEMENTS_BFC,
        ORGANISATION_KINDS=ORGANISATION_KIND_LABELS,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
