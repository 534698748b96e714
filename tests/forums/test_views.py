"""The forum pages: each role sees what it may do, forms keep what was typed, nothing unsafe renders."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.forums.helpers import *  # noqa: F403  (forum, make_thread, make_post, count_queries)

XSS_VECTORS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "<svg onload=alert('x3')>",
    "[clic](javascript:alert('x4'))",
    '"><iframe src="javascript:alert(\'x5\')">',
]


def page_text(response: Any) -> str:
    return response.get_data(as_text=True)


def form_post(client: Any, csrf: Any, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf(), **(data or {})}, **kw)


class _ActiveContent(HTMLParser):
    """Collects what a browser would run: event handlers, foreign scripts, javascript: URLs, frames."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.found.append("<script> inline")
        if tag in ("iframe", "object", "embed", "math"):
            self.found.append(f"<{tag}>")
        if tag == "img" and values.get("src") == "x":
            self.found.append("<img src=x>")


def assert_no_active_content(html: str) -> None:
    parser = _ActiveContent()
    parser.feed(html)
    assert not parser.found, parser.found


@pytest.fixture
def people(make_user: Any) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(
        nathalie=make_user(name="Nathalie Girard"),
        marc=make_user(name="Marc Lambert"),
        elise=make_user(role="expert", name="Élise Morel", themes=("alimentation-egalim",)),
        sophie=make_user(role="moderator", name="Sophie Bernard"),
        pending=make_user(status="pending", name="Paul Attente"),
    )


def handle_of(user: Any) -> str:
    return user.handle


