"""Wires the auth feature into the platform when its blueprint is registered."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.blueprints import BlueprintSetupState
from sqlalchemy import Integer, bindparam, select

from achats.auth.models import User
from achats.auth.views import bp


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    from achats.auth import permissions, services
    from achats.auth.api import pending_accounts, user_action
    from achats.platform import realtime
    from achats.platform.api import bearer_token
    from achats.platform.extensions import db, login_manager
    from achats.platform.moderation.api import register_action_handler, register_queue_provider
    from achats.platform.notifications.services import remember_unread_count, unread_count_subquery
    from achats.platform.templating import register_permissions

    app = state.app

    # Built once: SQLAlchemy reuses its cache key and compiled form on every request.
    user_statement = select(User, unread_count_subquery(User.id)).where(
        User.id == bindparam("user_id", type_=Integer))

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # The id carries the per-user session token: a rotated token makes old cookies anonymous.
        raw_id, _, token = user_id.partition(":")
        if not raw_id.isdigit() or not token:
            return None
        # The bell's unread count comes with the user's row: one round trip for every page.
        row = db.session.execute(user_statement, {"user_id": int(raw_id)}).first()
        if row is None or row[0].session_token != token:
            return None
        user, unread = row
        remember_unread_count(unread)
        services.lift_expired_suspension(user)
        return user if user.is_active else None

    @login_manager.request_loader
    def load_user_from_request(request: Any) -> User | None:
        secret = bearer_token()
        if secret is None:
            return None
        user = services.user_from_api_token(db.session, secret)
        if user is not None:
            g.api_token_user = user
            if db.session.dirty:
                db.session.commit()  # last_used_at, at most every few minutes
        return user

    def token_user(secret: str) -> User | None:
        user = services.user_from_api_token(db.session, secret)
        if db.session.dirty:
            db.session.commit()
        return user

    realtime.set_token_loader(token_user)
    app.extensions["achats_user_getter"] = lambda user_id: db.session.scalar(
        select(User).where(User.id == user_id)
    )
    register_permissions(app, permissions.PREDICATES)
    register_action_handler("user", user_action)
    register_queue_provider("pending_accounts", pending_accounts)
