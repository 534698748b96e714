"""The feature contract: declarations, registries on the app, open vocabularies, domain events."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from achats.platform.features import (
    DeclarationError,
    Feature,
    NavLink,
    NotificationKind,
    Registry,
    registry,
)


def _features(*names: str) -> list[Feature]:
    from achats.auth.feature import feature as auth
    from achats.forums.feature import feature as forums
    from achats.search.feature import feature as search

    known = {"auth": auth, "forums": forums, "search": search}
    return [known[n]() for n in names]


def test_two_apps_in_one_process_see_only_their_own_features(app_factory: Any) -> None:
    full = app_factory(features=_features("auth", "forums", "search"))
    bare = app_factory(features=_features("auth", "search"))
    for app, has_forums in ((full, True), (bare, False)):
        reg = registry(app)
        assert ("thread" in reg.search_types) is has_forums
        assert ("thread" in reg.rooms) is has_forums
        assert ("post" in reg.moderation_targets) is has_forums
        assert ("mentioned" in reg.notification_kinds) is has_forums
        assert ("forum_posts" in reg.exports) is has_forums
        assert ("post_created" in reg.subscriptions) is has_forums
        assert ("forums" in app.blueprints) is has_forums
        assert "user" in reg.moderation_targets and "account_approved" in reg.notification_kinds
        assert "blockquote" in reg.html_attributes if has_forums else "blockquote" not in reg.html_attributes
        with app.app_context():
            client = app.test_client()
            paths = set(client.get("/api/v1/openapi.json").get_json()["paths"])
            assert ("/api/v1/threads" in paths) is has_forums
            assert "/api/v1/me" in paths and "/api/v1/search" in paths
            home = client.get("/")
            assert home.status_code == 200
            assert ('href="/forums"' in home.get_data(as_text=True)) is has_forums
            assert client.get("/forums").status_code in ((302,) if has_forums else (404,))
            # The sanitiser keeps a feature's attributes only in the app that declares them.
            from achats.platform.security import sanitize_html

            kept = 'data-post-id="3"' in sanitize_html('<blockquote data-post-id="3">x</blockquote>')
            assert kept is has_forums


def test_an_app_needs_an_identity_provider(app_factory: Any) -> None:
    with pytest.raises(DeclarationError):
        app_factory(features=_features("search"))


def test_two_features_cannot_claim_the_same_name() -> None:
    first = Feature(name="un", permissions={"lire": lambda user: True})
    second = Feature(name="deux", permissions={"lire": lambda user: False})
    with pytest.raises(DeclarationError, match="lire"):
        Registry.build([first, second])
    with pytest.raises(DeclarationError):
        Registry.build([first, Feature(name="un")])
    with pytest.raises(DeclarationError, match="modèle"):
        Registry.build([Feature(name="trois", notification_kinds=[NotificationKind("x", "X", ("app", "mail"))])])


def test_subscriptions_to_an_absent_feature_s_events_are_left_out() -> None:
    calls: list[str] = []
    listener = Feature(name="écoute", subscriptions={"post_created": [lambda session, **_: calls.append("x")]})
    assert Registry.build([listener]).subscriptions == {}
    teller = Feature(name="source", events=["post_created"])
    assert len(Registry.build([listener, teller]).subscriptions["post_created"]) == 1


def test_menus_and_home_blocks_follow_the_declared_order(app: Any) -> None:
    links = [link for link in registry(app).nav_links if link.menu == "main"]
    assert [link.label for link in links][:4] == ["Forums", "Bibliothèque", "Événements", "Membres"]
    assert all(isinstance(link, NavLink) for link in links)


def test_vocabularies_are_the_registered_ones(app: Any, db: Any, make_user: Any) -> None:
    from datetime import UTC, datetime

    from achats.platform import events, search
    from achats.platform.notifications.services import UnknownNotificationKind, notify
    from achats.platform.tasks import UnknownTask, enqueue

    user, other = make_user(), make_user()
    with pytest.raises(UnknownNotificationKind):
        notify(db.session, user, "inconnu", other, None, "Texte")
    assert notify(db.session, user, "mentioned", other, None, "Texte") is not None
    with pytest.raises(events.UnknownEvent):
        events.record(db.session, "sujet_supprime")
    with pytest.raises(search.UnknownSearchType):
        search.index_entry(db.session, kind="wiki", object_id=1, title="x", body="", url="/",
                           created_at=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(UnknownTask):
        enqueue("rien")
    db.session.rollback()


def test_moderation_target_types_come_from_the_features(api: Any, make_user: Any) -> None:
    client = api(make_user(role="moderator"))
    response = client.post("/moderation/actions", json={"action": "hide", "target_type": "wiki", "target_id": 1})
    assert response.status_code == 422
    assert "target_type" in response.get_json()["errors"]
    response = client.post("/moderation/actions", json={"action": "publish", "target_type": "post", "target_id": 1})
    assert response.status_code == 422 and "action" in response.get_json()["errors"]


@pytest.mark.parametrize("table,column", [
    ("user", "status"), ("user", "role"), ("organisation", "kind"), ("email_token", "purpose"),
    ("forum_thread", "kind"), ("forum_thread", "desk_status"), ("forum_thread_watch", "level"),
    ("tag", "facet"), ("moderation_flag", "reason"), ("moderation_flag", "status"),
])
def test_state_columns_refuse_unknown_values_in_the_database(db: Any, table: str, column: str) -> None:
    """The StrEnum column type generates each CHECK: raw SQL cannot store a value the code does not know."""
    from achats.platform.extensions import db as _db

    ddl = {row[0] for row in _db.session.execute(text(
        "SELECT sql FROM sqlite_master WHERE name = :t" if _db.engine.dialect.name == "sqlite" else
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype = 'c'"
    ), {"t": table if _db.engine.dialect.name == "sqlite" else f'"{table}"'})}
    assert any(f"{column} IN" in (d or "") or f"({column})::text = ANY" in (d or "") or f"{column} = ANY" in (d or "")
               for d in ddl), ddl


def test_an_unknown_state_is_refused_before_and_by_the_database(db: Any, make_user: Any) -> None:
    user = make_user()
    user.status = "bogus"  # type: ignore[assignment]
    with pytest.raises(StatementError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(text('UPDATE "user" SET status = \'bogus\' WHERE id = :id'), {"id": user.id})
        db.session.flush()
    db.session.rollback()


def test_models_match_the_migrations(app: Any, db: Any) -> None:
    """Every table as mapped is the table the migrations create (the search index's engine-specific
    structures aside: migrations/env.py keeps them out of autogenerate)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine_specific = ("search_entry_fts", "search_vector")
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [repr(d) for d in compare_metadata(context, db.metadata)]
    assert [d for d in diffs if not any(name in d for name in engine_specific)] == []