# --- reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["nathalie", "elise", "sophie", "pending"])
def test_every_forum_page_renders_for_each_role(role: str, client: Any, login: Any, people: Any, forum: Any,
                                                make_thread: Any, make_post: Any) -> None:
    thread = make_thread(people.marc, category=forum.desk, title="Pondération du critère environnemental",
                         kind="question", tags=("mapa", "fournitures"))
    post = make_post(people.elise, thread, body="Au moins 20 %, voyez le guide.")
    from achats.forums import services
    from achats.platform.extensions import db

    services.edit_post(db.session, people.elise, post, body="Au moins 20 %, voyez le guide de la DAJ.", reason="précision")
    db.session.commit()
    login(getattr(people, role))
    for url in ["/forums", "/forums/guichet-vert", "/forums/vie-du-reseau", f"/forums/sujets/{thread.id}",
                "/forums/nouveau", "/forums/nouveau?categorie=guichet-vert", "/forums/signets", "/forums/suivis",
                f"/forums/messages/{post.id}/historique", f"/forums/messages/{post.id}/citation", "/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        if "citation" not in url:
            assert page_text(response).count("<h1") == 1, url


def test_anonymous_visitors_are_sent_to_log_in(client: Any, forum: Any, make_thread: Any) -> None:
    thread = make_thread()
    for url in ["/forums", "/forums/guichet-vert", f"/forums/sujets/{thread.id}", "/forums/nouveau"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/compte/connexion" in response.headers["Location"] or "login" in response.headers["Location"]
    assert client.get("/forums/mentions?q=na").status_code == 401
    assert client.get("/forums/similaires?titre=critere").status_code == 401


def test_category_list_shows_counts_and_last_activity(client: Any, login: Any, people: Any, forum: Any,
                                                      make_thread: Any, make_post: Any) -> None:
    thread = make_thread(people.marc, category=forum.desk, title="Lots géographiques en restauration scolaire",
                         kind="question")
    make_post(people.elise, thread)
    login(people.nathalie)
    html = page_text(client.get("/forums"))
    assert "Guichet vert" in html and "Le guichet vert." in html
    assert "Lots géographiques en restauration scolaire" in html
    assert "par Élise Morel" in html
    assert 'href="/forums/nouveau"' in html
    desk = html[html.index("Guichet vert"):]
    assert re.search(r"<dt>Sujets</dt><dd>1</dd>", desk)
    assert re.search(r"<dt>Messages</dt><dd>2</dd>", desk)


def test_thread_list_filters_sorts_and_paginates(client: Any, login: Any, people: Any, forum: Any,
                                                 make_thread: Any, make_post: Any) -> None:
    from achats.forums import services
    from achats.platform.extensions import db

    for i in range(31):
        make_thread(people.marc, title=f"Sujet numéro {i:02d} sur les achats", kind="question" if i % 2 else "discussion",
                    tags=("travaux",) if i == 5 else ())
    solved = make_thread(people.marc, title="Question résolue sur le réemploi", kind="question",
                         tags=("alimentation-egalim",))
    answer = make_post(people.elise, solved, body="La réponse.")
    services.accept_post(db.session, people.marc, answer)
    db.session.commit()
    login(people.nathalie)
    first = page_text(client.get("/forums/vie-du-reseau"))
    assert first.count('<li class="thread-row') == 30
    assert "32 sujets" in first
    assert 'rel="next"' in first
    second = page_text(client.get("/forums/vie-du-reseau?page=2"))
    assert second.count('<li class="thread-row') == 2
    solved_only = page_text(client.get("/forums/vie-du-reseau?resolu=oui"))
    assert "Question résolue sur le réemploi" in solved_only and "Sujet numéro" not in solved_only
    assert "Résolu" in solved_only
    by_theme = page_text(client.get("/forums/vie-du-reseau?theme=alimentation-egalim"))
    assert "Question résolue sur le réemploi" in by_theme and "Sujet numéro" not in by_theme
    by_family = page_text(client.get("/forums/vie-du-reseau?famille=travaux"))
    assert "Sujet numéro 05" in by_family and "Sujet numéro 04" not in by_family
    by_tag = page_text(client.get("/forums/vie-du-reseau?tag=travaux"))
    assert "Sujet numéro 05" in by_tag and "Retirer ce mot-clé" in by_tag
    unanswered = page_text(client.get("/forums/vie-du-reseau?tri=sans-reponse"))
    assert "Question résolue sur le réemploi" not in unanswered and "Sujet numéro 01" in unanswered
    assert "Sujet numéro 02" not in unanswered  # a discussion, not a question
    # Nonsense in the query string is ignored, never an error.
    for junk in ["?page=abc", "?page=999999999999", "?tri=%3Cscript%3E", "?resolu=peut-etre&theme=" + "x" * 300]:
        assert client.get("/forums/vie-du-reseau" + junk).status_code == 200
    assert client.get("/forums/categorie-inconnue").status_code == 404


def test_thread_rows_show_badges_and_unread_counts(client: Any, login: Any, people: Any, forum: Any,
                                                   make_thread: Any, make_post: Any) -> None:
    from achats.forums import services
    from achats.platform.extensions import db

    thread = make_thread(people.marc, category=forum.desk, title="Cantine et producteurs locaux", kind="question")
    login(people.nathalie)
    client.get(f"/forums/sujets/{thread.id}")  # read up to n°1
    services.take_question(db.session, people.elise, thread)
    db.session.commit()
    for _ in range(3):
        make_post(people.marc, thread, body="Une précision de plus.")
    html = page_text(client.get("/forums/guichet-vert"))
    assert "Question" in html
    assert "Prise en charge par Élise Morel" in html
    assert "3 nouveaux" in html
    response = client.get(f"/forums/sujets/{thread.id}?lire=nouveaux")
    assert response.status_code == 302 and response.headers["Location"].endswith("#nouveaux")
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "Nouveau depuis votre dernière visite" in html
    assert html.index("Nouveau depuis votre dernière visite") < html.index('id="message-2"')
    # Read now: the list shows no unread count and the marker is gone.
    assert "nouveaux" not in page_text(client.get("/forums/guichet-vert")).split("thread-list", 1)[1]
    assert "Nouveau depuis votre dernière visite" not in page_text(client.get(f"/forums/sujets/{thread.id}"))


def test_thread_page_paginates_posts_by_twenty(client: Any, login: Any, people: Any, forum: Any,
                                              make_thread: Any, make_post: Any) -> None:
    thread = make_thread(people.marc, title="Un long échange sur les clauses sociales")
    for i in range(24):
        make_post(people.nathalie if i % 2 else people.elise, thread, body=f"Réponse numéro {i + 2}.")
    login(people.marc)
    first = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert 'id="message-20"' in first and 'id="message-21"' not in first
    assert 'data-last-page="false"' in first
    second = page_text(client.get(f"/forums/sujets/{thread.id}?page=2"))
    assert 'id="message-21"' in second and 'id="message-25"' in second and 'id="message-1"' not in second
    assert 'data-last-page="true"' in second
    assert client.get(f"/forums/sujets/{thread.id}?page=99").status_code == 200


def test_thread_page_runs_a_bounded_number_of_queries(client: Any, login: Any, people: Any, forum: Any,
                                                      make_thread: Any, make_post: Any, count_queries: Any) -> None:
    from achats.forums import services
    from achats.platform.extensions import db

    thread = make_thread(people.marc, category=forum.desk, title="Un sujet très suivi", kind="question",
                         tags=("mapa", "fournitures"))
    users = [people.nathalie, people.elise, people.sophie]
    for i in range(25):
        post = make_post(users[i % 3], thread, body=f"Message {i} pour @{people.marc.handle}")
        if i == 3:
            services.accept_post(db.session, people.marc, post)
            db.session.commit()
    login(people.nathalie)
    client.get(f"/forums/sujets/{thread.id}")
    with count_queries() as counter:
        assert client.get(f"/forums/sujets/{thread.id}").status_code == 200
    assert counter.count <= 12, counter.statements
    with count_queries() as counter:
        assert client.get("/forums/guichet-vert").status_code == 200
    assert counter.count <= 12, counter.statements
    with count_queries() as counter:
        assert client.get("/forums").status_code == 200
    assert counter.count <= 8, counter.statements


# --- writing -----------------------------------------------------------------------------------


def test_new_question_in_the_desk_defaults_to_question_and_explains_the_desk(client: Any, login: Any,
                                                                           people: Any, forum: Any) -> None:
    login(people.marc)
    html = page_text(client.get("/forums/nouveau?categorie=guichet-vert"))
    assert "Poser une question au guichet vert" in html
    assert re.search(r'<section class="callout desk-callout" id="guichet-explication"[^>]*>', html).group(0).find("hidden") == -1
    assert "ne donne pas de conseil juridique" in html
    assert re.search(r'value="question"[^>]*checked|checked[^>]*value="question"', html)
    assert "Mots-clés (facultatif)" in html and "laissez vide" in html
    other = page_text(client.get("/forums/nouveau?categorie=vie-du-reseau"))
    assert re.search(r'id="guichet-explication"[^>]*hidden', other)
    assert re.search(r'value="discussion"[^>]*checked|checked[^>]*value="discussion"', other)


def test_new_thread_is_created_with_its_tags(client: Any, login: Any, csrf: Any, people: Any, forum: Any) -> None:
    from achats.forums.models import Thread
    from achats.platform.extensions import db

    login(people.marc)
    response = form_post(client, csrf, "/forums/nouveau", {
        "category": "guichet-vert", "kind": "question", "title": "Cantine scolaire et EGalim : par où commencer ?",
        "body": "Nous sommes une commune de 800 habitants.", "theme": ["alimentation-egalim"],
        "famille": ["fournitures"], "procedure": ["mapa"], "cpv": "cpv-45",
    })
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread).where(Thread.title.startswith("Cantine scolaire")))
    assert response.headers["Location"].endswith(f"/forums/sujets/{thread.id}")
    assert {t.slug for t in thread.tags} == {"alimentation-egalim", "fournitures", "mapa", "cpv-45"}
    assert thread.is_question
    html = page_text(client.get(response.headers["Location"]))
    assert "Votre question est publiée" in html
    assert "Nouvelle" in html


