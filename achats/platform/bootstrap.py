"""Application assembly: settings, extensions, the shell's hooks and the feature registry."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, jsonify, render_template
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from achats.platform.config import ConfigError, load_settings
from achats.platform.extensions import csrf, db, limiter, login_manager, migrate, socketio
from achats.platform.features import DeclarationError, Feature, Registry, registry

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


def configure(app: Flask, overrides: dict[str, Any]) -> None:
    from achats.platform.requests import CleanRequest

    app.request_class = CleanRequest  # no NUL in what the client sends (see platform/requests.py)
    try:
        settings = load_settings(Path(app.instance_path))
    except ConfigError as exc:
        # Fail fast with the variable's name rather than a traceback deep in an extension.
        print(f"Configuration invalide : {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    app.config.update(settings.flask_config())
    # Per-feature rate limits can be raised for a benchmark (e.g. "100000 per minute").
    if os.environ.get("ACHATS_SEARCH_RATE_LIMIT"):
        app.config["ACHATS_SEARCH_RATE_LIMIT"] = os.environ["ACHATS_SEARCH_RATE_LIMIT"]
    app.config.update(overrides)
    app.extensions["achats_settings"] = settings
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def async_mode() -> str:
    """gevent when the server monkey-patched the process (achats serve), else threads."""
    try:
        from gevent import monkey

        if monkey.is_module_patched("socket"):
            return "gevent"
    except ImportError:
        pass
    return "threading"


def platform_parts() -> list[Feature]:
    """The shell's own parts, declared like features (they come first in every app)."""
    from achats.platform.mail import mail_part
    from achats.platform.moderation.api import moderation_part
    from achats.platform.notifications import notifications_part
    from achats.platform.tags import taxonomy_part
    from achats.platform.tasks import diagnostics_part

    return [taxonomy_part(), notifications_part(), moderation_part(), mail_part(), diagnostics_part()]


def assemble(app: Flask, features: list[Feature]) -> None:
    """The shell, then each feature's declaration, in order; the registry is kept on the app."""
    parts = platform_parts()
    reg = Registry.build(features, platform=parts)
    if reg.identity is None:
        raise DeclarationError("Aucune fonctionnalité ne fournit l'identité des comptes (auth).")
    app.extensions["achats"] = reg
    init_platform(app)
    from achats.platform.api import init_api

    everything = (*parts, *reg.features)
    for feature in everything:
        for bp in feature.blueprints:
            app.register_blueprint(bp)
        for command in feature.cli_commands:
            app.cli.add_command(command)
    init_api(app, [bp for feature in everything for bp in feature.api_blueprints])
    for feature in everything:
        if feature.init_app is not None:
            feature.init_app(app)


def init_platform(app: Flask) -> None:
    # Every platform model, so that metadata (and Alembic) know their tables.
    from achats.platform import (
        errors,
        realtime,
        security,
        tasks,
        templating,
    )
    from achats.platform.moderation import audit  # noqa: F401
    from achats.platform.moderation import models as moderation_models  # noqa: F401
    from achats.platform.notifications import models  # noqa: F401
    from achats.platform.search import models as search_models  # noqa: F401

    if app.config.get("ACHATS_PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["ACHATS_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app

    # Before any blueprint adds its rules: every <int:...> in the app uses the bounded converter.
    app.url_map.converters["int"] = DatabaseIdConverter

    db.init_app(app)
    from achats.platform import cache
    from achats.platform.db import install_commit_hooks, keep_prepared_statements

    with app.app_context():
        install_commit_hooks(db.session)
        keep_prepared_statements(db.engine)
        cache.install(app, db.session)
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    _init_login(app)
    csrf.init_app(app)
    # The limiter is one global object and Flask-Limiter keeps some settings from an earlier
    # init_app (the key prefix, `enabled`, a dead-storage flag): this app's config must decide.
    # One app per process in production; tests build one per test and need their own prefix.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    for attribute, value in (("_key_prefix", None), ("_storage_dead", False)):
        if hasattr(limiter, attribute):
            setattr(limiter, attribute, value)
    limiter.init_app(app)

    workers = int(app.config.get("ACHATS_WORKERS", 1) or 1)
    socket_options: dict[str, Any] = {
        "async_mode": app.config.get("ACHATS_ASYNC_MODE") or async_mode(),
        "message_queue": app.config.get("ACHATS_REDIS_URL"),
        "max_http_buffer_size": 1_000_000,
        "ping_interval": 25,
        "ping_timeout": 20,
        "logger": False,
        "engineio_logger": False,
    }
    # Several processes without sticky sessions: WebSocket only, no long-polling.
    socket_options["transports"] = ["websocket"] if workers > 1 else None
    if socket_options["message_queue"]:
        from achats.platform.realtime import redis_manager_class

        # Told when a publish is lost, to make this process's pages re-fetch (see realtime.py).
        socket_options["client_manager"] = redis_manager_class()(socket_options["message_queue"],
                                                                 channel="flask-socketio", write_only=False)
    else:
        # Explicitly none: Flask-SocketIO keeps its options between init_app() calls, so an
        # earlier app's Redis manager would otherwise carry over to this one.
        socket_options["client_manager"] = None
    socketio.init_app(app, **socket_options)

    security.init_security(app)
    errors.init_errors(app)
    templating.init_templating(app)
    realtime.init_realtime(app)
    tasks.init_tasks(app)

    from achats.platform import cli

    cli.init_cli(app)
    app.register_blueprint(_shell_blueprint())

    @app.before_request
    def _fresh_request_globals() -> None:
        # Each request starts from a clean `g` even when an outer application context is kept
        # (tests hold one): nothing cached, such as the signed-in user, leaks between requests.
        from flask import g

        for key in ("_login_user", "api_token_user", "unread_notifications", "csp_nonce", "private_response",
                    "csrf_token"):
            g.pop(key, None)


def _init_login(app: Flask) -> None:
    """Flask-Login asks the identity the app's features provide (one LoginManager per process:
    its callbacks read the current app's registry)."""
    login_manager.init_app(app)
    identity = registry(app).identity
    assert identity is not None
    login_manager.login_view = identity.login_endpoint
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)


