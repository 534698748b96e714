"""Pending, refused, hidden and members-only documents reach nobody who may not see them: not
the document page, its file, preview or versions, not the API, the search (page and API), the
library listing and the home page, notifications, nor the live post payload of an attachment."""

from __future__ import annotations

from typing import Any

import pytest
from flask import g

from tests.conftest import received
from tests.documents import files

SECRET = "zygomorphe"  # a word found only inside the file


@pytest.fixture
def documents(app: Any, db: Any, library: Any) -> dict[str, Any]:
    from achats.documents.services import reviewing

    data = files.pdf(f"Le cahier cite une clause {SECRET} unique.")
    made = {
        "pending": library.share(data=data, title="Document en attente de vérification"),
        "rejected": library.reject(library.share(data=data, title="Document refusé par la modération")),
        "hidden": library.share(data=data, title="Document masqué par la modération", publish=True),
        "members": library.share(data=data, title="Document réservé aux membres", publish=True),
        "public": library.share(data=data, title="Document public de la bibliothèque", publish=True,
                                visibility="public"),
    }
    reviewing.set_hidden(db.session, library.moderator, made["hidden"], True, "test")
    db.session.commit()
    return {k: library.fresh(v) for k, v in made.items()}


# Who may see which document (the owner shared them all).
SEES = {
    "anonymous": {"public"},
    "member": {"members", "public"},
    "owner": {"pending", "rejected", "members", "public"},
    "moderator": {"pending", "rejected", "hidden", "members", "public"},
}


@pytest.fixture
def viewers(library: Any, make_user: Any) -> dict[str, Any]:
    return {"anonymous": None, "member": make_user(name="Autre Acheteur"), "owner": library.owner,
            "moderator": library.moderator}


def _client(app: Any, login: Any, user: Any) -> Any:
    g.pop("_login_user", None)
    c = app.test_client()
    return login(user, c) if user is not None else c


@pytest.mark.parametrize("viewer", list(SEES))
def test_pages_files_and_previews(app: Any, login: Any, documents: dict[str, Any], viewers: dict[str, Any],
                                  viewer: str) -> None:
    c = _client(app, login, viewers[viewer])
    for state, document in documents.items():
        allowed = state in SEES[viewer]
        page = c.get(f"/bibliotheque/{document.id}")
        assert page.status_code == (200 if allowed else 404), (viewer, state)
        download = c.get(f"/bibliotheque/{document.id}/versions/1/telecharger")
        assert download.status_code == (200 if allowed else 404), (viewer, state)
        if allowed:
            assert download.headers["Content-Disposition"].startswith("attachment")
            restricted = state != "public"
            assert ("private" in download.headers["Cache-Control"]) == restricted, state
        preview = c.get(f"/bibliotheque/{document.id}/versions/1/apercu.png")
        assert preview.status_code in ((200,) if allowed else (404,)), (viewer, state)
        if document.slug:
            assert c.get(f"/bibliotheque/d/{document.slug}").status_code == (302 if allowed else 404)


@pytest.mark.parametrize("viewer", list(SEES))
def test_the_api(app: Any, api: Any, documents: dict[str, Any], viewers: dict[str, Any], viewer: str) -> None:
    c = api(viewers[viewer])
    for state, document in documents.items():
        allowed = state in SEES[viewer]
        for path in ("", "/download", "/versions", "/reuses", "/versions/1/download"):
            response = c.get(f"/documents/{document.id}{path}")
            assert response.status_code == (200 if allowed else 404), (viewer, state, path)
            if not allowed:
                assert response.mimetype == "application/problem+json"
                assert document.title not in response.get_data(as_text=True)
    listed = {d["id"] for d in c.get("/documents?limit=100").get_json()["items"]}
    expected = {documents[s].id for s in SEES[viewer] if s in ("members", "public")}
    assert listed == expected, viewer
    found = {d["id"] for d in c.get(f"/documents?q={SECRET}").get_json()["items"]}
    assert found == expected, viewer


@pytest.mark.parametrize("viewer", list(SEES))
def test_search_page_and_api(app: Any, login: Any, api: Any, documents: dict[str, Any], viewers: dict[str, Any],
                             viewer: str) -> None:
    titles = {s: d.title for s, d in documents.items()}
    c = _client(app, login, viewers[viewer])
    search_page = c.get(f"/recherche?q={SECRET}")
    html = search_page.get_data(as_text=True)
    if viewer == "anonymous":
        assert search_page.status_code == 302  # the site search is for members; the library searches publicly
        html = ""
    hits = c.get(f"/bibliotheque/?q={SECRET}").get_data(as_text=True)
    if viewer != "anonymous":
        body = api(viewers[viewer]).get(f"/search?q={SECRET}&type=document").get_json()
        api_titles = {h["title"] for h in body["items"]}
    else:
        api_titles = None
    for state, title in titles.items():
        # The search lists what its reader may open; the owner's own pending ones too (moderators:
        # everything), the shared library only what is published.
        in_search = state in SEES[viewer]
        in_library = in_search and state in ("members", "public")
        if viewer != "anonymous":
            assert (title in html) == in_search, (viewer, state)
        assert (title in hits) == in_library, (viewer, state)
        if api_titles is not None:
            assert (title in api_titles) == in_search, (viewer, state)


