"""The search index on SQLite (FTS5) and PostgreSQL (tsvector): accents, plurals, ranking,
filters, hidden content, snippets and hostile queries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from markupsafe import Markup

from achats.platform import search as s


def test_accents_are_optional_in_queries_and_in_texts(index: Any, find: Any) -> None:
    index(object_id=1, title="Performance énergétique", body="Réduire la consommation d'énergie des bâtiments.")
    index(object_id=2, title="Nettoyage", body="Produits porteurs de l'écolabel européen.")
    index(object_id=3, title="Sans accents", body="energie grise et ecolabel dans un texte tape sans accents")

    assert set(find("energie")) == {("post", 1), ("post", 3)}
    assert set(find("énergie")) == {("post", 1), ("post", 3)}
    assert set(find("ecolabel")) == {("post", 2), ("post", 3)}
    assert set(find("ÉCOLABEL")) == {("post", 2), ("post", 3)}
    assert find("batiments") == [("post", 1)]


def test_singular_finds_plural_and_plural_finds_singular(index: Any, find: Any) -> None:
    index(object_id=1, title="Rédaction", body="Les clauses sociales du marché.")
    index(object_id=2, title="Une seule", body="Une clause environnementale.")

    assert set(find("clause")) == {("post", 1), ("post", 2)}
    assert set(find("clauses")) == {("post", 1), ("post", 2)}
    assert set(find("marches")) == {("post", 1)}


def test_every_word_of_the_query_is_required(index: Any, find: Any) -> None:
    index(object_id=1, title="Restauration", body="Produits bio en restauration collective.")
    index(object_id=2, title="Restauration", body="Produits locaux en restauration scolaire.")

    assert find("restauration bio") == [("post", 1)]
    assert find("restauration collective scolaire") == []


def test_a_title_match_ranks_before_a_body_match(index: Any, find: Any) -> None:
    index("thread", object_id=1, title="Question sur le mobilier",
          body="Nous cherchons une variante pour le réemploi de chaises.", created_at=datetime(2026, 3, 12, tzinfo=UTC))
    index("thread", object_id=2, title="Le réemploi dans les marchés", body="Quelles expériences avez-vous ?",
          created_at=datetime(2026, 3, 1, tzinfo=UTC))

    assert find("réemploi") == [("thread", 2), ("thread", 1)]


def test_a_reply_matches_by_its_own_text_not_by_its_thread_title(index: Any, find: Any) -> None:
    index("thread", object_id=3, thread=3, title="Produits écolabel pour le nettoyage", body="Quels critères ?")
    index("post", object_id=30, thread=3, title="Produits écolabel pour le nettoyage", body="Merci, c'est noté.")
    index("post", object_id=31, thread=3, title="Produits écolabel pour le nettoyage",
          body="Nous exigeons l'écolabel européen.")

    assert find("ecolabel") == [("thread", 3), ("post", 31)]


def test_empty_or_meaningless_queries_return_nothing(index: Any, db: Any) -> None:
    index(object_id=1, title="Un sujet", body="Du texte.")
    for q in ("", "   ", None, "!!!", "« »"):
        results = s.search(db.session, viewer=s.MEMBER, q=q)
        assert results.hits == [] and results.total == 0


@pytest.mark.parametrize("q", [
    '"', "*", "NEAR(", "-", ":", ")", "(((", "title:énergie", 'énergie" OR "x', "énergie*", "^énergie",
    "NOT énergie", "énergie AND", "énergie -gaz", "énergie:*", "a & b | !c", "'", "\\", "%_", "énergie\x00",
    "x" * 5000, "😀 énergie", "NEAR(énergie gaz, 2)", "{title body}: énergie", "énergie + +",
])
def test_query_syntax_characters_never_raise(index: Any, db: Any, q: str) -> None:
    index(object_id=1, title="Énergie", body="Gaz et électricité : énergie verte.")
    results = s.search(db.session, viewer=s.MEMBER, q=q)  # must not raise
    assert isinstance(results.total, int)


def test_syntax_characters_around_words_are_ignored(index: Any, find: Any) -> None:
    index("thread", object_id=1, title="Énergie", body="Gaz et électricité.")
    assert find('"énergie"') == [("thread", 1)]
    assert find("énergie*") == [("thread", 1)]
    assert find("(gaz) AND -électricité") == []  # "and" is a word like any other, all required


def test_filters_category_tag_author_solved_dates_and_types(index: Any, find: Any, make_user: Any) -> None:
    alice, bob = make_user(name="Alice"), make_user(name="Bob")
    index("thread", object_id=1, thread=1, title="Achat de papier recyclé", body="Papier recyclé pour les écoles.",
          facets={"category": 10, "tag": ["papier", "theme-economie-circulaire"], "solved": True},
          owner_id=alice.id, created_at=datetime(2026, 1, 15, 9, 0, tzinfo=UTC))
    index("post", object_id=2, thread=1, title="Re: papier", body="Le papier recyclé coûte moins cher.",
          facets={"category": 10, "tag": ["papier"], "solved": True}, owner_id=bob.id,
          created_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC))
    index("thread", object_id=3, thread=3, title="Papier et imprimantes", body="Contrat de papier.",
          facets={"category": 20, "tag": ["informatique"], "solved": False}, owner_id=bob.id,
          created_at=datetime(2026, 3, 30, 22, 30, tzinfo=UTC))  # 31 March, 00:30 in Paris
    index("document", object_id=4, title="Guide papier", body="Guide d'achat du papier.",
          created_at=datetime(2026, 4, 2, tzinfo=UTC))

    assert len(find("papier")) == 4
    assert set(find("papier", facets={"category": 10})) == {("thread", 1), ("post", 2)}
    assert set(find("papier", facets={"tag": "papier"})) == {("thread", 1), ("post", 2)}
    assert find("papier", facets={"tag": "theme-economie-circulaire"}) == [("thread", 1)]
    assert find("papier", facets={"tag": "pap"}) == []  # whole slugs only
    assert find("papier", facets={"tag": "%"}) == []
    assert set(find("papier", owner_id=bob.id)) == {("post", 2), ("thread", 3)}
    assert set(find("papier", facets={"solved": True})) == {("thread", 1), ("post", 2)}
    assert find("papier", facets={"solved": False}) == [("thread", 3)]
    assert find("papier", facets={"category": 10, "solved": True, "tag": "informatique"}) == []
    assert set(find("papier", date_from=date(2026, 2, 1))) == {("post", 2), ("thread", 3), ("document", 4)}
    assert set(find("papier", date_to=date(2026, 2, 20))) == {("thread", 1), ("post", 2)}  # inclusive day
    assert find("papier", date_from=date(2026, 3, 31), date_to=date(2026, 3, 31)) == [("thread", 3)]
    assert set(find("papier", types=["thread"])) == {("thread", 1), ("thread", 3)}
    assert set(find("papier", types=["document", "post"])) == {("post", 2), ("document", 4)}
    assert find("papier", types=["event"]) == []


def test_hidden_entries_reach_only_their_audience(index: Any, find: Any, make_user: Any) -> None:
    index(object_id=1, title="Visible", body="Marché de voirie.")
    index(object_id=2, title="Masqué", body="Marché de voirie injurieux.", hidden=True)

    assert find("voirie") == [("post", 1)]
    assert find("voirie", viewer=make_user()) == [("post", 1)]
    assert find("voirie", viewer=make_user(role="expert")) == [("post", 1)]
    assert set(find("voirie", viewer=make_user(role="moderator"))) == {("post", 1), ("post", 2)}
    assert find("voirie", viewer=None) == []  # members only: nothing for the web


def test_hiding_a_thread_hides_its_entries_and_showing_it_keeps_hidden_posts_hidden(
        index: Any, find: Any, db: Any) -> None:
    index("thread", object_id=5, thread=5, title="Voirie", body="Marché de voirie.")
    index("post", object_id=50, thread=5, title="Re: Voirie", body="Réponse sur la voirie.")
    index("post", object_id=51, thread=5, title="Re: Voirie", body="Réponse masquée sur la voirie.", hidden=True)

    assert s.update_container(db.session, "thread", 5, audience=s.MODERATORS) == 3
    db.session.commit()
    assert find("voirie") == []
    # A reply posted while the thread is hidden stays hidden with it.
    index("post", object_id=52, thread=5, title="Re: Voirie", body="Nouvelle réponse voirie.", thread_hidden=True)
    assert find("voirie") == []

    s.update_container(db.session, "thread", 5, audience=s.MEMBERS)
    db.session.commit()
    assert set(find("voirie")) == {("thread", 5), ("post", 50), ("post", 52)}


def test_thread_visibility_given_at_indexing_is_kept_apart_from_the_entry_own(index: Any, find: Any,
                                                                              db: Any) -> None:
    # A thread indexed (or reindexed) while hidden: its posts carry their own state separately.
    index("thread", object_id=6, thread=6, title="Éclairage", body="Éclairage public LED.", thread_hidden=True)
    index("post", object_id=60, thread=6, title="Re", body="Éclairage et horloges.", thread_hidden=True)
    index("post", object_id=61, thread=6, title="Re", body="Éclairage masqué.", hidden=True, thread_hidden=True)
    assert find("eclairage") == []

    s.update_container(db.session, "thread", 6, audience=s.MEMBERS)
    db.session.commit()
    assert set(find("eclairage")) == {("thread", 6), ("post", 60)}
    # Re-indexing an entry writes both its audiences as given.
    index("post", object_id=60, thread=6, title="Re", body="Éclairage, horloges astronomiques.")
    assert set(find("eclairage")) == {("thread", 6), ("post", 60)}
    index("post", object_id=60, thread=6, title="Re", body="Éclairage.", thread_hidden=True)
    assert find("eclairage") == [("thread", 6)]


def test_thread_changes_apply_to_all_its_entries(index: Any, find: Any, db: Any) -> None:
    facets = {"category": 1, "tag": ["mobilite"], "solved": False}
    index("thread", object_id=7, thread=7, title="Bornes de recharge", body="Bornes électriques.", facets=facets)
    index("post", object_id=70, thread=7, title="Re: Bornes", body="Bornes en location.", facets=facets)

    s.update_container(db.session, "thread", 7, facets={"category": 2, "tag": ["energie", "vehicules"], "solved": True})
    db.session.commit()

    assert set(find("bornes", facets={"category": 2})) == {("thread", 7), ("post", 70)}
    assert find("bornes", facets={"category": 1}) == []
    assert len(find("bornes", facets={"tag": "vehicules", "solved": True})) == 2
    assert find("bornes", facets={"tag": "mobilite"}) == []


def test_reindexing_an_entry_updates_it_and_removing_deletes_it(index: Any, find: Any, db: Any) -> None:
    index("thread", object_id=9, title="Ancien titre", body="Texte sur le compostage.")
    index("thread", object_id=9, title="Nouveau titre", body="Texte sur la méthanisation.")
    assert find("compostage") == [] and find("ancien") == []
    assert find("methanisation") == [("thread", 9)]
    assert find("nouveau") == [("thread", 9)]

    s.remove_entry(db.session, "thread", 9)
    db.session.commit()
    assert find("methanisation") == []
    s.remove_entry(db.session, "thread", 9)  # already gone: no error


def test_html_bodies_are_indexed_as_text(index: Any, db: Any, find: Any) -> None:
    index(object_id=1, title="HTML", body='<p>Voir <a href="https://example.org/cahier">le cahier</a> des '
                                          "<strong>charges</strong> &amp; annexes</p>")
    assert find("charges annexes") == [("post", 1)]
    assert find("href") == [] and find("strong") == []
    hit = s.search(db.session, viewer=s.MEMBER, q="cahier").hits[0]
    assert "<strong>" not in hit.snippet_html and "&amp;amp;" not in hit.snippet_html


def test_markdown_bodies_are_indexed_without_their_marks(index: Any, db: Any, find: Any) -> None:
    index(object_id=1, title="Md", body="> **Nathalie Girard** a écrit ([message n°2](/forums/sujets/3#message-2)) :\n"
                                        "> Le **facilitateur** calibre les heures.\n\nVoir [le guide](https://example.org/guide).")
    assert find("facilitateur guide") == [("post", 1)]
    assert find("example") == [] and find("sujets") == []
    snippet = str(s.search(db.session, viewer=s.MEMBER, q="facilitateur").hits[0].snippet_html)
    assert "**" not in snippet and "](" not in snippet and "&gt;" not in snippet


def test_snippets_are_escaped_then_highlighted(index: Any, db: Any) -> None:
    # What a sanitised body_html holds when someone typed markup as text.
    payload = "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;"
    index(object_id=1, title='<b onmouseover="alert(1)">Énergie</b> & co',
          body=f"<p>{payload} Notre contrat d'énergie verte.</p>")
    index(object_id=2, title="Texte brut", body="Plain <svg/onload=alert(2)> énergie")

    hits = {h.object_id: h for h in s.search(db.session, viewer=s.MEMBER, q="energie").hits}
    snippet, title = str(hits[1].snippet_html), str(hits[1].title_html)
    assert isinstance(hits[1].snippet_html, Markup)
    assert "<script" not in snippet and "<img" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<mark>énergie</mark>" in snippet
    assert "onmouseover" not in title or "&lt;" in title
    assert "<b " not in title and "<mark>Énergie</mark>" in title
    assert "<svg" not in str(hits[2].snippet_html)
    assert set(snippet.replace("<mark>", "").replace("</mark>", "")) & set("<>") == set()


def test_long_bodies_are_cut_around_the_matches(index: Any, db: Any) -> None:
    filler = "Texte sans rapport avec la question posée. " * 40
    index(object_id=1, title="Long", body=filler + "Le critère carbone pèse vingt pour cent. " + filler)
    hit = s.search(db.session, viewer=s.MEMBER, q="carbone").hits[0]
    text = str(hit.snippet_html)
    assert "<mark>carbone</mark>" in text
    assert text.startswith("… ") and text.endswith(" …")
    assert len(text) < 300


def test_pages_and_totals(index: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from achats.platform.cache import derived_cache
    from achats.platform.search import query

    for i in range(25):
        index(object_id=i + 1, title=f"Fiche {i}", body="Achat de fournitures scolaires.", commit=False)
    db.session.commit()

    first = s.search(db.session, viewer=s.MEMBER, q="fournitures", limit=10)
    assert (len(first.hits), first.total, first.capped, first.has_more) == (10, 25, False, True)
    last = s.search(db.session, viewer=s.MEMBER, q="fournitures", limit=10, offset=20)
    assert (len(last.hits), last.total, last.has_more) == (5, 25, False)
    seen = {h.object_id for off in (0, 10, 20) for h in s.search(db.session, viewer=s.MEMBER, q="fournitures", limit=10, offset=off).hits}
    assert len(seen) == 25
    assert s.search(db.session, viewer=s.MEMBER, q="fournitures", offset=40).hits == []

    monkeypatch.setattr(query, "COUNT_CAP", 12)
    monkeypatch.setattr(query, "RANK_WINDOW", 12)
    derived_cache().clear()  # the same search is kept until the content changes
    capped = s.search(db.session, viewer=s.MEMBER, q="fournitures", limit=10)
    assert (capped.total, capped.capped) == (12, True)


def test_results_are_kept_until_the_content_changes(index: Any, db: Any) -> None:
    index(object_id=1, title="Fiche", body="Achat de fournitures scolaires.")
    first = s.search(db.session, viewer=s.MEMBER, q="fournitures")
    assert s.search(db.session, viewer=s.MEMBER, q="fournitures") is first  # from the derived cache
    index(object_id=2, title="Autre fiche", body="Fournitures de bureau.")  # commits: content changed
    assert {h.object_id for h in s.search(db.session, viewer=s.MEMBER, q="fournitures").hits} == {1, 2}


def test_paging_past_the_ranking_window_lists_every_match_once(index: Any, db: Any, app: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from achats.platform.search import query

    monkeypatch.setattr(query, "RANK_WINDOW", 5)
    for n in range(12):
        # Older entries have the word in their title: they would rank first without the window.
        title = "Compostage des biodéchets" if n < 3 else f"Fiche {n}"
        index(object_id=n + 1, title=title, body="Collecte et compostage.", commit=False,
              created_at=datetime(2026, 1, 1 + n, tzinfo=UTC))
        # Entries that do not match, interleaved.
        index(object_id=100 + n, title="Autre sujet", body="Voirie.", commit=False,
              created_at=datetime(2026, 1, 1 + n, 12, tzinfo=UTC))
    db.session.commit()

    order: list[int] = []
    for offset in range(0, 16, 4):
        order += [h.object_id for h in s.search(db.session, viewer=s.MEMBER, q="compostage", limit=4, offset=offset).hits]
    assert sorted(order) == list(range(1, 13))
    if db.engine.dialect.name == "postgresql":
        assert set(order[:5]) == {12, 11, 10, 9, 8}  # the five newest, ranked
        assert order[5:] == [7, 6, 5, 4, 3, 2, 1]  # then newest first


def test_both_plans_of_postgresql_give_the_same_hits(index: Any, db: Any, make_user: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL takes few matches from the GIN index and many by walking the date index
    (query._pg_rows): whichever it takes, the same hits come back in the same order."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has one plan (FTS5)")
    import sqlalchemy as sa
    from sqlalchemy import event

    from achats.platform.cache import derived_cache
    from achats.platform.search import query

    monkeypatch.setattr(query, "RANK_WINDOW", 6)
    alice, moderator = make_user(name="Alice"), make_user(role="moderator")
    for n in range(20):
        title = "Compostage des biodéchets" if n % 4 == 0 else f"Fiche {n}"
        index("post" if n % 3 else "thread", object_id=n + 1, thread=n % 5 + 1, title=title,
              body="Collecte et compostage en cantine." if n % 2 else "Compostage partagé.", commit=False,
              hidden=n == 7, thread_hidden=n == 9, owner_id=alice.id if n % 5 == 0 else None,
              facets={"category": 10 if n < 10 else 20}, created_at=datetime(2026, 1, 1 + n, tzinfo=UTC))
        index("post", object_id=100 + n, title="Autre sujet", body="Voirie.", commit=False,
              created_at=datetime(2026, 1, 1 + n, 12, tzinfo=UTC))
    db.session.commit()
    searches: list[dict[str, Any]] = [
        {"q": "compostage"}, {"q": "compostage cantine"}, {"q": "compostage", "offset": 4, "limit": 4},
        {"q": "compostage", "offset": 8, "limit": 4}, {"q": "compostage", "facets": {"category": 20}},
        {"q": "compostage", "types": ["thread"]}, {"q": "compostage", "owner_id": alice.id},
        {"q": "compostage", "date_from": date(2026, 1, 5), "date_to": date(2026, 1, 15)},
        {"q": "compostage", "container": ("thread", 2)}, {"q": "compostage", "viewer": moderator},
    ]
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    def run(few_matches: int) -> list[tuple[Any, ...]]:
        monkeypatch.setattr(query, "FEW_MATCHES", few_matches)
        derived_cache().clear()
        found = []
        for kw in searches:
            results = s.search(db.session, **{"viewer": s.MEMBER, **kw})
            found.append(([(h.kind, h.object_id) for h in results.hits], results.total, results.has_more))
        return found

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        from_index = run(10**9)  # every search "few": the GIN index
        windows = [st for st in statements if '"window" AS' in st]
        assert windows and all("gin_matches" in st for st in windows), statements
        statements.clear()
        walked = run(0)  # every search "many": the date index
        windows = [st for st in statements if '"window" AS' in st]
        assert windows and all("gin_matches" not in st and "ts_match_vq" in st for st in windows)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert walked == from_index
    assert len(from_index[0][0]) == 18  # one hidden, one in a hidden thread

    # The count that decides for a search without filters: every match in the GIN index's
    # bitmap, whoever may read it, row versions not yet vacuumed included (an upper bound; on a
    # table this small the planner reads the table instead, unless told not to).
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    assert query._gin_count(db.session, {"q": "compostage"}) >= 20
    assert query._gin_count(db.session, {"q": "compostage zzyzxq"}) == 0
    db.session.rollback()


def test_reindex_command_runs_every_reindexer_and_drops_stale_entries(app: Any, index: Any, find: Any,
                                                                    db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from achats.platform.features import SearchType, registry

    index(object_id=1, title="Supprimé depuis", body="Ancienne voirie.")

    def messages(session: Any) -> int:
        return s.index_entries(session, [
            s.entry_row(kind="post", object_id=n, title=f"Message {n}", body="Voirie communale.",
                        url=f"http://localhost/m/{n}", created_at=datetime(2026, 1, 1, tzinfo=UTC))
            for n in (2, 3)
        ])

    types = registry(app).search_types
    monkeypatch.setattr(registry(app), "search_types", {
        "post": SearchType("post", "Message", "Messages", "messages", indexes_title=False, reindex=messages),
        "document": types["document"]})
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "post : 2 élément(s) indexé(s)." in result.output
    db.session.expire_all()
    assert set(find("voirie")) == {("post", 2), ("post", 3)}

    result = app.test_cli_runner().invoke(args=["reindex", "--only", "inconnu"])
    assert result.exit_code != 0 and "Indexation inconnue" in result.output


def test_entries_need_a_known_kind_and_an_aware_date(db: Any) -> None:
    with pytest.raises(ValueError):
        s.index_entry(db.session, kind="wiki", object_id=1, title="x", body="", url="/",
                      created_at=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        s.index_entry(db.session, kind="post", object_id=1, title="x", body="", url="/",
                      created_at=datetime(2026, 1, 1))


def test_migration_goes_down_and_up_again(app: Any, db: Any, index: Any, find: Any) -> None:
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    index(object_id=1, title="Avant", body="Énergie.")
    db.session.remove()
    try:
        downgrade(revision="0002_forums")
        db.engine.dispose()
        names = inspect(db.engine).get_table_names()
        assert "search_entry" not in names and "search_entry_fts" not in names
    finally:
        upgrade(revision="heads")
        db.engine.dispose()
    index(object_id=2, title="Après", body="Énergie.")
    assert find("energie") == [("post", 2)]


def test_the_generic_index_migration_keeps_the_forums_entries(app: Any, db: Any, make_user: Any) -> None:
    """Down to the thread-shaped index and up again, with content: threads and replies are still
    found, a question's first message becomes a message of its own, hidden stays hidden."""
    from flask_migrate import downgrade, upgrade

    from achats.forums import services
    from achats.forums.models import Category

    category = Category(slug="essai", name="Essai", description="")
    db.session.add(category)
    db.session.commit()
    author, moderator = make_user(), make_user(role="moderator")
    thread = services.create_thread(db.session, author, category=category, title="Compostage en cantine scolaire",
                                    body="Qui composte ses biodéchets ?", kind="question")
    reply = services.create_post(db.session, make_user(), thread, body="Nous faisons du compostage sur place.")
    hidden = services.create_post(db.session, make_user(), thread, body="Compostage injurieux.")
    services.hide_post(db.session, moderator, hidden)
    db.session.commit()
    db.session.remove()
    try:
        downgrade(revision="0003_search")
        db.engine.dispose()
    finally:
        upgrade(revision="heads")
        db.engine.dispose()

    def found(q: str, **kw: Any) -> set[tuple[str, int]]:
        return {(h.kind, h.object_id) for h in s.search(db.session, q, viewer=s.MEMBER, **kw).hits}

    assert found("compostage") == {("thread", thread.id), ("post", reply.id)}
    assert found("biodechets", types=["post"]) and found("biodechets", types=["post"]) != {("thread", thread.id)}
    assert found("injurieux") == set()


def test_models_match_the_migrations(app: Any, db: Any) -> None:
    """The search table as mapped is the table the migration creates; the engine-specific
    structures (FTS5 tables, tsvector column and index) are the only extras, and
    migrations/env.py keeps them out of autogenerate."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine_specific = ("search_entry_fts", "search_vector")
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [repr(d) for d in compare_metadata(context, db.metadata) if "search_entry" in repr(d)]
    assert [d for d in diffs if not any(name in d for name in engine_specific)] == []
