"""Browser fixtures: a real server (HTTP and Socket.IO over WebSocket) on a fresh, migrated and
seeded database, Debian's Chromium through Playwright, logged-in pages and an axe-core check.

Every test under tests/browser is marked `browser`: `make test-browser` runs them, `make test`
does not. Nothing here downloads a browser: Chromium comes from /usr/bin/chromium.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Mailbox, free_port

CHROMIUM = os.environ.get("ACHATS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_JS = Path(__file__).resolve().parents[2] / "achats" / "static" / "vendor" / "axe.min.js"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    app: Any
    mailbox: Mailbox
    instance: Path
    _server: Any = field(repr=False, default=None)

    def user(self, email: str) -> Any:
        """The account with that address (a fresh read, in the live app)."""
        from sqlalchemy import select

        from achats.auth.models import User
        from achats.platform.extensions import db

        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.email == email.lower()))
            db.session.expunge_all()
            return user


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[str, Mailbox]) -> Iterator[LiveServer]:
    """The application served by Werkzeug's threaded server with WebSockets (simple-websocket),
    on a fresh SQLite database migrated to heads and loaded with the demo seed; mail goes to the
    session's SMTP mailbox."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    instance = tmp_path_factory.mktemp("live-instance")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "ACHATS_DATABASE_URL": f"sqlite:///{instance / 'live.db'}",
        "ACHATS_SECRET_KEY": secrets.token_urlsafe(40),
        "ACHATS_ENV": "testing",
        "ACHATS_SMTP_URL": smtp_server[0],
        "ACHATS_BASE_URL": url,
        "ACHATS_REDIS_URL": "",  # one process: no message queue, in-memory rate limits
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        from achats import create_app

        app = create_app({
            "ACHATS_ASYNC_MODE": "threading",
            # Every browser test signs in from 127.0.0.1: per-IP limits would trip across tests.
            "RATELIMIT_ENABLED": False,
        }, instance_path=str(instance))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    with app.app_context():
        upgrade(revision="heads")
        from tests.conftest import seed_demo

        seed_demo()
        from achats.platform.extensions import db

        db.session.remove()

    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 - local
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    live = LiveServer(url=url, app=app, mailbox=smtp_server[1], instance=instance, _server=server)
    yield live
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def demo_credentials(who: str) -> tuple[str, str]:
    """'admin', 'moderator', 'expert', 'member' (a demo account of that role) or a demo e-mail."""
    from achats.auth.demo import ACCOUNTS, DEMO_PASSWORDS, PENDING

    for email, _name, role, *_ in ACCOUNTS:
        if who in (email, role.value):
            return email, DEMO_PASSWORDS[role]
    for email, *_ in PENDING:
        if who == email:
            from achats.platform.security import Role

            return email, DEMO_PASSWORDS[Role.MEMBER]
    raise KeyError(f"no demo account for {who!r}")


def log_in(page: Any, email: str, password: str) -> None:
    """Through the real login form, as a person would."""
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/compte/connexion" not in url)


@pytest.fixture
def new_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """new_page(user=None, password=None, **context_options): a page in its own browser context
    (its own cookies), optionally signed in through the login form. `user` is a demo role
    ("admin", "moderator", "expert", "member"), a demo e-mail, or any e-mail with `password`.
    The page records JavaScript errors in `page.js_errors`."""
    contexts: list[Any] = []

    def make(user: str | None = None, password: str | None = None, **options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        if user is not None:
            email, secret = (user, password) if password is not None else demo_credentials(user)
            log_in(page, email, secret)
        return page

    yield make
    for context in contexts:
        context.close()


SERIOUS = ("serious", "critical")


def axe(page: Any, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """Run axe-core on the page; the violations of the given impacts, with the offending nodes.

    The script is loaded as a same-origin <script src> (allowed by the CSP's 'self'), so the
    page's real Content-Security-Policy stays in force during the check.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe.min.js")
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"] if v["impact"] in impacts
    ]


@pytest.fixture(name="axe")
def axe_fixture() -> Callable[..., list[dict[str, Any]]]:
    assert AXE_JS.exists(), "achats/static/vendor/axe.min.js is built by `make assets`"
    return axe
