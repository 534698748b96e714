"""After-commit side effects wait for the outermost commit: releasing a SAVEPOINT (SQLAlchemy
dispatches after_commit for it too) runs nothing, and a rollback after it drops everything."""

from __future__ import annotations

from typing import Any

from achats.platform.db import on_commit, on_rollback


def test_a_savepoint_release_runs_no_callback(app: Any, db: Any, make_user: Any) -> None:
    ran: list[str] = []
    user = make_user()
    on_commit(db.session, lambda: ran.append("commit"))
    with db.session.begin_nested():
        user.name = "Nom dans un savepoint"
        db.session.flush()
    assert ran == []
    db.session.commit()
    assert ran == ["commit"]


def test_a_rollback_after_a_savepoint_drops_the_callbacks_and_runs_the_undo(app: Any, db: Any,
                                                                           make_user: Any) -> None:
    ran: list[str] = []
    user = make_user()
    on_commit(db.session, lambda: ran.append("commit"))
    on_rollback(db.session, lambda: ran.append("undo"))
    with db.session.begin_nested():
        user.name = "Nom annulé"
        db.session.flush()
    db.session.rollback()
    assert ran == ["undo"]
    db.session.commit()
    assert ran == ["undo"]
