"""Jinja filters and globals: French dates, numbers, permissions for templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal
from flask import Flask

from achats.platform import dates
from achats.platform.features import registry
from achats.platform.security import Role, has_role
from achats.platform.taxonomy import DEPARTEMENTS_BFC, ORGANISATION_KIND_LABELS, THEMES


def _number(value: Any) -> str:
    if isinstance(value, int) and -10_000_000 < value < 10_000_000:
        return _french_int(value)
    return format_decimal(value or 0, locale="fr_FR")


@lru_cache(maxsize=10_000)
def _french_int(value: int) -> str:
    return format_decimal(value, locale="fr_FR")


# An id no row has, to find where the id goes in a route's URL (url_for_id).
_PROBE_ID = 918_273_645
_G_URL_SHAPES = "achats_url_shapes"
_G_PROFILE_ENDPOINT = "achats_profile_endpoint"


def url_for_id(endpoint: str, name: str, value: int) -> str:
    """url_for(endpoint, **{name: value}) for an integer id, built once per request and endpoint:
    a list page links 30 threads and 30 profiles, and url_for costs as much as the rest of a row.
    The URL is built for a probe id and split where the id goes; anything unusual (the probe's
    digits elsewhere in the URL, a value that is not an int) is left to url_for."""
    from flask import g, url_for

    values: dict[str, Any] = {name: value}
    if type(value) is not int:
        return url_for(endpoint, **values)
    shapes = g.setdefault(_G_URL_SHAPES, {})
    shape = shapes.get((endpoint, name))
    if shape is None:
        probe = url_for(endpoint, **{**values, name: _PROBE_ID})
        parts = probe.split(str(_PROBE_ID))
        shape = shapes[(endpoint, name)] = (parts[0], parts[1]) if len(parts) == 2 else ()
    if not shape:
        return url_for(endpoint, **values)
    return f"{shape[0]}{value}{shape[1]}"


def profile_url(user_id: int) -> str:
    """A member's profile page (the identity feature's endpoint), as url_for_id builds it."""
    from flask import g

    endpoint = g.get(_G_PROFILE_ENDPOINT)
    if endpoint is None:
        identity = registry().identity
        endpoint = identity.profile_endpoint if identity is not None else ""
        setattr(g, _G_PROFILE_ENDPOINT, endpoint)
    return url_for_id(endpoint, "user_id", user_id)


_URL_MEMO_MAX = 20_000


def memo_url_for(app: Flask) -> Callable[..., str]:
    """The templates' url_for, remembering the URLs it built: a page builds the same few dozen
    links (the menu, the footer, each row's) on every request, and Werkzeug's builder costs ~20 µs
    a link. Only plain relative URLs (values of str, int or None) are kept, per script root; the
    app has no URL defaults or build-error handlers that would make a URL vary otherwise. The
    memo is bounded (emptied when full: URLs carrying search words must not grow it without end)."""
    from flask import has_request_context, request

    built: dict[tuple[Any, ...], str] = {}
    build = app.url_for

    def url_for(endpoint: str, **values: Any) -> str:
        if endpoint[:1] == "." or not has_request_context() or any(
                k[0] == "_" or not (v is None or type(v) is str or type(v) is int) for k, v in values.items()):
            return build(endpoint, **values)  # blueprint-relative, outside a request (e-mails), or not plain
        key = (request.script_root, endpoint, *sorted(values.items(), key=lambda item: item[0]))
        found = built.get(key)
        if found is None:
            found = build(endpoint, **values)
            if len(built) >= _URL_MEMO_MAX:
                built.clear()
            built[key] = found
        return found

    return url_for


def permission(name: str) -> Any:
    """Templates ask the same predicates as the server: `can('edit_post', user, post)`."""
    return registry().permissions[name]


def can(name: str, *args: Any) -> bool:
    return bool(permission(name)(*args))


def nav_links(menu: str = "main") -> list[dict[str, Any]]:
    """The menu's links the current reader may follow: label, url, whether it is the current page."""
    from flask import request, url_for
    from flask_login import current_user

    links = []
    for link in registry().nav_links:
        if link.menu != menu or not link.visible(current_user):
            continue
        url = url_for(link.endpoint)
        current = request.endpoint == link.endpoint or bool(link.path_prefix and request.path.startswith(link.path_prefix))
        links.append({"label": link.label, "url": url, "current": current})
    return links


class Shell:
    """What the page shell (base.html) needs from the features, by role rather than by name."""

    @property
    def identity(self) -> Any:
        return registry().identity

    @property
    def site_search_endpoint(self) -> str | None:
        return registry().site_search_endpoint

    def has(self, feature: str) -> bool:
        return registry().has_feature(feature)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        datetime_fr=dates.french_datetime,
        date_fr=dates.french_date,
        date_short=dates.short_date,
        relative=dates.relative,
        machine=dates.machine,
        number=_number,
        time_fr=dates.french_time,
        filesize=dates.human_size,
    )
    app.jinja_env.globals.update(
        url_for=memo_url_for(app),
        can=can,
        url_for_id=url_for_id,
        profile_url=profile_url,
        nav_links=nav_links,
        shell=Shell(),
        Role=Role,
        has_role=has_role,
        THEMES=THEMES,
        DEPARTEMENTS=DEPARTEMENTS_BFC,
        ORGANISATION_KINDS=ORGANISATION_KIND_LABELS,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