def test_new_thread_errors_keep_everything_typed(client: Any, login: Any, csrf: Any, people: Any, forum: Any) -> None:
    from achats.forums.models import Thread
    from achats.platform.extensions import db

    login(people.marc)
    response = form_post(client, csrf, "/forums/nouveau", {
        "category": "vie-du-reseau", "kind": "discussion", "title": "Court",
        "body": "Mon long message <b>précieux</b>", "theme": ["numerique-responsable"], "famille": ["travaux"],
    })
    assert response.status_code == 400
    html = page_text(response)
    assert "Le titre doit compter au moins" in html
    assert 'value="Court"' in html
    assert "Mon long message &lt;b&gt;précieux&lt;/b&gt;" in html
    assert re.search(r'value="numerique-responsable"\s+checked', html)
    assert re.search(r'value="travaux"\s+checked', html)
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0
    missing = form_post(client, csrf, "/forums/nouveau", {"category": "", "title": "Un titre correct ici",
                                                          "body": "Corps", "kind": "question"})
    assert missing.status_code == 400 and "Ce champ est obligatoire." in page_text(missing)


def test_preview_without_javascript_renders_in_the_page(client: Any, login: Any, csrf: Any, people: Any,
                                                        forum: Any) -> None:
    from achats.forums.models import Thread
    from achats.platform.extensions import db

    login(people.marc)
    response = form_post(client, csrf, "/forums/nouveau", {
        "category": "vie-du-reseau", "kind": "discussion", "title": "Un titre correct ici",
        "body": "**Important** <script>alert('p')</script>", "apercu": "1",
    })
    assert response.status_code == 200
    html = page_text(response)
    assert "<strong>Important</strong>" in html
    assert_no_active_content(html)
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0


def test_preview_endpoint_sanitises_and_needs_csrf(client: Any, login: Any, csrf: Any, people: Any, forum: Any) -> None:
    login(people.marc)
    body = "**gras** @" + people.nathalie.handle + "\n\n" + "\n\n".join(XSS_VECTORS)
    response = client.post("/forums/apercu", data={"body": body}, headers={"X-CSRFToken": csrf()})
    assert response.status_code == 200
    html = page_text(response)
    assert "<strong>gras</strong>" in html
    assert f'href="/membres/{people.nathalie.id}"' in html
    assert_no_active_content(html)
    assert client.post("/forums/apercu", data={"body": "x"}).status_code == 400


