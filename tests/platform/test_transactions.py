"""A transaction that only read ends with COMMIT, so psycopg keeps the statements it prepared on
PostgreSQL; one that wrote, or failed, still rolls back (platform.db.keep_prepared_statements).
The rollback tests run on both databases; the prepared statements exist on PostgreSQL only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from achats.auth.models import User


def _on_postgresql(db: Any) -> bool:
    return bool(db.engine.dialect.name == "postgresql")


def _prepared(db: Any, fragment: str) -> int:
    return int(db.session.scalar(text(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :f"), {"f": f"%{fragment}%"}) or 0)


def _name_of(db: Any, user_id: int) -> str | None:
    return db.session.scalar(select(User.name).where(User.id == user_id))


def _saved_user(db: Any, make_user: Any, name: str) -> int:
    user_id = int(make_user(name=name).id)
    db.session.commit()
    db.session.remove()
    return user_id


def test_statements_stay_prepared_across_read_only_transactions(app: Any, db: Any, make_user: Any) -> None:
    if not _on_postgresql(db):
        pytest.skip("PostgreSQL only: set ACHATS_TEST_DATABASE_URL (SQLite prepares nothing on the server)")
    user_id = _saved_user(db, make_user, "Lectrice")
    connection = None
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        assert _name_of(db, user_id) == "Lectrice"
        raw = db.session.connection().connection.dbapi_connection
        assert connection in (None, raw)  # the same pooled connection each time
        connection = raw
        db.session.remove()  # what the end of a request does: Session.close(), a rollback
    assert _prepared(db, '"user".name') == 1


def test_a_flushed_write_is_still_rolled_back(app: Any, db: Any, make_user: Any) -> None:
    user_id = _saved_user(db, make_user, "Nom d'origine")
    for _ in range(6):
        _name_of(db, user_id)
        db.session.rollback()
    if _on_postgresql(db):
        assert _prepared(db, '"user".name') == 1
    db.session.rollback()
    user = db.session.get(User, user_id)
    assert user is not None
    user.name = "Nom jamais enregistré"
    db.session.flush()  # an UPDATE: the transaction wrote
    db.session.remove()  # the end of a request that never committed
    assert _name_of(db, user_id) == "Nom d'origine"
    if _on_postgresql(db):  # the real ROLLBACK dropped what psycopg had prepared, as it always did
        assert _prepared(db, '"user".name') == 0


def test_a_raw_write_and_a_savepoint_are_still_rolled_back(app: Any, db: Any, make_user: Any) -> None:
    user_id = _saved_user(db, make_user, "Avant")
    db.session.execute(text('UPDATE "user" SET name = :n WHERE id = :i'), {"n": "Écrit en SQL", "i": user_id})
    db.session.rollback()
    assert _name_of(db, user_id) == "Avant"
    db.session.rollback()
    if not _on_postgresql(db):
        # pysqlite sends no BEGIN before a SAVEPOINT that opens the transaction, so releasing it
        # commits (SQLAlchemy documents this driver behaviour): not what this test is about.
        return
    _name_of(db, user_id)
    with db.session.begin_nested():
        db.session.execute(text('UPDATE "user" SET name = :n WHERE id = :i'), {"n": "Dans un savepoint", "i": user_id})
    db.session.rollback()
    assert _name_of(db, user_id) == "Avant"


def test_a_failed_read_rolls_back_and_the_session_goes_on(app: Any, db: Any, make_user: Any) -> None:
    user_id = _saved_user(db, make_user, "Toujours là")
    if _on_postgresql(db):
        with pytest.raises(DBAPIError):
            db.session.execute(text("SELECT 1 / 0"))
    else:
        with pytest.raises(DBAPIError):
            db.session.execute(text("SELECT * FROM no_such_table"))
    db.session.rollback()
    assert _name_of(db, user_id) == "Toujours là"
    db.session.rollback()


@pytest.mark.parametrize(("statement", "reads_only"), [
    ('SELECT "user".id FROM "user" WHERE "user".id = %(id)s', True),
    ("\n  select 1", True),
    # The search's planner settings and estimate: its statements are never prepared.
    ("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = on", False),
    ("EXPLAIN (FORMAT JSON) SELECT 1", False),
    ("WITH gin_matches AS MATERIALIZED (SELECT 1) SELECT * FROM gin_matches", False),
    ("EXPLAIN ANALYZE DELETE FROM post", False),
    ('UPDATE "user" SET name = %(name)s', False),
    ("INSERT INTO forum_thread_read (user_id) VALUES (1)", False),
    ("WITH gone AS (DELETE FROM post RETURNING id) SELECT count(*) FROM gone", False),
    ("SELECT * INTO copy_of_user FROM \"user\"", False),
    ("SELECT 1; DELETE FROM post", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("SET enable_seqscan = off", False),
])
def test_which_statements_count_as_reading_only(statement: str, reads_only: bool) -> None:
    from achats.platform.db import _reads_only

    assert _reads_only(statement) is reads_only