@pytest.mark.parametrize("viewer", list(SEES))
def test_listing_and_home_page(app: Any, login: Any, documents: dict[str, Any], viewers: dict[str, Any],
                               viewer: str) -> None:
    c = _client(app, login, viewers[viewer])
    listing = c.get("/bibliotheque/").get_data(as_text=True)
    home = c.get("/").get_data(as_text=True)
    for state, document in documents.items():
        shown = state in SEES[viewer] and state in ("members", "public")
        assert (document.title in listing) == shown, (viewer, state)
        assert (document.title in home) == shown, (viewer, state)


def test_notifications_about_a_document_reach_only_its_uploader(app: Any, db: Any, library: Any,
                                                                 make_user: Any) -> None:
    from achats.platform.notifications.models import Notification

    bystander = make_user()
    library.reject(library.share(title="Un document refusé"))
    library.publish(library.share(title="Un document publié"))
    assert db.session.query(Notification).filter_by(recipient_id=bystander.id).count() == 0
    kinds = {n.kind for n in db.session.query(Notification).filter_by(recipient_id=library.owner.id)}
    assert kinds == {"document_published", "document_rejected"}


def _thread(db: Any, make_user: Any) -> Any:
    """A forum thread in a category of its own."""
    from achats.forums import services as forum
    from achats.forums.models import Category

    category = Category(slug="essai", name="Essai", description="")
    db.session.add(category)
    db.session.commit()
    thread = forum.create_thread(db.session, make_user(), category=category, title="Nettoyage écolabel",
                                 body="Qui a un CCTP ?")
    db.session.commit()
    return thread


def _reply_with_attachment(db: Any, library: Any, thread: Any) -> tuple[int, Any]:
    """The library owner's reply in `thread` with a PDF attached (a document under review)."""
    import io

    from achats.forums import services as forum
    from achats.platform.features import registry

    class Upload:
        filename = "CCTP confidentiel Dupont.pdf"
        stream = io.BytesIO(files.pdf("Texte."))

    document_id = registry().attachments.accept(db.session, library.owner, Upload(),
                                                {"doc_type": "cctp", "confirm_redaction": True})
    post = forum.create_post(db.session, library.owner, thread, body="Voici le nôtre.", attachment_ids=[document_id])
    db.session.commit()
    return document_id, post


def test_an_attachment_under_review_is_not_shown_to_other_readers_live_or_in_the_page(
        app: Any, db: Any, login: Any, socket_client: Any, make_user: Any, library: Any) -> None:
    """A buyer attaches a file to a reply: the thread's other readers learn that a document is
    attached and waits for review — not its title, name or link — live, in the page and the API."""
    thread = _thread(db, make_user)
    reader = make_user(name="Lectrice")
    g.pop("_login_user", None)
    sock = socket_client(flask_client=login(reader, app.test_client()))
    sock.get_received()
    assert sock.emit("join", {"room": f"thread:{thread.id}"}, callback=True) == {"ok": True}
    document_id, post = _reply_with_attachment(db, library, thread)
    event = received(sock, "post_created")[0]
    assert event["post"]["attachments"] == [{"id": document_id, "title": "Document joint", "filename": "",
                                             "url": None, "note": "En attente de vérification par la modération"}]
    assert "Dupont" not in str(event)
    page = login(reader, app.test_client()).get(f"/forums/sujets/{thread.id}").get_data(as_text=True)
    assert "Dupont" not in page and "En attente de vérification par la modération" in page
    g.pop("_login_user", None)
    own = login(library.owner, app.test_client()).get(f"/forums/sujets/{thread.id}").get_data(as_text=True)
    assert "CCTP confidentiel Dupont" in own
    assert post.id


def test_the_posts_api_shows_an_attachment_under_review_to_its_owner_only_in_any_order(
        app: Any, db: Any, library: Any, make_user: Any, api: Any) -> None:
    """The posts API keeps a thread's JSON for every reader, except a page with attachments: what
    they show depends on the reader. Asked by a reader, the owner, then the reader again."""
    thread = _thread(db, make_user)
    _reply_with_attachment(db, library, thread)
    reader, owner = api(make_user(name="Lectrice")), api(library.owner)

    def attachment(client: Any) -> dict[str, Any]:
        items = client.get(f"/threads/{thread.id}/posts").get_json()["items"]
        return items[1]["attachments"][0]

    assert attachment(reader)["title"] == "Document joint" and attachment(reader)["url"] is None
    assert "Dupont" in attachment(owner)["title"] + attachment(owner)["filename"]
    masked = attachment(reader)
    assert "Dupont" not in str(masked) and masked["note"] == "En attente de vérification par la modération"
