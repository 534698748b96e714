"""The declarative base, its naming convention, the UTC datetime type and shared column mixins."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("UTCDateTime needs a datetime")
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class: type[enum.StrEnum], name: str, length: int = 20) -> Enum:
    """A column type for a StrEnum state: stores the value (VARCHAR), refuses any other string
    before it reaches the database, and generates its CHECK constraint (`ck_<table>_<name>`),
    so a value written by raw SQL or another program is refused too."""
    return Enum(
        enum_class, name=name, native_enum=False, create_constraint=True, length=length,
        values_callable=lambda members: [m.value for m in members], validate_strings=True,
    )


class Base(DeclarativeBase):
    # One registry carries the naming convention and the UTC type (Flask-SQLAlchemy subclasses
    # this base, and SQLAlchemy refuses a per-class type_annotation_map beside a registry).
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- after-commit callbacks -------------------------------------------------------------------
# Side effects (Socket.IO emits, mail dispatch) are queued on the session and run only once the
# transaction that caused them has committed; a rollback drops them.

_PENDING_KEY = "achats_after_commit"


def on_commit(session: Any, callback: Any) -> None:
    """Run `callback()` after `session` commits; drop it if the session rolls back."""
    from sqlalchemy.orm import scoped_session

    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any statement still drops the callback
    session.info.setdefault(_PENDING_KEY, []).append(callback)


_ROLLBACK_KEY = "achats_after_rollback"


def on_rollback(session: Any, callback: Any) -> None:
    """Run `callback()` if `session`'s transaction rolls back (undo what lives outside the
    database, such as a stored file); dropped when it commits."""
    from sqlalchemy.orm import scoped_session

    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_ROLLBACK_KEY, []).append(callback)


def install_commit_hooks(session_target: Any) -> None:
    from sqlalchemy import event

    @event.listens_for(session_target, "after_commit")
    def _run_pending(session: Any) -> None:
        # SQLAlchemy also dispatches after_commit when a SAVEPOINT is released (begin_nested):
        # side effects wait for the outermost commit, when the data is visible to others.
        if session.in_nested_transaction():
            return
        session.info.pop(_ROLLBACK_KEY, None)
        pending = session.info.pop(_PENDING_KEY, [])
        for callback in pending:
            try:
                callback()
            except Exception:  # a failed side effect must not undo a committed transaction
                import logging

                logging.getLogger("achats").exception("after-commit callback failed")

    @event.listens_for(session_target, "after_soft_rollback")
    def _drop_pending(session: Any, previous_transaction: Any) -> None:
        if previous_transaction.parent is None:  # the outermost transaction was rolled back
            session.info.pop(_PENDING_KEY, None)
            for callback in session.info.pop(_ROLLBACK_KEY, []):
                try:
                    callback()
                except Exception:  # noqa: BLE001 - best effort: the rollback itself stands
                    import logging

                    logging.getLogger("achats").exception("after-rollback callback failed")


# --- read-only transactions keep PostgreSQL's prepared statements ---------------------------
# psycopg prepares a statement on the server once a connection has run it a few times, so that
# PostgreSQL stops parsing and planning it on every request; but it forgets them all on every
# ROLLBACK, and every request ends its transaction with one (Session.close()). A transaction that
# only read ends the same way whether it commits or rolls back: it commits, and the statements
# stay prepared. Any other statement (a write, a SAVEPOINT, a CTE), or a failed one, and the
# rollback is a real one, as before.

_WROTE_KEY = "achats_wrote"
# Only SELECTs count. Not the search's statements on purpose (EXPLAIN, WITH, the facet counts'
# SET LOCAL planner settings): a prepared statement keeps the plan it was given under other
# settings, and measured in process a cache-off search went from 25 to 40 ms once its statements
# were prepared (when the search still set planner settings).
_READ_ONLY = re.compile(r"\s*SELECT\b", re.IGNORECASE)


_SELECT_INTO = re.compile(r"\bINTO\b", re.IGNORECASE)


def _reads_only(statement: str) -> bool:
    # A ";" or an "into" inside a literal counts too: that only makes the answer "wrote", the safe
    # side. Not recognised: a SELECT of a function that writes (pg_notify, a function of ours);
    # the code calls none.
    return not _SELECT_INTO.search(statement) and all(
        _READ_ONLY.match(part) for part in statement.split(";") if part.strip())


def keep_prepared_statements(engine: Any) -> None:
    """On a psycopg engine: end the transactions that only read with COMMIT instead of ROLLBACK."""
    if engine.dialect.driver != "psycopg":
        return
    from psycopg.pq import TransactionStatus
    from sqlalchemy import event

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.info[_WROTE_KEY] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _watch(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not _reads_only(statement):
            conn.info[_WROTE_KEY] = True

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        if conn.info.get(_WROTE_KEY, True):
            return
        raw = conn.connection.dbapi_connection
        if raw is None or raw.info.transaction_status != TransactionStatus.INTRANS:
            return  # a failed statement: the real ROLLBACK follows
        try:
            raw.commit()  # SQLAlchemy's rollback then finds no transaction and sends nothing
        except Exception:  # noqa: BLE001 - the rollback that follows reports a broken connection
            return
