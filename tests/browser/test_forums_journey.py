"""The forum journey in real Chromium: ask a tagged question, answer it quoting and mentioning,
accept the answer, edit it, find it by an unaccented word, and see the bell rise live."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "cheval agrafe batterie correcte"


def _seed(app: Any) -> dict[str, Any]:
    """Three buyers, a desk category and a theme tag (created when the seed lacks them)."""
    from sqlalchemy import select

    from achats.auth.services import create_account
    from achats.forums.models import Category
    from achats.platform.extensions import db
    from achats.platform.tags import Tag, TagFacet

    suffix = secrets.token_hex(3)
    with app.app_context():
        desk = db.session.scalar(select(Category).where(Category.is_desk.is_(True)))
        if desk is None:
            desk = Category(slug="guichet-vert", name="Guichet vert", description="Questions au guichet vert.",
                            position=1, is_desk=True)
            db.session.add(desk)
        theme = db.session.scalar(select(Tag).where(Tag.slug == "produits-entretien"))
        if theme is None:
            theme = Tag(slug="produits-entretien", name="Produits d'entretien et santé environnementale",
                        facet=TagFacet.THEME, position=12)
            db.session.add(theme)
        people = {
            key: create_account(db.session, email=f"{key}-{suffix}@parcours.example", name=name,
                                organisation_name=org, password=PASSWORD, role=role)
            for key, name, org, role in [
                ("asker", f"Nathalie Girard {suffix}", "Grand Dijon", "member"),
                ("answerer", f"Élise Morel {suffix}", "Agence régionale", "expert"),
                ("third", f"Marc Lambert {suffix}", "Commune de Saint-Seine", "member"),
            ]
        }
        db.session.commit()
        return {
            "desk": desk.slug, "theme": theme.slug, "theme_name": theme.name, "suffix": suffix,
            **{key: {"email": u.email, "name": u.name, "handle": u.handle, "id": u.id} for key, u in people.items()},
        }


def _bell(page: Any) -> int:
    return int(page.locator("#bell-count").inner_text().strip() or "0")


def test_question_answer_accept_edit_search_and_live_bell(live_server: Any, new_page: Any) -> None:
    data = _seed(live_server.app)
    base = live_server.url
    title = f"Clause écolabel pour un marché de nettoyage {data['suffix']}"

    # 1. Nathalie asks a tagged question in the desk.
    asker = new_page(data["asker"]["email"], password=PASSWORD)
    asker.goto(f"/forums/nouveau?categorie={data['desk']}")
    assert asker.locator("h1").inner_text() == "Poser une question au guichet vert"
    assert asker.locator("#guichet-explication").is_visible()
    assert asker.locator("input[name=kind][value=question]").is_checked()
    with asker.expect_response(lambda r: "/forums/similaires" in r.url):
        asker.locator("input[name=title]").type(title, delay=5)
    asker.fill("textarea[name=body]", "Comment vérifier l'écolabel des produits en cours d'exécution ?")
    asker.locator("details.tag-picker summary").click()
    asker.get_by_label(data["theme_name"]).check()
    asker.get_by_role("button", name="Publier").click()
    asker.wait_for_url(re.compile(r"/forums/sujets/\d+$"))
    thread_url = asker.url
    assert asker.locator("h1").inner_text() == title
    assert asker.locator(".thread-header .tags").inner_text().strip() == data["theme_name"]
    assert "Votre question est publiée" in asker.locator(".flashes").inner_text()

    # 2. She moves on to another page and watches her bell there.
    asker.goto("/forums")
    asker.wait_for_function("() => window.Achats && window.Achats.socket && window.Achats.socket.connected")
    bell_before = _bell(asker)

    # 3. Élise answers: quotes a selection of the question, mentions Marc through the suggestions.
    answerer = new_page(data["answerer"]["email"], password=PASSWORD)
    answerer.goto(thread_url)
    answerer.evaluate(
        """() => {
            const p = document.querySelector('#message-1 [data-post-body] p');
            const range = document.createRange();
            range.selectNodeContents(p);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    answerer.get_by_role("link", name=re.compile("^Citer le message de Nathalie")).click()
    reply = answerer.locator("[data-reply-form] textarea")
    expect_header = f"> **{data['asker']['name']}** a écrit ([message n°1]("
    answerer.wait_for_function(
        "(header) => document.querySelector('[data-reply-form] textarea').value.includes(header)", arg=expect_header)
    reply.press("End")
    reply.type("Demandez le certificat de l'écolabel européen, et voyez avec @" + data["third"]["handle"][:5],
               delay=15)
    option = answerer.get_by_role("option", name=re.compile(re.escape(data["third"]["name"])))
    option.wait_for()
    # Keyboard only: arrows move the active option (aria-activedescendant), Enter inserts it.
    option_id = option.get_attribute("id")
    for _ in range(8):
        if reply.get_attribute("aria-activedescendant") == option_id:
            break
        reply.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    reply.press("Enter")
    assert f"@{data['third']['handle']} " in reply.input_value()
    reply.type("qui a passé un marché de détergents certifiés.")
    answerer.get_by_role("button", name="Aperçu").click()
    preview = answerer.locator("[data-preview-body]")
    preview.locator("blockquote").wait_for()
    assert f"@{data['third']['handle']}" in preview.inner_text()
    answerer.get_by_role("button", name="Publier la réponse").click()
    answerer.wait_for_url(re.compile(r"#message-2$"))
    assert "Votre réponse est publiée." in answerer.locator(".flashes").inner_text()
    answer = answerer.locator("#message-2")
    assert answer.locator("blockquote").count() == 1
    assert answer.get_by_role("link", name=f"@{data['third']['handle']}").count() == 1

    # 4. On her other page, Nathalie's bell rose without a reload.
    asker.wait_for_function(
        "(before) => Number(document.getElementById('bell-count').textContent) > before", arg=bell_before)
    assert "/forums" in asker.url and _bell(asker) > bell_before

    # 5. She accepts the answer: it shows right after the question.
    asker.goto(thread_url)
    asker.get_by_role("button", name=re.compile("^Accepter cette réponse")).click()
    asker.wait_for_url(re.compile(r"#message-2$"))
    accepted = asker.locator("#reponses-acceptees")
    assert accepted.inner_text() == "Réponse acceptée"
    assert asker.locator(".accepted-answers #message-2 .badge-success").inner_text().strip().endswith("Réponse acceptée")

    # 6. Élise edits her answer with a reason; the history shows what changed.
    answerer.goto(thread_url)
    answerer.locator("#message-2").get_by_role("link", name=re.compile("^Modifier")).click()
    body = answerer.locator("textarea[name=body]")
    body.fill(body.input_value().replace("écolabel européen", "écolabel européen (Ecolabel UE)"))
    answerer.fill("input[name=reason]", "nom officiel du label")
    answerer.get_by_role("button", name="Enregistrer la modification").click()
    answerer.wait_for_url(re.compile(r"#message-2$"))
    answerer.locator("#message-2").get_by_role("link", name=re.compile("^modifié")).click()
    assert answerer.locator("h1").inner_text() == "Historique du message n°2"
    assert "nom officiel du label" in answerer.locator(".history-list").inner_text()
    assert "(Ecolabel UE)" in answerer.locator(".diff ins").first.inner_text()

    # 7. The header's search box finds the thread from a word of the answer typed without accents.
    asker.fill("#site-search-q", "detergents")
    asker.press("#site-search-q", "Enter")
    asker.wait_for_url(re.compile(r"/recherche\?"))
    thread_path = thread_url.removeprefix(base)
    hit = asker.locator(f"main a[href^='{thread_path}']", has_text=title).first
    hit.wait_for()

    # Marc, mentioned in the answer, was notified.
    from sqlalchemy import select

    from achats.platform.extensions import db
    from achats.platform.notifications.models import Notification

    with live_server.app.app_context():
        kinds = set(db.session.scalars(select(Notification.kind).where(
            Notification.recipient_id == data["third"]["id"])))
    assert "mentioned" in kinds, kinds

    assert not asker.js_errors and not answerer.js_errors, (asker.js_errors, answerer.js_errors)


def test_live_post_appears_for_readers_on_the_last_page(live_server: Any, new_page: Any) -> None:
    from achats.auth.models import User
    from achats.forums import services
    from achats.forums.models import Thread
    from achats.platform.extensions import db

    data = _seed(live_server.app)
    with live_server.app.app_context():
        asker = db.session.get(User, data["asker"]["id"])
        category = services.get_category(db.session, data["desk"])
        thread = services.create_thread(db.session, asker, category=category, kind="question",
                                        title=f"Lots géographiques en restauration scolaire {data['suffix']}",
                                        body="Une communauté de 25 communes rurales : comment allotir ?")
        db.session.commit()
        thread_id = thread.id
    reader = new_page(data["third"]["email"], password=PASSWORD)
    reader.goto(f"/forums/sujets/{thread_id}")
    reader.wait_for_function("() => document.getElementById('sujet').dataset.live === 'joined'")
    with live_server.app.app_context():
        expert = db.session.get(User, data["answerer"]["id"])
        thread = db.session.get(Thread, thread_id)
        services.create_post(db.session, expert, thread, body="Un lot par bassin de vie, <b>pas</b> plus de **quatre**.")
        db.session.commit()
    live = reader.locator("#post-list article.is-new")
    live.wait_for()
    assert live.locator(".post__author").inner_text() == data["answerer"]["name"]
    assert live.locator(".post-body strong").inner_text() == "quatre"
    assert live.locator(".post-body b").count() == 0  # raw HTML in Markdown stays text
    assert reader.locator("#annonces-messages").inner_text() == f"Nouveau message de {data['answerer']['name']}"
    assert not reader.js_errors


def test_forum_pages_fit_a_phone_and_pass_axe(live_server: Any, new_page: Any, axe: Any) -> None:
    from achats.forums import services
    from achats.platform.extensions import db

    data = _seed(live_server.app)
    with live_server.app.app_context():
        from achats.auth.models import User

        asker = db.session.get(User, data["asker"]["id"])
        expert = db.session.get(User, data["answerer"]["id"])
        thread = services.create_thread(
            db.session, asker, category=services.get_category(db.session, data["desk"]), kind="question",
            title=f"Un tableau large dans une question {data['suffix']}", tags=[data["theme"]],
            body="| Critère | Pondération | Sous-critère | Commentaire |\n|---|---|---|---|\n| Prix | 60 % | néant | "
                 + "très long commentaire " * 8 + "|")
        services.create_post(db.session, expert, thread, body="Réponse avec `du code très long " + "x" * 120 + "`")
        db.session.commit()
        thread_id = thread.id
    page = new_page(data["asker"]["email"], password=PASSWORD, viewport={"width": 360, "height": 740})
    for url in ["/forums", f"/forums/{data['desk']}", f"/forums/sujets/{thread_id}", "/forums/nouveau",
                "/forums/signets"]:
        page.goto(url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, (url, width)
        assert page.locator("h1").count() == 1, url
        violations = axe(page)
        assert violations == [], (url, violations)
    assert not page.js_errors
