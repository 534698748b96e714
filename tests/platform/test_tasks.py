"""The task queue: features declare tasks; tests run them eagerly; the jobs' commands run them too."""

from __future__ import annotations

from typing import Any

from achats.platform.features import Feature, Task


def _with_tasks(app_factory: Any, calls: list[Any], **config: Any) -> Any:
    from achats import default_features

    def remind() -> str:
        calls.append("remind")
        return "2 rappel(s) envoyé(s)."

    extra = Feature(name="essai", tasks=[
        Task("essai.remind", remind, job="reminders"),
        Task("essai.double", lambda n: calls.append(n * 2) or n * 2),
    ])
    return app_factory(features=[*default_features(), extra], **config)


def test_tests_run_tasks_eagerly_after_the_commit(app_factory: Any) -> None:
    from achats.platform.extensions import db
    from achats.platform.tasks import enqueue, enqueue_after_commit

    calls: list[Any] = []
    app = _with_tasks(app_factory, calls)
    with app.app_context():
        assert enqueue("essai.double", 21).get() == 42
        enqueue_after_commit(db.session, "essai.double", 1)
        assert calls == [42]  # not before the commit
        db.session.commit()
        assert calls == [42, 2]
        enqueue_after_commit(db.session, "essai.double", 5)
        db.session.rollback()
        db.session.commit()
        assert calls == [42, 2]  # dropped with the transaction


def test_the_scheduled_jobs_commands_run_their_tasks_and_the_mail_retry(app_factory: Any) -> None:
    calls: list[Any] = []
    app = _with_tasks(app_factory, calls)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "2 rappel(s) envoyé(s)." in result.output and "message(s) en attente envoyé(s)" in result.output
    assert calls == ["remind"]


def test_the_queue_is_sqlite_by_default_and_redis_with_a_redis_url(app_factory: Any, tmp_path: Any) -> None:
    from huey import RedisHuey, SqliteHuey

    from achats.platform.tasks import queue

    app = app_factory(ACHATS_TASKS_IMMEDIATE=False, ACHATS_TASKS_DB=str(tmp_path / "q.db"))
    assert isinstance(queue(app), SqliteHuey)
    app = app_factory(ACHATS_TASKS_IMMEDIATE=False, ACHATS_REDIS_URL="redis://127.0.0.1:1/0")
    assert isinstance(queue(app), RedisHuey)


def test_the_consumer_refuses_to_run_in_immediate_mode(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
