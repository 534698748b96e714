"""Publication: the redaction statement is recorded with who and when; a document stays
pending_review until a moderator publishes it or refuses it with a reason; the uploader hears
either way (in the app, live, by mail). Versions keep the history and go through review again.
The permission table, over the services and the pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import g

from tests.conftest import csrf_token_from, received
from tests.documents import files


def connect(app: Any, login: Any, socket_client: Any, user: Any) -> Any:
    g.pop("_login_user", None)
    sock = socket_client(flask_client=login(user, app.test_client()))
    assert sock.is_connected()
    sock.get_received()
    return sock


def test_the_redaction_statement_is_required_and_recorded(app: Any, db: Any, library: Any) -> None:
    from achats.documents import services

    with pytest.raises(services.InvalidInput) as refused:
        services.create_document(db.session, library.owner, io.BytesIO(files.pdf("x")), "a.pdf",
                                 services.DocumentInput(title="CCTP de test", doc_type="cctp"), confirm_redaction=False)
    assert refused.value.field == "confirm_redaction"
    db.session.rollback()
    assert library.stored_files() == []
    document = library.share()
    version = library.pending(document)
    assert document.status == "pending_review" and version.status == "pending_review"
    assert version.redaction_confirmed_by_id == library.owner.id and version.redaction_confirmed_at is not None


def test_publication_notifies_the_uploader_in_the_app_live_and_by_mail(app: Any, db: Any, library: Any, login: Any,
                                                                         socket_client: Any, mailbox: Any) -> None:
    from achats.platform.notifications.models import Notification

    document = library.share()
    sock = connect(app, login, socket_client, library.owner)
    document = library.publish(document)
    assert document.status == "published" and document.current_version.number == 1
    note = db.session.query(Notification).filter_by(recipient_id=library.owner.id).one()
    assert note.kind == "document_published" and note.target_url == f"/bibliotheque/{document.id}"
    assert "est publié" in note.text
    live = received(sock, "notification")
    assert live and live[0]["text"] == note.text
    mail = mailbox.last(library.owner.email)
    assert "publié" in str(mail["Subject"])


def test_refusal_needs_a_reason_which_the_uploader_reads(app: Any, db: Any, library: Any, mailbox: Any) -> None:
    from achats.documents.services import InvalidInput, reviewing
    from achats.platform.notifications.models import Notification

    document = library.share()
    with pytest.raises(InvalidInput):
        reviewing.reject_version(db.session, library.moderator, library.pending(document), "  ")
    db.session.rollback()
    library.reject(document, "Les prix unitaires du titulaire figurent au BPU.")
    assert document.status == "rejected"
    note = db.session.query(Notification).filter_by(recipient_id=library.owner.id, kind="document_rejected").one()
    assert "Les prix unitaires du titulaire" in note.text
    assert "Les prix unitaires du titulaire" in mailbox.last(library.owner.email).get_body().get_content()


def test_a_version_is_reviewed_again_and_the_earlier_one_stays_downloadable(
        app: Any, db: Any, library: Any, api: Any, make_user: Any) -> None:
    document = library.share(publish=True)
    version2 = library.add_version(document, files.pdf("Deuxième version : ajout des indicateurs."))
    assert version2.number == 2 and version2.status == "pending_review"
    assert document.current_version.number == 1  # the published one stays shown
    reader = api(make_user())
    listed = reader.get(f"/documents/{document.id}/versions").get_json()["items"]
    assert [v["version"] for v in listed] == [1]  # a version under review is not shown to others
    owner = api(library.owner).get(f"/documents/{document.id}/versions").get_json()["items"]
    assert [(v["version"], v["status"]) for v in owner] == [(2, "pending_review"), (1, "published")]
    library.publish(document)
    assert document.current_version.number == 2
    listed = reader.get(f"/documents/{document.id}/versions").get_json()["items"]
    assert [(v["version"], v["current"]) for v in listed] == [(2, True), (1, False)]
    old = reader.get(f"/documents/{document.id}/versions/1/download")
    assert old.status_code == 200 and old.data[:5] == b"%PDF-"
    assert reader.get(f"/documents/{document.id}/versions/2/download").status_code == 200


def test_a_refused_new_version_leaves_the_published_one_in_place(app: Any, db: Any, library: Any) -> None:
    document = library.share(publish=True)
    library.add_version(document, files.pdf("Version avec des noms."))
    library.reject(document, "Des noms d'agents figurent en page 2.")
    assert document.status == "published" and document.current_version.number == 1


def test_the_document_page_shows_versions_as_current_and_earlier(app: Any, client: Any, login: Any,
                                                                   library: Any, make_user: Any) -> None:
    document = library.share(publish=True)
    library.add_version(document, files.pdf("v2"))
    library.publish(document)
    login(make_user())
    html = client.get(f"/bibliotheque/{document.id}").get_data(as_text=True)
    assert "Version n°2" in html and "Version actuelle" in html and "Ancienne version" in html


def test_the_review_list_publishes_and_refuses(app: Any, db: Any, client: Any, login: Any, library: Any) -> None:
    first = library.share(title="CCTP nettoyage des locaux")
    second = library.share(title="Rapport d'analyse avec prix")
    login(library.moderator)
    page = client.get("/bibliotheque/verification")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "CCTP nettoyage des locaux" in html and "Rapport d&#39;analyse avec prix" in html
    token = csrf_token_from(client)
    v1, v2 = library.pending(first), library.pending(second)
    client.post(f"/bibliotheque/versions/{v1.id}/verification", data={"csrf_token": token, "decision": "publier"})
    empty_reason = client.post(f"/bibliotheque/versions/{v2.id}/verification",
                               data={"csrf_token": token, "decision": "refuser", "reason": ""}, follow_redirects=True)
    assert "Indiquez la raison du refus" in empty_reason.get_data(as_text=True)
    client.post(f"/bibliotheque/versions/{v2.id}/verification",
                data={"csrf_token": token, "decision": "refuser", "reason": "Prix confidentiels."})
    db.session.expire_all()
    assert first.status == "published" and second.status == "rejected"
    assert "Aucun document n'attend" in client.get("/bibliotheque/verification").get_data(as_text=True)


def test_the_moderation_api_publishes_and_refuses_documents(app: Any, db: Any, api: Any, library: Any) -> None:
    first, second = library.share(), library.share(title="Deuxième document")
    moderator = api(library.moderator)
    queue = moderator.get("/moderation/queue").get_json()
    assert {item["id"] for item in queue["pending_documents"]} == {first.id, second.id}
    ok = moderator.post("/moderation/actions", json={"action": "publish", "target_type": "document",
                                                     "target_id": first.id, "reason": ""})
    assert ok.status_code == 200, ok.get_json()
    no_reason = moderator.post("/moderation/actions", json={"action": "reject", "target_type": "document",
                                                            "target_id": second.id})
    assert no_reason.status_code == 422
    again = moderator.post("/moderation/actions", json={"action": "publish", "target_type": "document",
                                                        "target_id": first.id})
    assert again.status_code == 409
    member = api(library.owner).post("/moderation/actions", json={"action": "publish", "target_type": "document",
                                                                  "target_id": second.id})
    assert member.status_code in (403, 404)
    db.session.expire_all()
    assert first.status == "published" and second.status == "pending_review"


# --- the permission table ----------------------------------------------------------------------------

ROLES = ["anonymous", "pending", "member", "owner", "expert", "moderator"]
# action -> roles allowed, for a published members-only document (owner = who shared it).
TABLE = {
    "view_document": {"pending", "member", "owner", "expert", "moderator"},
    "download_document": {"pending", "member", "owner", "expert", "moderator"},
    "upload_document": {"member", "owner", "expert", "moderator"},
    "edit_document": {"owner", "moderator"},
    "add_version": {"owner", "moderator"},
    "review_documents": {"moderator"},
    "mark_document_review": {"expert", "moderator"},
    "add_reuse": {"member", "owner", "expert", "moderator"},
}
# The same for a document still under review.
TABLE_PENDING = {
    "view_document": {"owner", "moderator"},
    "download_document": {"owner", "moderator"},
    "edit_document": {"owner", "moderator"},
    "add_version": {"owner", "moderator"},
    "mark_document_review": {"moderator"},
    "add_reuse": set(),
}


@pytest.fixture
def people(library: Any, make_user: Any) -> dict[str, Any]:
    from flask_login import AnonymousUserMixin

    return {"anonymous": AnonymousUserMixin(), "pending": make_user(status="pending"), "member": make_user(),
            "owner": library.owner, "expert": make_user(role="expert"), "moderator": library.moderator}


def _allowed(action: str, user: Any, document: Any, version: Any) -> bool:
    from achats.documents.permissions import PREDICATES

    predicate = PREDICATES[action]
    if action in ("upload_document", "review_documents"):
        return predicate(user)
    if action == "download_document":
        return predicate(user, document, version)
    return predicate(user, document)


@pytest.mark.parametrize("state,table", [("published", TABLE), ("pending", TABLE_PENDING)])
def test_the_permission_table(app: Any, library: Any, people: dict[str, Any], state: str,
                              table: dict[str, set[str]]) -> None:
    document = library.share(publish=state == "published")
    version = document.current_version or library.pending(document)
    for action, allowed in table.items():
        got = {role for role in ROLES if _allowed(action, people[role], document, version)}
        assert got == allowed, action


def test_the_table_holds_on_the_pages(app: Any, client: Any, login: Any, library: Any, people: dict[str, Any]) -> None:
    document = library.share()
    for role in ROLES:
        c = app.test_client()
        if role != "anonymous":
            login(people[role], c)
        page = c.get(f"/bibliotheque/{document.id}")
        assert page.status_code == (200 if role in TABLE_PENDING["view_document"] else 404), role
        edit = c.get(f"/bibliotheque/{document.id}/modifier")
        assert edit.status_code in ((200,) if role in TABLE_PENDING["edit_document"] else (403, 404)), role
        review = c.get("/bibliotheque/verification")
        assert (review.status_code == 200) == (role == "moderator"), role