def _load_user(user_id: str) -> Any:
    identity = registry().identity
    return identity.load_user(user_id) if identity is not None else None


def _load_user_from_request(_request: Any) -> Any:
    from flask import g

    from achats.platform.api import bearer_token

    secret = bearer_token()
    identity = registry().identity
    if secret is None or identity is None:
        return None
    user = identity.user_for_token(secret)
    if user is not None:
        g.api_token_user = user
    return user


class DatabaseIdConverter(IntegerConverter):
    """`<int:id>` matching only 0 to 2**31 - 1, the INTEGER range: a larger id is an unknown page.

    Bounded in the pattern, not after matching: PostgreSQL raises "integer out of range" and
    SQLite OverflowError on larger values (a 500), and Werkzeug answers 405 instead of 404 when
    a converter rejects a value its pattern matched.
    """

    regex = (
        r"(?:\d{1,9}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}|21474[0-7]\d{4}"
        r"|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
    )


def _sqlite_pragmas(engine: Any) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _shell_blueprint() -> Blueprint:
    bp = Blueprint("platform", __name__)

    @bp.get("/healthz")
    def healthz() -> Any:
        status = {"status": "ok", "database": "ok", "realtime": "single-process"}
        code = 200
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - reported, not raised
            db.session.rollback()
            status["status"] = "degraded"
            status["database"] = "unavailable"
            code = 503
        redis_url = app_config("ACHATS_REDIS_URL")
        if redis_url:
            status["realtime"] = "ok" if _redis_ok(redis_url) else "degraded"
        response = jsonify(status)
        response.status_code = code
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.get("/api/v1/openapi.json")
    def openapi() -> Any:
        from flask import current_app

        from achats.platform.openapi import build_openapi

        doc = current_app.extensions.get("achats_openapi")
        if doc is None:
            doc = current_app.extensions["achats_openapi"] = build_openapi(current_app)
        return jsonify(doc)

    @bp.get("/api/v1/docs")
    def api_docs() -> str:
        return render_template("platform/api_docs.html")

    @bp.get("/")
    def home() -> str:
        return render_template("platform/home.html", blocks=_home_blocks())

    for slug, title in PAGES.items():
        bp.add_url_rule(f"/{slug}", f"page_{slug.replace('-', '_')}", _static_page(slug, title))

    @bp.get("/robots.txt")
    def robots() -> Any:
        from flask import Response

        return Response("User-agent: *\nDisallow: /api/\nDisallow: /compte/\n", mimetype="text/plain")

    @bp.get("/favicon.ico")
    def favicon() -> Any:
        from flask import redirect, url_for

        return redirect(url_for("static", filename="img/logo.svg"))

    return bp


PAGES = {
    "accessibilite": "Déclaration d'accessibilité",
    "mentions-legales": "Mentions légales",
    "confidentialite": "Données personnelles et confidentialité",
    "a-propos": "À propos",
    "charte": "Charte de participation",
}


def _static_page(slug: str, title: str) -> Any:
    def view() -> str:
        return render_template(f"platform/page_{slug.replace('-', '_')}.html", title=title)

    view.__name__ = f"page_{slug}"
    return view


def _home_blocks() -> list[Any]:
    """The home page's sections from the features (each rendered from its own template)."""
    from markupsafe import Markup

    blocks = []
    for block in registry().home_blocks:
        context = block.context()
        if context is not None:
            blocks.append(Markup(render_template(block.template, **context)))  # noqa: S704 - a rendered template
    return blocks


def app_config(key: str) -> Any:
    from flask import current_app

    return current_app.config.get(key)


def _redis_ok(url: str) -> bool:
    state = registry().state
    try:
        import redis

        client = state.get("health_redis")
        if client is None:
            client = state["health_redis"] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False