def test_pending_account_reads_but_cannot_post(client: Any, login: Any, csrf: Any, people: Any, forum: Any,
                                              make_thread: Any) -> None:
    from achats.forums.models import Post, Thread
    from achats.platform.extensions import db

    thread = make_thread(people.marc, title="Un sujet à lire")
    login(people.pending)
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "Un sujet à lire" in html
    assert "en attente de validation" in html
    assert 'class="reply-form"' not in html
    response = form_post(client, csrf, f"/forums/sujets/{thread.id}/repondre", {"body": "Je tente quand même."})
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(Post.id))) == 1
    new = form_post(client, csrf, "/forums/nouveau", {"category": "vie-du-reseau", "kind": "discussion",
                                                      "title": "Un titre correct ici", "body": "Texte"})
    assert new.status_code == 403
    assert "en attente de validation" in page_text(new)
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 1


def test_reply_is_published_with_a_flash_and_lands_on_its_anchor(client: Any, login: Any, csrf: Any, people: Any,
                                                                 forum: Any, make_thread: Any) -> None:
    thread = make_thread(people.marc, title="Clause de tri des déchets de chantier")
    login(people.nathalie)
    response = form_post(client, csrf, f"/forums/sujets/{thread.id}/repondre",
                         {"body": f"Voici la nôtre, @{people.elise.handle} pourra compléter."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/forums/sujets/{thread.id}#message-2")
    html = page_text(client.get(response.headers["Location"]))
    assert "Votre réponse est publiée." in html
    assert f'href="/membres/{people.elise.id}"' in html


def test_reply_errors_keep_the_text(client: Any, login: Any, csrf: Any, people: Any, forum: Any,
                                    make_thread: Any) -> None:
    thread = make_thread(people.marc, title="Un sujet pour répondre")
    login(people.nathalie)
    response = form_post(client, csrf, f"/forums/sujets/{thread.id}/repondre", {"body": "x"})
    assert response.status_code == 400
    html = page_text(response)
    assert "Le message est vide" in html
    assert re.search(r"<textarea[^>]*>\s*x</textarea>", html)
    assert form_post(client, csrf, f"/forums/sujets/{thread.id}/repondre", {"body": ""}).status_code == 400


def test_reply_preview_without_javascript_keeps_the_draft(client: Any, login: Any, csrf: Any, people: Any,
                                                         forum: Any, make_thread: Any, make_post: Any) -> None:
    from achats.forums.models import Post
    from achats.platform.extensions import db

    thread = make_thread(people.marc, title="Un sujet pour un aperçu")
    target = make_post(people.elise, thread, body="Réponse de l'experte.")
    login(people.nathalie)
    html = page_text(client.get(f"/forums/sujets/{thread.id}?reponse_a={target.id}"))
    assert "En réponse au message n°2 de Élise Morel" in html
    response = form_post(client, csrf, f"/forums/sujets/{thread.id}/repondre",
                         {"body": "Mon *brouillon*", "reply_to_id": str(target.id), "apercu": "1"})
    assert response.status_code == 200
    html = page_text(response)
    assert "<em>brouillon</em>" in html and "Mon *brouillon*</textarea>" in html
    assert f'name="reply_to_id" type="hidden" value="{target.id}"' in html
    assert db.session.scalar(db.select(db.func.count(Post.id))) == 2
    published = form_post(client, csrf, f"/forums/sujets/{thread.id}/repondre",
                          {"body": "Mon brouillon", "reply_to_id": str(target.id)})
    html = page_text(client.get(published.headers["Location"]))
    assert "En réponse au <a" in html and "message n°2</a> de Élise Morel" in html


def test_locked_thread_shows_no_form_and_refuses_replies(client: Any, login: Any, csrf: Any, people: Any,
                                                         forum: Any, make_thread: Any) -> None:
    from achats.forums import services
    from achats.platform.extensions import db

    thread = make_thread(people.marc, title="Un sujet clos")
    services.set_thread_flags(db.session, people.sophie, thread, locked=True)
    db.session.commit()
    login(people.nathalie)
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "Ce sujet est verrouillé" in html
    assert 'class="reply-form"' not in html
    response = form_post(client, csrf, f"/forums/sujets/{thread.id}/repondre", {"body": "Mon texte gardé"})
    assert response.status_code in (403, 409)
    assert "verrouillé" in page_text(response)


def test_quote_without_javascript_prefills_the_reply(client: Any, login: Any, people: Any, forum: Any,
                                                     make_thread: Any, make_post: Any) -> None:
    thread = make_thread(people.marc, title="Critère prix seul sous 60 000 euros")
    post = make_post(people.elise, thread, body="Non : un critère environnemental reste exigé.")
    login(people.nathalie)
    html = page_text(client.get(f"/forums/sujets/{thread.id}?citer={post.id}"))
    expected = (f"&gt; **Élise Morel** a écrit ([message n°2](/forums/sujets/{thread.id}#message-2)) :\n"
                "&gt; Non : un critère environnemental reste exigé.")
    assert expected in html
    assert f'name="reply_to_id" type="hidden" value="{post.id}"' in html
    assert "En réponse au message n°2 de Élise Morel" in html
    data = client.get(f"/forums/messages/{post.id}/citation?selection=reste+exigé").get_json()
    assert data["markdown"].splitlines()[1] == "> reste exigé"
    assert 'aria-label="Citer le message de Élise Morel"' in html


def test_mentions_suggest_active_members_only(client: Any, login: Any, people: Any, make_user: Any) -> None:
    for i in range(10):
        make_user(name=f"Natacha Exemple{i}")
    login(people.marc)
    assert client.get("/forums/mentions?q=n").get_json() == []
    found = client.get("/forums/mentions?q=nat").get_json()
    assert len(found) == 8
    assert {"handle", "name", "organisation"} <= set(found[0])
    assert [u["name"] for u in client.get("/forums/mentions?q=nath").get_json()] == ["Nathalie Girard"]
    assert [u["name"] for u in client.get("/forums/mentions?q=gir").get_json()] == ["Nathalie Girard"]
    by_handle = client.get(f"/forums/mentions?q=@{people.elise.handle}").get_json()
    assert any(u["handle"] == people.elise.handle for u in by_handle)
    assert client.get("/forums/mentions?q=paul").get_json() == []  # pending account
    assert client.get("/forums/mentions?q=%25%25").get_json() == []


def test_similar_titles_are_suggested(client: Any, login: Any, people: Any, forum: Any, make_thread: Any) -> None:
    make_thread(people.marc, title="Pondération du critère environnemental en MAPA")
    make_thread(people.marc, title="Véhicules électriques pour la flotte")
    login(people.nathalie)
    found = client.get("/forums/similaires?titre=Quelle pondération pour le critère environnemental ?").get_json()
    assert [t["title"] for t in found] == ["Pondération du critère environnemental en MAPA"]
    assert found[0]["url"].startswith("/forums/sujets/")
    assert client.get("/forums/similaires?titre=ab").get_json() == []


def test_edit_keeps_history_and_the_diff_is_escaped(client: Any, login: Any, csrf: Any, people: Any, forum: Any,
                                                    make_thread: Any, make_post: Any) -> None:
    thread = make_thread(people.marc, title="Un sujet à modifier")
    post = make_post(people.nathalie, thread, body="Le seuil est de 40 000 euros.")
    login(people.nathalie)
    form = page_text(client.get(f"/forums/messages/{post.id}/modifier"))
    assert "Le seuil est de 40 000 euros." in form
    response = form_post(client, csrf, f"/forums/messages/{post.id}/modifier", {
        "body": "Le seuil est de 60 000 euros. <img src=x onerror=alert('d')>", "reason": "seuil <b>2026</b>"})
    assert response.status_code == 302
    html = page_text(client.get(response.headers["Location"]))
    assert "modifié" in html and f"/forums/messages/{post.id}/historique" in html
    history = page_text(client.get(f"/forums/messages/{post.id}/historique"))
    assert "<del>40</del>" in history or "<del>40 </del>" in history
    assert "<ins>60</ins>" in history or "60" in history.split("<ins>", 1)[1]
    assert "&lt;img src=x onerror=alert(&#39;d&#39;)&gt;" in history
    assert "seuil &lt;b&gt;2026&lt;/b&gt;" in history
    assert_no_active_content(history)
    lines = page_text(client.get(f"/forums/messages/{post.id}/historique?mode=lignes"))
    assert "<del>Le seuil est de 40 000 euros.</del>" in lines


def test_author_deletes_within_the_grace_period(client: Any, login: Any, csrf: Any, people: Any, forum: Any,
                                                make_thread: Any, make_post: Any) -> None:
    from datetime import timedelta

    from achats.platform.extensions import db

    thread = make_thread(people.marc, title="Un sujet avec une erreur")
    post = make_post(people.nathalie, thread, body="Mauvais sujet, pardon.")
    late = make_post(people.nathalie, thread, body="Ancien message.")
    late.created_at = late.created_at - timedelta(hours=1)
    db.session.commit()
    login(people.nathalie)
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert f"/forums/messages/{post.id}/supprimer" in html
    assert f"/forums/messages/{late.id}/supprimer" not in html
    response = form_post(client, csrf, f"/forums/messages/{post.id}/supprimer")
    assert response.status_code == 302
    html = page_text(client.get(response.headers["Location"]))
    assert "Message supprimé." in html and "Mauvais sujet, pardon." not in html
    refused = form_post(client, csrf, f"/forums/messages/{late.id}/supprimer", follow_redirects=True)
    assert "15 minutes" in page_text(refused)


def test_asker_accepts_an_answer_shown_after_the_question(client: Any, login: Any, csrf: Any, people: Any,
                                                          forum: Any, make_thread: Any, make_post: Any) -> None:
    thread = make_thread(people.nathalie, title="Vérifier l'écolabel en exécution", kind="question")
    make_post(people.marc, thread, body="Nous demandons les factures.")
    answer = make_post(people.elise, thread, body="Demandez le certificat de l'écolabel.")
    login(people.marc)
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "Accepter cette réponse" not in html
    refused = form_post(client, csrf, f"/forums/messages/{answer.id}/acceptation", {"accepte": "1"},
                        follow_redirects=True)
    assert "Seuls l&#39;auteur de la question" in page_text(refused)
    login(people.nathalie)
    response = form_post(client, csrf, f"/forums/messages/{answer.id}/acceptation", {"accepte": "1"})
    assert response.headers["Location"].endswith("#message-3")
    html = page_text(client.get(response.headers["Location"]))
    assert "Réponse acceptée : elle s&#39;affiche désormais" in html
    featured = html.index('id="reponses-acceptees"')
    assert featured < html.index("Demandez le certificat") < html.index("Nous demandons les factures")
    assert 'id="suite-3"' in html and html.count('id="message-3"') == 1
    assert "Retirer l&#39;acceptation" in html
    assert "Résolu" in page_text(client.get("/forums/vie-du-reseau"))
    form_post(client, csrf, f"/forums/messages/{answer.id}/acceptation", {"accepte": "0"})
    assert 'id="reponses-acceptees"' not in page_text(client.get(f"/forums/sujets/{thread.id}"))


def test_useful_and_bookmark_toggles(client: Any, login: Any, csrf: Any, people: Any, forum: Any,
                                     make_thread: Any, make_post: Any) -> None:
    thread = make_thread(people.marc, title="Un sujet à garder de côté")
    post = make_post(people.elise, thread, body="Une réponse à garder.")
    login(people.nathalie)
    form_post(client, csrf, f"/forums/messages/{post.id}/utile")
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "Message marqué comme utile." in html
    useful = re.search(rf'/forums/messages/{post.id}/utile".*?</form>', html, re.S).group(0)
    assert 'aria-pressed="true"' in useful and '<span class="count">1</span>' in useful
    form_post(client, csrf, f"/forums/messages/{post.id}/signet")
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    bookmark = re.search(rf'/forums/messages/{post.id}/signet".*?</form>', html, re.S).group(0)
    assert 'aria-pressed="true"' in bookmark
    listing = page_text(client.get("/forums/signets"))
    assert "Un sujet à garder de côté" in listing and "Une réponse à garder." in listing
    assert f"#message-{post.number}" in listing
    response = form_post(client, csrf, f"/forums/messages/{post.id}/signet", {"retour": "signets"})
    assert response.headers["Location"].endswith("/forums/signets")
    assert "Vous n'avez encore aucun signet." in page_text(client.get("/forums/signets"))
    # Own posts take no "utile".
    own = make_post(people.nathalie, thread, body="Le mien.")
    refused = form_post(client, csrf, f"/forums/messages/{own.id}/utile", follow_redirects=True)
    assert "Vous ne pouvez pas marquer ce message comme utile." in page_text(refused)


def test_flagging_a_post_reaches_the_moderators(client: Any, login: Any, csrf: Any, people: Any, forum: Any,
                                                make_thread: Any, make_post: Any) -> None:
    from achats.platform.extensions import db
    from achats.platform.moderation.models import Flag

    thread = make_thread(people.marc, title="Un sujet avec un message douteux")
    post = make_post(people.marc, thread, body="Achetez chez mon beau-frère !")
    login(people.nathalie)
    response = form_post(client, csrf, f"/forums/messages/{post.id}/signaler",
                         {"reason": "spam", "detail": "Publicité"}, follow_redirects=True)
    assert "le message est signalé" in page_text(response)
    flag = db.session.scalar(db.select(Flag))
    assert (flag.target_type, flag.target_id, flag.reason, flag.detail) == ("post", post.id, "spam", "Publicité")
    again = form_post(client, csrf, f"/forums/messages/{post.id}/signaler", {"reason": "spam"}, follow_redirects=True)
    assert "déjà signalé" in page_text(again)
    bad = form_post(client, csrf, f"/forums/messages/{post.id}/signaler", {"reason": "n-importe"}, follow_redirects=True)
    assert "Choisissez un motif" in page_text(bad)


def test_expert_takes_a_question_marks_review_and_dates_an_answer(client: Any, login: Any, csrf: Any, people: Any,
                                                                  forum: Any, make_thread: Any, make_post: Any) -> None:
    thread = make_thread(people.marc, category=forum.desk, title="Part AGEC pour le mobilier de bureau", kind="question")
    login(people.nathalie)
    assert "Prendre en charge" not in page_text(client.get(f"/forums/sujets/{thread.id}"))
    login(people.elise)
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "Prendre en charge cette question" in html
    response = form_post(client, csrf, f"/forums/sujets/{thread.id}/prendre-en-charge", follow_redirects=True)
    html = page_text(response)
    assert "Vous avez pris en charge cette question" in html
    assert "Prise en charge par Élise Morel" in html
    answer = make_post(people.elise, thread, body="20 % selon le décret 2024-134.")
    form_post(client, csrf, f"/forums/messages/{answer.id}/a-jour-au", {"up_to_date_on": "2026-03-12"})
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "à jour au 12/03/2026" in html
    form_post(client, csrf, f"/forums/messages/{answer.id}/a-revoir", {"a_revoir": "1"})
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "Réponse marquée « à revoir »." in html and "À revoir" in html
    bad = form_post(client, csrf, f"/forums/messages/{answer.id}/a-jour-au", {"up_to_date_on": "12/03"},
                    follow_redirects=True)
    assert "Indiquez une date valide" in page_text(bad)
    login(people.marc)
    refused = form_post(client, csrf, f"/forums/messages/{answer.id}/a-revoir", {"a_revoir": "0"},
                        follow_redirects=True)
    assert "Seuls les experts" in page_text(refused)


def test_watch_level_is_saved(client: Any, login: Any, csrf: Any, people: Any, forum: Any, make_thread: Any) -> None:
    thread = make_thread(people.marc, title="Un sujet à suivre de près")
    login(people.nathalie)
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert re.search(r'value="normal" checked', html)
    response = form_post(client, csrf, f"/forums/sujets/{thread.id}/suivi", {"level": "watching"}, follow_redirects=True)
    html = page_text(response)
    assert "Suivi du sujet : Suivre." in html and re.search(r'value="watching" checked', html)
    assert "Un sujet à suivre de près" in page_text(client.get("/forums/suivis"))
    bad = form_post(client, csrf, f"/forums/sujets/{thread.id}/suivi", {"level": "tout"}, follow_redirects=True)
    assert "Choisissez un niveau de suivi." in page_text(bad)


def test_moderators_pin_lock_hide_and_move_from_the_thread_page(client: Any, login: Any, csrf: Any, people: Any,
                                                                forum: Any, make_thread: Any, make_post: Any) -> None:
    from achats.platform.extensions import db
    from achats.platform.moderation.audit import AuditEntry

    thread = make_thread(people.marc, title="Un sujet à modérer")
    post = make_post(people.nathalie, thread, body="Un message hors charte.")
    login(people.nathalie)
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert 'id="moderation-titre"' not in html
    assert form_post(client, csrf, f"/forums/sujets/{thread.id}/moderation", {"action": "lock"}).status_code == 403
    assert form_post(client, csrf, f"/forums/messages/{post.id}/moderation", {"action": "hide"}).status_code == 403
    login(people.sophie)
    assert 'id="moderation-titre"' in page_text(client.get(f"/forums/sujets/{thread.id}"))
    for action, message in [("pin", "Sujet épinglé"), ("lock", "Sujet verrouillé")]:
        html = page_text(form_post(client, csrf, f"/forums/sujets/{thread.id}/moderation",
                                   {"action": action, "reason": "test"}, follow_redirects=True))
        assert message in html
    assert "Épinglé" in html and "Verrouillé" in html
    html = page_text(form_post(client, csrf, f"/forums/messages/{post.id}/moderation",
                               {"action": "hide", "reason": "hors charte"}, follow_redirects=True))
    assert "Message masqué" in html and "Masqué par la modération" in html
    html = page_text(form_post(client, csrf, f"/forums/sujets/{thread.id}/deplacer",
                               {"category": str(forum.energy.id), "reason": "mieux rangé"}, follow_redirects=True))
    assert "Sujet déplacé dans « Énergie et bâtiment »" in html
    form_post(client, csrf, f"/forums/sujets/{thread.id}/moderation", {"action": "hide"})
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action.like("forum.%"))) >= 4
    login(people.nathalie)
    assert client.get(f"/forums/sujets/{thread.id}").status_code == 404
    assert "Un sujet à modérer" not in page_text(client.get("/forums/energie-et-batiment"))


