"""The forums through the one search engine: audiences, the opening message as a post, the thread
list's words, and what a member can never get back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.forums.helpers import *  # noqa: F403  (forum, make_thread, make_post, count_queries)


def hits(api_client: Any, query: str) -> set[tuple[str, int]]:
    body = api_client.get(f"/search?{query}").get_json()
    return {(item["type"], item["id"]) for item in body["items"]}


def test_a_hidden_post_and_a_hidden_thread_never_come_back_to_a_member(db, api, make_user, make_thread,
                                                                       make_post) -> None:
    from achats.forums import services

    moderator, member = make_user(role="moderator"), make_user()
    thread = make_thread(title="Collecte des biodéchets en cantine", body="Quel prestataire pour le compostage ?")
    reply = make_post(make_user(), thread, body="Un compostage injurieux et hors charte.")
    services.hide_post(db.session, moderator, reply, "hors charte")
    db.session.commit()

    as_member, as_moderator = api(member), api(moderator)
    assert ("post", reply.id) not in hits(as_member, "q=compostage")
    assert ("post", reply.id) not in hits(as_member, "q=injurieux&type=post")
    assert ("post", reply.id) in hits(as_moderator, "q=injurieux")  # to restore it, they must find it

    services.set_thread_flags(db.session, moderator, thread, hidden=True, reason="doublon")
    db.session.commit()
    assert hits(as_member, "q=compostage") == set()
    assert hits(as_member, "q=biodechets&type=thread") == set()
    assert ("thread", thread.id) in hits(as_moderator, "q=biodechets")

    services.set_thread_flags(db.session, moderator, thread, hidden=False)
    db.session.commit()
    found = hits(as_member, "q=compostage")
    assert ("thread", thread.id) in found and ("post", reply.id) not in found  # still hidden itself


def test_an_entry_restricted_to_its_owner_reaches_only_them_and_the_moderators(db, api, client, login,
                                                                              make_user) -> None:
    """A pending document, say: its owner and the moderators find it, no other member does, and the
    page kept for members does not carry it."""
    from achats.platform import search
    from achats.platform.features import SearchType, registry

    registry().search_types["document"] = SearchType("document", "Document", "Documents", "documents")
    owner, other, moderator = make_user(), make_user(), make_user(role="moderator")
    search.index_entry(db.session, kind="document", object_id=7, title="CCTP nettoyage écolabel",
                       body="Produits écolabellisés.", url="/documents/7", owner_id=owner.id,
                       audience=search.OWNER, created_at=datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()

    assert hits(api(other), "q=ecolabel") == set()
    assert hits(api(owner), "q=ecolabel") == {("document", 7)}
    assert hits(api(moderator), "q=ecolabel") == {("document", 7)}
    login(other)
    assert "CCTP nettoyage" not in client.get("/recherche?q=ecolabel").get_data(as_text=True)
    login(owner)
    assert "CCTP nettoyage" in client.get("/recherche?q=ecolabel").get_data(as_text=True)
    login(other)
    assert "CCTP nettoyage" not in client.get("/recherche?q=ecolabel").get_data(as_text=True)


def test_a_search_restricted_to_messages_finds_a_question_s_first_message(api, make_user, make_thread,
                                                                         make_post, client, login) -> None:
    thread = make_thread(title="Critère environnemental minimal", kind="question",
                         body="Quelle pondération pour un MAPA de fournitures de bureau ?")
    make_post(make_user(), thread, body="Vingt pour cent au moins.")
    member = make_user()
    posts = hits(api(member), "q=ponderation&type=post")
    assert len(posts) == 1  # the first message, as a message
    assert hits(api(member), "q=ponderation") == {("thread", thread.id)}  # not twice without a type
    assert hits(api(member), "q=ponderation&type=thread&type=post") == {("thread", thread.id)}
    login(member)
    page = client.get("/recherche?q=ponderation&type=messages").get_data(as_text=True)
    assert "Critère environnemental minimal" in page and "Aucun résultat" not in page


def test_the_thread_list_s_words_go_through_the_engine(api, make_user, make_thread, client, login, forum) -> None:
    """Accents and French word forms as on the search page: "électricité" finds "electricite"."""
    plain = make_thread(title="Fourniture d'electricite verte pour la commune", category=forum.energy)
    make_thread(title="Éclairage public et horloges", category=forum.energy)
    elsewhere = make_thread(title="Électricité renouvelable au lycée", category=forum.general)
    member = make_user()
    body = api(member).get(f"/threads?category={forum.energy.id}&q=électricité").get_json()
    assert [t["id"] for t in body["items"]] == [plain.id]
    body = api(member).get("/threads?q=electricites").get_json()
    assert {t["id"] for t in body["items"]} == {plain.id, elsewhere.id}
    login(member)
    page = client.get(f"/forums/{forum.energy.slug}?q=%C3%A9lectricit%C3%A9").get_data(as_text=True)
    assert "Fourniture d&#39;electricite verte" in page and "Éclairage public" not in page
    assert 'name="q" value="électricité"' in page
