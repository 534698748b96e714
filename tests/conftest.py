"""Fixtures: a fresh app and database per test (SQLite, or PostgreSQL when configured), a real
SMTP server, logged-in clients, Socket.IO clients and factories."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

PG_URL = os.environ.get("ACHATS_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("ACHATS_REDIS_URL") or os.environ.get("ACHATS_TEST_REDIS_URL")
DEFAULT_PASSWORD = "cheval agrafe batterie correcte"
_HASH_CACHE: dict[str, str] = {}


def password_hash(password: str = DEFAULT_PASSWORD) -> str:
    if password not in _HASH_CACHE:
        from achats.auth.passwords import hash_password

        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


def seed_demo() -> list[str]:
    """`achats seed-demo` in the current app: every declared seeder, in order; what they printed."""
    from achats.platform.features import registry

    return [line for seeder in registry().demo_seeders for line in seeder.seed()]


def pytest_report_header(config: Any) -> list[str]:
    lines = [f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (set ACHATS_TEST_DATABASE_URL for PostgreSQL)'}"]
    lines.append(f"redis: {REDIS_URL or 'none (single process)'}")
    return lines


# --- SMTP -------------------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[Message]:
        from email.utils import parseaddr

        with self.lock:
            return [m for m in self.messages if parseaddr(str(m["To"]))[1].lower() == address.lower()]

    def last(self, address: str) -> Message:
        found = self.wait_for(address)
        return found[-1]

    def wait_for(self, address: str, count: int = 1, timeout: float = 5) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"no mail for {address} (got {[m['To'] for m in self.messages]})")


def body_of(message: Message) -> str:
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode()
    return message.get_payload(decode=True).decode()


def link_in(message: Message, contains: str) -> str:
    import re

    for url in re.findall(r"https?://\S+", body_of(message)):
        if contains in url:
            return url
    raise AssertionError(f"no link containing {contains!r} in mail")


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[str, Mailbox]]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with mailbox.lock:
                mailbox.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[str, Mailbox]) -> Mailbox:
    smtp_server[1].clear()
    return smtp_server[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- databases --------------------------------------------------------------------------------


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    from achats import create_app

    env = {"ACHATS_DATABASE_URL": url, "ACHATS_SECRET_KEY": "t" * 40, "ACHATS_ENV": "testing"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        app = create_app(instance_path=str(instance))
        with app.app_context():
            upgrade(revision="heads")
            from achats.platform.extensions import db

            db.engine.dispose()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[dict[str, Any]]:
    """Migrate once per test session: a template SQLite file, or a fresh PostgreSQL database."""
    instance = tmp_path_factory.mktemp("instance-template")
    if PG_URL:
        parts = urlsplit(PG_URL.replace("postgresql+psycopg://", "postgresql://"))
        name = f"achats_test_{worker_id}_{os.getpid()}_{secrets.token_hex(3)}"
        admin = create_engine(urlunsplit(parts._replace(scheme="postgresql+psycopg")), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = urlunsplit(parts._replace(scheme="postgresql+psycopg", path="/" + name))
        _migrate(url, instance)
        yield {"kind": "postgresql", "url": url}
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = instance / "template.db"
        _migrate(f"sqlite:///{path}", instance)
        yield {"kind": "sqlite", "path": path}


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


_engines: dict[str, Any] = {}


def _truncate_all(url: str) -> None:
    from achats.platform.extensions import db

    # DELETE, children first: on the handful of rows a test writes it is much faster than
    # TRUNCATE, which rewrites every table's files (~10 ms a table) whether or not it has rows.
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = create_engine(url, poolclass=NullPool)
    serial = [t.name for t in db.metadata.sorted_tables
              if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement in (True, "auto")]
    with engine.begin() as conn:
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        # Ids start again at 1, as after TRUNCATE … RESTART IDENTITY (some tests name id 1).
        conn.execute(text("SELECT " + ", ".join(
            f"setval(pg_get_serial_sequence('\"{t}\"', 'id'), 1, false)" for t in serial)))


# --- the app ----------------------------------------------------------------------------------


@pytest.fixture
def app_factory(
    database_template: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    smtp_server: tuple[str, Mailbox],
) -> Iterator[Callable[..., Any]]:
    from achats import create_app

    if database_template["kind"] == "sqlite":
        db_path = tmp_path / "achats.db"
        shutil.copy(database_template["path"], db_path)
        url = f"sqlite:///{db_path}"
    else:
        url = database_template["url"]
        _truncate_all(url)
    monkeypatch.setenv("ACHATS_DATABASE_URL", url)
    monkeypatch.setenv("ACHATS_SECRET_KEY", secrets.token_urlsafe(40))
    monkeypatch.setenv("ACHATS_ENV", "testing")
    monkeypatch.setenv("ACHATS_SMTP_URL", smtp_server[0])
    monkeypatch.setenv("ACHATS_BASE_URL", "http://localhost")
    monkeypatch.delenv("ACHATS_REDIS_URL", raising=False)
    created: list[Any] = []

    def factory(redis: bool = False, features: Any = None, **overrides: Any) -> Any:
        if redis:
            if not REDIS_URL:
                pytest.skip("needs ACHATS_REDIS_URL")
            monkeypatch.setenv("ACHATS_REDIS_URL", REDIS_URL)
        config = {
            "TESTING": True,
            "RATELIMIT_KEY_PREFIX": "achats-test-" + secrets.token_hex(6),
            "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://",
            "SERVER_NAME": "localhost",
        }
        config.update(overrides)
        app = create_app(config, instance_path=str(tmp_path / "instance"), features=features)
        created.append(app)
        return app

    yield factory
    from achats.platform.extensions import db

    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory: Callable[..., Any]) -> Iterator[Any]:
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def db(app: Any) -> Any:
    from achats.platform.extensions import db as _db

    return _db


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def csrf_token_from(client: Any) -> str:
    """A valid CSRF token for this client's session."""
    import re

    html = client.get("/").get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


