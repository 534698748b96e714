"""Settings read from ACHATS_* environment variables; bad values stop start-up with a clear message."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """A setting has a value the application cannot run with."""


_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no")


def _int(name: str, raw: str, minimum: int = 0, maximum: int | None = None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected an integer") from None
    if value < minimum or (maximum is not None and value > maximum):
        raise ConfigError(f"{name}={raw!r}: expected a value between {minimum} and {maximum}")
    return value


def _url(name: str, raw: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(raw)
    scheme = parts.scheme.split("+")[0]
    if scheme not in schemes:
        raise ConfigError(f"{name}={raw!r}: the scheme must be one of {', '.join(schemes)}")
    return raw


@dataclass(frozen=True)
class Settings:
    """The environment, parsed once; `flask_config()` turns it into Flask settings."""

    instance_path: Path
    env: str
    database_url: str
    redis_url: str | None
    secret_key: str
    smtp_url: str | None
    upload_dir: Path
    base_url: str
    require_approval: bool
    proxy_hops: int
    trusted_hosts: tuple[str, ...]
    mail_from: str
    max_upload_mb: int
    workers: int
    search_cache_seconds: int
    tasks_db: Path
    # Off: every derived value and fragment is computed on each use (to measure the pages as
    # they are right after a change; never needed in production).
    derived_cache: bool = True

    @property
    def production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict[str, Any]:
        secure = self.production or self.base_url.startswith("https://")
        return {
            "ACHATS_ENV": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self.database_url),
            "SQLALCHEMY_TRACK_MODIFICATIONS": False,
            "ACHATS_REDIS_URL": self.redis_url,
            "ACHATS_SMTP_URL": self.smtp_url,
            "ACHATS_UPLOAD_DIR": str(self.upload_dir),
            "ACHATS_BASE_URL": self.base_url.rstrip("/"),
            "ACHATS_REQUIRE_APPROVAL": self.require_approval,
            "ACHATS_PROXY_HOPS": self.proxy_hops,
            "ACHATS_MAIL_FROM": self.mail_from,
            "ACHATS_OUTBOX_DIR": str(self.instance_path / "outbox"),
            "TRUSTED_HOSTS": list(self.trusted_hosts) or None,
            "MAX_CONTENT_LENGTH": self.max_upload_mb * 1024 * 1024,
            "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
            # A form with hundreds of parts is an attack on the parser, not a person's upload.
            "MAX_FORM_PARTS": 200,
            "SESSION_COOKIE_NAME": "achats_session",
            "SESSION_COOKIE_SECURE": secure,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
            # Re-sending the cookie on every response let a background fetch overwrite the
            # cookie of a concurrent form redirect (losing its flash message).
            "SESSION_REFRESH_EACH_REQUEST": False,
            "REMEMBER_COOKIE_NAME": "achats_remember",
            "REMEMBER_COOKIE_DURATION": timedelta(days=30),
            "REMEMBER_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_REFRESH_EACH_REQUEST": False,
            "WTF_CSRF_TIME_LIMIT": None,
            # WTForms' bundled French messages (Form.Meta.locales), without Flask-Babel.
            "WTF_I18N_ENABLED": False,
            "WTF_CSRF_SSL_STRICT": secure,
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
            # Two counters per key (the current and previous window, weighted) instead of a list
            # of timestamps per key: less work in Redis for the same protection.
            "RATELIMIT_STRATEGY": "sliding-window-counter",
            "RATELIMIT_KEY_PREFIX": "achats",
            "RATELIMIT_SWALLOW_ERRORS": True,
            # Redis down: keep serving, and keep limiting in memory meanwhile.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": bool(self.redis_url),
            "RATELIMIT_STORAGE_OPTIONS": (
                {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if self.redis_url else {}
            ),
            "PREFERRED_URL_SCHEME": "https" if secure else "http",
            "HSTS": self.production,
            "ACHATS_WORKERS": self.workers,
            "ACHATS_SEARCH_CACHE_SECONDS": self.search_cache_seconds,
            "ACHATS_DERIVED_CACHE": self.derived_cache,
            # Tests run tasks in the process that enqueues them (Huey's immediate mode).
            "ACHATS_TASKS_IMMEDIATE": self.env == "testing",
            "ACHATS_TASKS_DB": str(self.tasks_db),
        }


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # A busy timeout lets concurrent writers wait instead of failing with "database is locked".
        return {"connect_args": {"timeout": 15}}
    # pre_ping makes the pool survive a PostgreSQL restart without manual action.
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20, "pool_recycle": 1800}


def _secret_key(instance_path: Path, environ: dict[str, str]) -> str:
    raw = environ.get("ACHATS_SECRET_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise ConfigError("ACHATS_SECRET_KEY must be at least 32 characters long")
        return raw
    key_file = instance_path / "secret_key"
    if key_file.exists():
        key = key_file.read_text().strip()
        if len(key) >= 32:
            return key
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_settings(instance_path: Path, environ: dict[str, str] | None = None) -> Settings:
    """Read the environment; raise ConfigError naming the first bad variable."""
    env_vars = dict(os.environ if environ is None else environ)
    env = env_vars.get("ACHATS_ENV", "development").strip().lower()
    if env not in {"development", "production", "testing"}:
        raise ConfigError(f"ACHATS_ENV={env!r}: expected development, production or testing")
    instance_path.mkdir(parents=True, exist_ok=True)
    database_url = env_vars.get("ACHATS_DATABASE_URL") or f"sqlite:///{instance_path / 'achats.db'}"
    database_url = _url("ACHATS_DATABASE_URL", database_url, ("sqlite", "postgresql", "postgres"))
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    redis_url = env_vars.get("ACHATS_REDIS_URL") or None
    if redis_url:
        _url("ACHATS_REDIS_URL", redis_url, ("redis", "rediss", "unix"))
    smtp_url = env_vars.get("ACHATS_SMTP_URL") or None
    if smtp_url:
        _url("ACHATS_SMTP_URL", smtp_url, ("smtp", "smtps"))
    port = _int("ACHATS_PORT", env_vars.get("ACHATS_PORT", "5000"), 1, 65535)
    base_url = env_vars.get("ACHATS_BASE_URL") or f"http://127.0.0.1:{port}"
    _url("ACHATS_BASE_URL", base_url, ("http", "https"))
    if env == "production" and not base_url.startswith("https://"):
        raise ConfigError("ACHATS_BASE_URL must use https:// when ACHATS_ENV=production")
    hosts = tuple(h.strip() for h in env_vars.get("ACHATS_TRUSTED_HOSTS", "").split(",") if h.strip())
    upload_dir = Path(env_vars.get("ACHATS_UPLOAD_DIR") or instance_path / "uploads")
    return Settings(
        instance_path=instance_path,
        env=env,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=_secret_key(instance_path, env_vars),
        smtp_url=smtp_url,
        upload_dir=upload_dir,
        base_url=base_url,
        require_approval=_bool(
            "ACHATS_REQUIRE_APPROVAL", env_vars.get("ACHATS_REQUIRE_APPROVAL", "true")
        ),
        proxy_hops=_int("ACHATS_PROXY_HOPS", env_vars.get("ACHATS_PROXY_HOPS", "0"), 0, 5),
        trusted_hosts=hosts,
        mail_from=env_vars.get("ACHATS_MAIL_FROM", "Achats <ne-pas-repondre@achats.example>"),
        workers=_int("ACHATS_WORKERS", env_vars.get("ACHATS_WORKERS", "1") or "1", 0, 64),
        max_upload_mb=_int("ACHATS_MAX_UPLOAD_MB", env_vars.get("ACHATS_MAX_UPLOAD_MB", "51"), 1, 500),
        search_cache_seconds=_int("ACHATS_SEARCH_CACHE_SECONDS",
                                  env_vars.get("ACHATS_SEARCH_CACHE_SECONDS", "300"), 0, 86400),
        tasks_db=Path(env_vars.get("ACHATS_TASKS_DB") or instance_path / "tasks.db"),
        derived_cache=_bool("ACHATS_DERIVED_CACHE", env_vars.get("ACHATS_DERIVED_CACHE", "true")),
    )