def test_hidden_post_is_a_placeholder_for_readers(client: Any, login: Any, csrf: Any, people: Any, forum: Any,
                                                  make_thread: Any, make_post: Any) -> None:
    from achats.forums import services
    from achats.platform.extensions import db

    thread = make_thread(people.marc, title="Un sujet avec un message masqué")
    post = make_post(people.nathalie, thread, body="Texte retiré par la modération.")
    services.hide_post(db.session, people.sophie, post, "test")
    db.session.commit()
    login(people.marc)
    html = page_text(client.get(f"/forums/sujets/{thread.id}"))
    assert "Texte retiré par la modération." not in html
    assert client.get(f"/forums/messages/{post.id}/historique").status_code == 404


def test_home_page_lists_latest_questions_for_members(client: Any, login: Any, people: Any, forum: Any,
                                                      make_thread: Any) -> None:
    make_thread(people.marc, category=forum.desk, title="Ordinateurs reconditionnés via une centrale", kind="question")
    assert "Ordinateurs reconditionnés" not in page_text(client.get("/"))
    login(people.nathalie)
    assert "Ordinateurs reconditionnés via une centrale" in page_text(client.get("/"))


# --- hostile content ----------------------------------------------------------------------------


def test_xss_vectors_in_titles_bodies_and_names_never_render_active(client: Any, login: Any, csrf: Any,
                                                                    make_user: Any, forum: Any,
                                                                    make_thread: Any, make_post: Any) -> None:
    from achats.forums import services
    from achats.platform.extensions import db

    evil = make_user(name="<img src=x onerror=alert('name')>")
    reader = make_user(name="Lecteur Prudent")
    for i, vector in enumerate(XSS_VECTORS):
        thread = make_thread(evil, title=f"Titre {i} {vector}", body=f"Corps {vector}", kind="question",
                             category=forum.desk if i % 2 else forum.general)
        post = make_post(evil, thread, body=f"Réponse {vector}")
        services.edit_post(db.session, evil, post, body=f"Réponse modifiée {vector}", reason=vector)
        db.session.commit()
        services.toggle_bookmark(db.session, reader, post)
        db.session.commit()
        login(reader)
        for url in ["/forums", "/forums/vie-du-reseau", "/forums/guichet-vert", f"/forums/sujets/{thread.id}",
                    f"/forums/sujets/{thread.id}?citer={post.id}", f"/forums/messages/{post.id}/historique",
                    f"/forums/messages/{post.id}/historique?mode=lignes", "/forums/signets", "/forums/suivis", "/"]:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_no_active_content(page_text(response))
        similar = client.get(f"/forums/similaires?titre=Titre {i}")
        # JSON, never sniffed as HTML; forums.js inserts each title with textContent.
        assert similar.mimetype == "application/json"
        assert similar.headers["X-Content-Type-Options"] == "nosniff"
        assert any(t["title"] == f"Titre {i} {vector}" for t in similar.get_json())
    login(evil)
    edit = page_text(client.get(f"/forums/messages/{post.id}/modifier"))
    assert_no_active_content(edit)
    mentions = client.get("/forums/mentions?q=<img")
    assert mentions.mimetype == "application/json" and mentions.get_json()[0]["name"] == evil.name


