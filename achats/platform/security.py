"""Roles, the require() guard, HTML sanitising, safe redirects and the security headers (CSP)."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable, MutableMapping
from functools import lru_cache, partial, wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter
from flask import Flask, Response, abort, g, request
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])


class Role(enum.StrEnum):
    MEMBER = "member"
    EXPERT = "expert"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self.value]

    @property
    def label(self) -> str:
        return {
            "member": "Membre",
            "expert": "Expert",
            "moderator": "Modérateur",
            "admin": "Administrateur",
        }[self.value]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_ROLE_RANK = {"member": 0, "expert": 1, "moderator": 2, "admin": 3}


def has_role(user: Any, role: Role) -> bool:
    """True when `user` is signed in, active and holds `role` or a higher one."""
    # Asked several times per post on a thread page: plain dict lookups, no enum construction.
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and _ROLE_RANK.get(str(user.role), -1) >= _ROLE_RANK[role.value]
    )


def require(check: Role | Callable[[Any], bool]) -> Callable[[F], F]:
    """Guard a view: anonymous callers are sent to log in (401 in the API), others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from achats.platform.extensions import login_manager

                if request.path.startswith("/api/"):
                    abort(401)
                return login_manager.unauthorized()
            allowed = has_role(current_user, check) if isinstance(check, Role) else check(current_user)
            if not allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]  # wraps() keeps the view's signature; mypy cannot tell

    return decorator


# --- HTML sanitising --------------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
        "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "span", "mark", "details",
        "summary", "aside", "cite",
    }
)
# Features add attributes of their own on these tags (Feature.html_attributes: a quote's
# data-post-id, a mention's data-user); never event handlers, styles or classes.
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {
    "a": ["href", "title", "rel"],
    "img": ["src", "alt", "title", "width", "height", "loading"],
    "th": ["align", "scope"],
    "td": ["align"],
    "ol": ["start"],
    "code": [],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_FORBIDDEN_ATTRIBUTES = ("on", "style", "class", "src", "href", "srcset", "formaction")


def _link_rel(attrs: MutableMapping[Any, str], new: bool = False) -> MutableMapping[Any, str]:
    attrs[(None, "rel")] = "nofollow ugc noopener noreferrer"
    return attrs


def build_cleaner(extra_attributes: dict[str, set[str]] | None = None) -> bleach.sanitizer.Cleaner:
    """The sanitiser with the features' extra attributes (only `data-*` ones are accepted)."""
    attributes = {tag: list(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    for tag, names in (extra_attributes or {}).items():
        if tag not in ALLOWED_TAGS:
            raise ValueError(f"balise non autorisée : {tag}")
        for name in sorted(names):
            if not name.startswith("data-") or name.startswith(_FORBIDDEN_ATTRIBUTES):
                raise ValueError(f"attribut non autorisé : {name}")
            attributes.setdefault(tag, []).append(name)
    return bleach.sanitizer.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=attributes,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[partial(LinkifyFilter, callbacks=[_link_rel], skip_tags={"pre", "code"}, parse_email=False)],
    )


def sanitize_html(html: str) -> str:
    """The only place user HTML is cleaned (bleach today; swappable behind this function).

    Inside an app, its features' extra attributes are kept; outside, only the base allowlist."""
    from flask import current_app, has_app_context

    cleaner = None
    if has_app_context():
        cleaner = current_app.extensions["achats"].state.get("html_cleaner")
    if cleaner is None:
        cleaner = _base_cleaner()
    return cleaner.clean(html)


@lru_cache(maxsize=1)
def _base_cleaner() -> bleach.sanitizer.Cleaner:
    return build_cleaner()


# --- redirects --------------------------------------------------------------------------------


def safe_next(target: str | None, default: str = "/") -> str:
    """Accept only a local path as a post-login destination (no scheme, host or `//`)."""
    if not target:
        return default
    target = target.strip()
    if any(ch in target for ch in "\\\r\n\t") or not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# --- headers ----------------------------------------------------------------------------------


def csp_nonce() -> str:
    nonce = getattr(g, "csp_nonce", None)
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


# Every response of the process carries these, including what Flask does not answer itself
# (Socket.IO's long-polling and handshake answers); Flask's own responses set stricter ones first.
BASELINE_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


class BaselineHeaders:
    """WSGI middleware around the whole app (Socket.IO's included): adds BASELINE_HEADERS to any
    response that lacks them."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers.extend((name, value) for name, value in BASELINE_HEADERS if name.lower() not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def init_security(app: Flask) -> None:
    """The app's sanitiser (with its features' attributes) and the headers of every response."""
    registry = app.extensions["achats"]
    registry.state["html_cleaner"] = build_cleaner(registry.html_attributes)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    # Outside Socket.IO's middleware (installed by socketio.init_app before this runs).
    app.wsgi_app = BaselineHeaders(app.wsgi_app)  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        nonce = csp_nonce()
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS"):
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        private = getattr(g, "private_response", False) or (
            current_user and getattr(current_user, "is_authenticated", False)
        )
        if private and "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        return response
