"""Unbound extension objects; create_app() binds them to an application."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from achats.platform.db import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    class AppSession(Session):
        """What `db.session` is for the type checker: a Session (scoped_session proxies every
        Session method to the current app context's one) that can also be removed or called."""

        def remove(self) -> None: ...

        def __call__(self) -> Session: ...

    class _SQLAlchemy(SQLAlchemy):
        session: AppSession  # type: ignore[assignment]  # a scoped_session at run time, typed by its use
else:
    _SQLAlchemy = SQLAlchemy

db = _SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
socketio = SocketIO()


def app_object() -> Flask:
    """The current app itself, not the proxy (for closures that outlive the request: after-commit
    callbacks, tasks)."""
    from flask import current_app

    return current_app._get_current_object()  # type: ignore[attr-defined]  # the stub's proxy type hides it
