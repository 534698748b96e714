"""Who is signed in: the auth feature's answers to the shell's identity questions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, select

from achats.auth import services
from achats.auth.models import AccountStatus, User
from achats.platform.accounts import DELETED_ACCOUNT_NAME
from achats.platform.extensions import db
from achats.platform.features import Identity
from achats.platform.ids import parse_id
from achats.platform.notifications.services import remember_unread_count, unread_count_subquery


def _user_statement() -> Any:
    # Built once per app: SQLAlchemy reuses its cache key and compiled form on every request.
    return select(User, unread_count_subquery(User.id)).where(User.id == bindparam("user_id", type_=Integer))


_USER_STATEMENT = _user_statement()


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the per-user session token, so a rotated token makes
    old cookies anonymous. The bell's unread count comes with the user's row (one round trip)."""
    raw_id, _, token = user_id.partition(":")
    account_id = parse_id(raw_id)
    if account_id is None or not token:
        return None
    row = db.session.execute(_USER_STATEMENT, {"user_id": account_id}).first()
    if row is None or row[0].session_token != token:
        return None
    user, unread = row
    remember_unread_count(unread)
    services.lift_expired_suspension(user)
    return user if user.is_active else None


def user_for_token(secret: str) -> User | None:
    """The active account behind a personal API token (its last use is recorded now and then)."""
    user = services.user_from_api_token(db.session, secret)
    if db.session.dirty:
        db.session.commit()  # last_used_at, at most every few minutes
    return user


def user_by_id(user_id: int) -> User | None:
    return db.session.scalar(select(User).where(User.id == user_id))


def users_by_ids(user_ids: Sequence[int]) -> Mapping[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(user_ids))))}


def display_names(user_ids: Sequence[int]) -> Mapping[int, str]:
    """Names only (the search's result authors): no account object is built, and the statement
    is a Core one (table columns), without the ORM's per-statement set-up."""
    if not user_ids:
        return {}
    c = User.__table__.c
    rows = db.session.execute(select(c.id, c.name, c.status).where(c.id.in_(list(user_ids))))
    return {i: DELETED_ACCOUNT_NAME if status == AccountStatus.DELETED else name for i, name, status in rows}


def identity() -> Identity:
    return Identity(
        load_user=load_user, user_for_token=user_for_token, user_by_id=user_by_id, users_by_ids=users_by_ids,
        display_names=display_names,
        login_endpoint="auth.login", register_endpoint="auth.register", logout_endpoint="auth.logout",
        profile_endpoint="auth.show_user", settings_endpoint="auth.settings",
    )