@pytest.fixture
def csrf(client: Any) -> Callable[[], str]:
    return lambda: csrf_token_from(client)


@pytest.fixture
def login(client: Any) -> Callable[[Any], Any]:
    """Sign `user` in on the shared test client (through the session, as Flask-Login does)."""

    def do(user: Any, target: Any = None) -> Any:
        c = target or client
        with c.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return c

    return do


# --- factories --------------------------------------------------------------------------------


@pytest.fixture
def make_organisation(db: Any) -> Callable[..., Any]:
    from achats.auth.models import Organisation
    from achats.platform.taxonomy import OrganisationKind

    counter = {"n": 0}

    def make(name: str | None = None, kind: str = "commune", siret: str | None = None, **kw: Any) -> Any:
        counter["n"] += 1
        org = Organisation(name=name or f"Commune test {counter['n']}", kind=OrganisationKind(kind), siret=siret,
                           departement=kw.pop("departement", "21"), verified=kw.pop("verified", True), **kw)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(db: Any, make_organisation: Callable[..., Any]) -> Callable[..., Any]:
    from achats.auth.models import AccountStatus, User, UserTheme
    from achats.platform.db import utcnow
    from achats.platform.security import Role

    counter = {"n": 0}

    def make(role: str = "member", status: str = "active", name: str | None = None, email: str | None = None,
             password: str = DEFAULT_PASSWORD, themes: tuple[str, ...] = (), organisation: Any = None) -> Any:
        counter["n"] += 1
        n = counter["n"]
        user = User(
            name=name or f"Utilisateur {n}", handle=f"utilisateur{n}", email=(email or f"user{n}@commune-test.fr").lower(), role=Role(role),
            status=AccountStatus(status), password_hash=password_hash(password),
            organisation=organisation or make_organisation(),
            email_confirmed_at=None if status == "unconfirmed" else utcnow(),
            approved_at=utcnow() if status == "active" else None,
        )
        user.theme_rows = [UserTheme(theme=t) for t in themes]
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_token(db: Any) -> Callable[[Any], str]:
    def make(user: Any, name: str = "test") -> str:
        from achats.auth.services import create_api_token

        _, secret = create_api_token(db.session, user, name)
        db.session.commit()
        return secret

    return make


@pytest.fixture
def api(client: Any, make_token: Callable[[Any], str]) -> Callable[[Any], Any]:
    """A bearer-authenticated JSON client for `user`."""

    class ApiClient:
        def __init__(self, token: str | None) -> None:
            self.headers = {"Authorization": f"Bearer {token}"} if token else {}

        def request(self, method: str, path: str, **kw: Any) -> Any:
            headers = {**self.headers, **kw.pop("headers", {})}
            return client.open("/api/v1" + path, method=method, headers=headers, **kw)

        def get(self, path: str, **kw: Any) -> Any:
            return self.request("GET", path, **kw)

        def post(self, path: str, **kw: Any) -> Any:
            return self.request("POST", path, **kw)

        def patch(self, path: str, **kw: Any) -> Any:
            return self.request("PATCH", path, **kw)

        def put(self, path: str, **kw: Any) -> Any:
            return self.request("PUT", path, **kw)

        def delete(self, path: str, **kw: Any) -> Any:
            return self.request("DELETE", path, **kw)

    return lambda user: ApiClient(make_token(user) if user is not None else None)


@pytest.fixture
def socket_client(app: Any) -> Callable[..., Any]:
    """A Socket.IO test client: socket_client(flask_client=...) or socket_client(auth={...})."""
    from achats.platform.extensions import socketio

    clients: list[Any] = []

    def make(flask_client: Any = None, auth: dict[str, Any] | None = None) -> Any:
        c = socketio.test_client(app, flask_test_client=flask_client, auth=auth)
        clients.append(c)
        return c

    yield make
    for c in clients:
        if c.is_connected():
            c.disconnect()


def received(sock: Any, name: str) -> list[Any]:
    return [m["args"][0] if m["args"] else None for m in sock.get_received() if m["name"] == name]
