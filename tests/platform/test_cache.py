"""The derived-data cache: kept until a commit changes its namespace, shared through Redis."""

from __future__ import annotations

from typing import Any

from achats.platform.cache import DerivedCache, derived_cache, memo


def counting() -> tuple[list[int], Any]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_value_is_kept_until_a_commit_changes_its_namespace(app: Any, db: Any, make_user: Any,
                                                             make_organisation: Any) -> None:
    calls, compute = counting()
    assert memo("content", "k", compute) == 1
    assert memo("content", "k", compute) == 1  # kept
    user = make_user()  # a new account: content (names show beside posts)
    assert memo("content", "k", compute) == 2
    # Sign-in bookkeeping is listed in User.__cache_ignore__: it changes nothing shown.
    from achats.platform.db import utcnow

    user.last_login_at = utcnow()
    db.session.commit()
    assert memo("content", "k", compute) == 2
    user.name = "Nouveau nom"
    db.session.commit()
    assert memo("content", "k", compute) == 3
    # A rolled-back change bumps nothing.
    user.name = "Abandonné"
    db.session.flush()
    db.session.rollback()
    assert memo("content", "k", compute) == 3
    assert len(calls) == 3


def test_ttl_bounds_the_age_of_a_value(app: Any) -> None:
    calls, compute = counting()
    memo("content", "ttl", compute, ttl=0)
    memo("content", "ttl", compute, ttl=0)
    assert len(calls) == 2


def test_without_its_store_the_cache_computes_every_time() -> None:
    cache = DerivedCache("redis://127.0.0.1:1/0")  # nothing listens there
    calls, compute = counting()
    assert cache.memo("content", "k", compute) == 1
    assert cache.memo("content", "k", compute) == 2


def test_processes_sharing_redis_see_each_other_changes(app_factory: Any) -> None:
    # Two apps stand for two server processes; the second skips without ACHATS_REDIS_URL.
    import secrets

    prefix = "achats-test-" + secrets.token_hex(6)
    first = app_factory(redis=True, ACHATS_CACHE_PREFIX=prefix)
    second = app_factory(redis=True, ACHATS_CACHE_PREFIX=prefix)
    calls, compute = counting()
    with first.app_context():
        assert derived_cache().memo("content", "shared", compute) == 1
        assert derived_cache().memo("content", "shared", compute) == 1
    with second.app_context():
        derived_cache().bump("content")  # what a commit in the other process does
    with first.app_context():
        assert derived_cache().memo("content", "shared", compute) == 2
