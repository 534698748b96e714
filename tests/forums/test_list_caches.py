"""The thread list, the thread page's thread and the API lists come from the derived cache (per
content version and per right to see hidden content): a page read once, then changed, shows the
change to the next reader, and a reader never gets another reader's page (hidden threads and
posts, unread counts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from achats.forums import services
from achats.forums.models import Post
from tests.forums.helpers import *  # noqa: F403


def opening(db: Any, thread: Any) -> Post:
    return db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.number == 1)).one()


def titles(client: Any, slug: str) -> str:
    response = client.get(f"/forums/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_thread_list_shows_changes_and_keeps_hidden_threads_to_moderators(
        app: Any, client: Any, login: Any, db: Any, forum: Any, make_user: Any, make_thread: Any, make_post: Any) -> None:
    assert app.config.get("ACHATS_DERIVED_CACHE", True)
    member, moderator = make_user(name="Nathalie Girard"), make_user(role="moderator", name="Sophie Bernard")
    first = make_thread(title="Clause de réemploi du mobilier")
    login(member)
    page = titles(client, forum.general.slug)
    assert "Clause de réemploi du mobilier" in page and "1 sujet" in page

    make_thread(title="Critère carbone des véhicules")
    page = titles(client, forum.general.slug)
    assert "Critère carbone des véhicules" in page and "2 sujets" in page

    make_post(make_user(), first, body="Nous l'avons fait à Besançon.")
    assert "1 réponse" in titles(client, forum.general.slug)

    services.set_thread_flags(db.session, moderator, first, hidden=True)
    db.session.commit()
    page = titles(client, forum.general.slug)
    assert "Clause de réemploi du mobilier" not in page and "1 sujet" in page
    login(moderator)
    page = titles(client, forum.general.slug)
    assert "Clause de réemploi du mobilier" in page and "Masqué" in page
    login(member)
    assert "Clause de réemploi du mobilier" not in titles(client, forum.general.slug)


def test_thread_list_and_api_follow_the_category_and_its_own_moderators(
        api: Any, client: Any, login: Any, db: Any, forum: Any, make_user: Any, make_thread: Any) -> None:
    member, local = make_user(), make_user(name="Modératrice locale")
    thread = make_thread(title="Groupement de commandes pour le papier")
    login(member)
    assert forum.general.name in titles(client, forum.general.slug)
    category = forum.general
    old_slug = category.slug
    category.name, category.description, category.slug = "Échanges généraux", "Tout le reste.", "echanges-generaux"
    db.session.commit()
    page = titles(client, "echanges-generaux")
    assert "Échanges généraux" in page and "Tout le reste." in page
    assert client.get(f"/forums/{old_slug}").status_code == 404
    assert client.get("/forums/pas-de-categorie").status_code == 404
    client_api = api(member)
    for ref in ("echanges-generaux", str(category.id)):
        items = client_api.get("/threads", query_string={"category": ref}).get_json()["items"]
        assert [t["title"] for t in items] == ["Groupement de commandes pour le papier"]
        assert items[0]["category_id"] == category.id
    assert client_api.get("/threads", query_string={"category": old_slug}).get_json()["items"] == []

    # A moderator of this category only sees its hidden threads in its list.
    services.set_thread_flags(db.session, make_user(role="moderator"), thread, hidden=True)
    category.moderators.append(local)
    db.session.commit()
    assert "Groupement de commandes" not in titles(client, "echanges-generaux")
    login(local)
    assert "Groupement de commandes" in titles(client, "echanges-generaux")


def test_thread_list_unread_counts_are_each_readers_own(
        client: Any, login: Any, db: Any, forum: Any, make_user: Any, make_thread: Any, make_post: Any) -> None:
    reader, other = make_user(), make_user()
    thread = make_thread(title="Marché de nettoyage écolabellisé")
    login(reader)
    assert client.get(f"/forums/sujets/{thread.id}").status_code == 200  # read up to the opening post
    make_post(make_user(), thread, body="Une réponse de plus.")
    assert "1 nouveau" in titles(client, forum.general.slug)
    login(other)  # never opened it: every post is new to them
    assert "2 nouveaux" in titles(client, forum.general.slug)
    login(reader)
    assert client.get(f"/forums/sujets/{thread.id}").status_code == 200
    assert "nouveau" not in titles(client, forum.general.slug).split("thread-list", 1)[1]


def test_api_thread_list_follows_changes_and_hidden_threads(
        api: Any, db: Any, forum: Any, make_user: Any, make_thread: Any, make_post: Any) -> None:
    member, moderator = api(make_user()), api(make_user(role="moderator"))
    thread = make_thread(title="Achat de papier recyclé")
    listed = member.get("/threads", query_string={"category": forum.general.slug}).get_json()
    assert [t["title"] for t in listed["items"]] == ["Achat de papier recyclé"]
    assert listed["items"][0]["post_count"] == 1

    make_post(make_user(), thread, body="Voyez l'écolabel européen.")
    listed = member.get("/threads", query_string={"category": forum.general.slug}).get_json()
    assert listed["items"][0]["post_count"] == 2

    services.set_thread_flags(db.session, make_user(role="moderator"), thread, hidden=True)
    db.session.commit()
    assert member.get("/threads", query_string={"category": forum.general.slug}).get_json()["items"] == []
    items = moderator.get("/threads", query_string={"category": forum.general.slug}).get_json()["items"]
    assert [t["state"]["hidden"] for t in items] == [True]
    assert member.get("/threads", query_string={"category": forum.general.slug}).get_json()["items"] == []


def test_api_posts_follow_changes_and_hidden_posts_stay_masked_for_members(
        api: Any, db: Any, forum: Any, make_user: Any, make_thread: Any, make_post: Any) -> None:
    member, moderator = api(make_user()), api(make_user(role="moderator"))
    thread = make_thread()
    assert [p["number"] for p in member.get(f"/threads/{thread.id}/posts").get_json()["items"]] == [1]
    reply = make_post(make_user(), thread, body="Un retour d'expérience précis.")
    items = member.get(f"/threads/{thread.id}/posts").get_json()["items"]
    assert [p["number"] for p in items] == [1, 2] and items[1]["body"] == "Un retour d'expérience précis."

    services.hide_post(db.session, make_user(role="moderator"), reply, reason="hors sujet")
    db.session.commit()
    # The moderator first, then the member: each gets the JSON of their own right.
    assert moderator.get(f"/threads/{thread.id}/posts").get_json()["items"][1]["body"] == \
        "Un retour d'expérience précis."
    masked = member.get(f"/threads/{thread.id}/posts").get_json()["items"]
    assert [p["number"] for p in masked] == [1]  # hidden posts are left out for readers
    assert moderator.get(f"/threads/{thread.id}/posts").get_json()["items"][1]["hidden"] is True


def thread_html(client: Any, thread: Any, status: int = 200) -> str:
    response = client.get(f"/forums/sujets/{thread.id}")
    assert response.status_code == status
    return response.get_data(as_text=True)


def test_thread_page_follows_every_change_of_its_thread_and_hides_it_from_members(
        app: Any, client: Any, login: Any, db: Any, forum: Any, make_user: Any, make_thread: Any, make_post: Any) -> None:
    # The page reads the thread from the derived cache (services.read_thread): each change below
    # is committed after the page was read once, and the next reader must see it.
    assert app.config.get("ACHATS_DERIVED_CACHE", True)
    author = make_user(name="Nathalie Girard")
    member, moderator = make_user(), make_user(role="moderator")
    expert = make_user(role="expert", name="Julien Moreau")
    thread = make_thread(author, title="Clause de réemploi du mobilier", tags=("mapa",))
    login(member)
    page = thread_html(client, thread)
    assert "Clause de réemploi du mobilier" in page and "Nathalie Girard" in page and ">MAPA</a>" in page
    assert "1 message" in page and "verrouillé" not in page

    make_post(make_user(), thread, body="Nous l'avons fait à Besançon.")
    assert "2 messages" in thread_html(client, thread)

    services.set_thread_flags(db.session, moderator, thread, locked=True)
    db.session.commit()
    assert "Ce sujet est verrouillé" in thread_html(client, thread)

    thread.tags = services.resolve_tags(db.session, ["travaux"])
    db.session.commit()
    page = thread_html(client, thread)
    assert ">Travaux</a>" in page and ">MAPA</a>" not in page

    author.name = "Nathalie Girard-Roy"
    db.session.commit()
    assert "Nathalie Girard-Roy" in thread_html(client, thread)

    services.move_thread(db.session, moderator, thread, forum.desk)
    db.session.commit()
    page = thread_html(client, thread)
    assert f'href="/forums/{forum.desk.slug}">Guichet vert</a>' in page and "Nouvelle" in page
    services.set_thread_flags(db.session, moderator, thread, locked=False)
    services.take_question(db.session, expert, thread)
    db.session.commit()
    assert "Prise en charge par Julien Moreau" in " ".join(thread_html(client, thread).split())

    services.set_thread_flags(db.session, moderator, thread, hidden=True)
    db.session.commit()
    thread_html(client, thread, 404)
    login(moderator)
    assert "Masqué" in thread_html(client, thread)
    login(member)
    thread_html(client, thread, 404)
    assert client.get("/forums/sujets/999999").status_code == 404