def test_shared_post_fragments_carry_each_viewer_own_csrf_token_and_follow_changes(
        app: Any, client: Any, login: Any, people: Any, make_thread: Any, make_post: Any) -> None:
    # Posts are rendered once and kept in the fragment cache for every viewer: the forms inside
    # them must still carry the reader's own CSRF token, and an edit must show at once.
    from achats.platform.cache import fragments
    from achats.platform.extensions import db

    thread = make_thread(people.marc, title="Des fragments partagés")
    post = make_post(people.nathalie, thread, body="Première version du texte.")
    other = app.test_client()
    login(people.elise)
    login(people.sophie, other)

    def tokens(response: Any) -> set[str]:
        return set(re.findall(r'name="csrf_token" value="([^"]+)"', page_text(response)))

    url = f"/forums/sujets/{thread.id}"
    first, second = tokens(client.get(url)), tokens(other.get(url))
    assert len(first) == 1 and len(second) == 1 and first != second
    placeholder = fragments(app).csrf_placeholder
    assert placeholder not in page_text(client.get(url)) and placeholder not in page_text(other.get(url))
    # The token works: a reaction from the cached page is accepted.
    assert client.post(f"/forums/messages/{post.id}/utile", data={"csrf_token": first.pop()}).status_code == 302

    post.body_html = "<p>Seconde version, corrigée.</p>"
    db.session.commit()
    html = page_text(other.get(url))
    assert "Seconde version, corrigée." in html and "Première version du texte." not in html
