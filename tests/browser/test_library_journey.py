"""The library in a real browser: a buyer attaches a CCTP to a post; a moderator publishes it from
the review list; another buyer finds it by a word that appears only inside the file, sees the
preview, downloads it and leaves a retour d'usage. Then axe-core on the library's pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.documents import files

pytestmark = pytest.mark.browser

WORD = "hydrocurage"  # only inside the file: neither in its title nor in the post


def report(violations: list[dict]) -> str:
    return "\n".join(f"- {v['impact']} {v['id']}: {v['help']} -> {v['nodes']}" for v in violations)


def test_attach_review_find_download_and_tell_how_it_went(new_page, live_server, tmp_path: Path) -> None:
    # 1. Nathalie replies in a thread with her CCTP attached.
    nathalie = new_page("acheteuse@achats.example")
    nathalie.goto("/forums")
    nathalie.get_by_role("link", name=re.compile("Qui a déjà passé un marché réservé")).first.click()
    nathalie.locator("[data-reply-form] textarea").fill("Voici notre CCTP d'entretien des sentiers, anonymisé.")
    nathalie.get_by_text("Joindre un document").click()
    nathalie.get_by_label("Document à joindre").set_input_files(files=[{
        "name": "CCTP entretien des sentiers.pdf", "mimeType": "application/pdf",
        "buffer": files.pdf("Objet : entretien des chemins de randonnée.",
                            f"Les fossés font l'objet d'un {WORD} annuel avant l'hiver.",
                            title="CCTP entretien des sentiers")}])
    nathalie.get_by_label("Type de pièce").select_option(label="CCTP — clauses techniques particulières")
    nathalie.get_by_label(re.compile("Je confirme avoir retiré")).check()
    nathalie.get_by_role("button", name="Publier la réponse").click()
    nathalie.wait_for_url(re.compile(r"#message-\d+$"))
    assert "vérifié par la modération" in nathalie.locator(".flashes").inner_text()
    attachment = nathalie.locator(".post-attachments").last
    assert "CCTP entretien des sentiers" in attachment.inner_text()
    assert "En attente de vérification" in attachment.inner_text()
    thread_url = nathalie.url

    # 2. Sophie publishes it from the review list.
    sophie = new_page("moderator")
    sophie.get_by_role("link", name="Documents à vérifier").click()
    item = sophie.locator(".review-item").filter(has_text="CCTP entretien des sentiers")
    assert "rédaction confirmée" in item.inner_text()
    item.get_by_role("button", name="Publier").click()
    assert "est publié" in sophie.locator(".flashes").inner_text()

    # 3. Thomas finds it by a word inside the file, sees the preview, downloads it.
    thomas = new_page("lycee@achats.example")
    thomas.get_by_role("navigation").get_by_role("link", name="Bibliothèque").first.click()
    thomas.get_by_label(re.compile("Chercher dans les titres")).fill(WORD)
    thomas.get_by_role("button", name="Chercher").click()
    row = thomas.locator(".document-row").filter(has_text="CCTP entretien des sentiers")
    assert "Page 2" in row.inner_text() and WORD in row.locator("mark").first.inner_text()
    row.get_by_role("link", name=re.compile("CCTP entretien des sentiers")).click()
    preview = thomas.get_by_role("img", name=re.compile("Aperçu de la première page"))
    preview.wait_for()
    assert thomas.evaluate("(img) => img.complete && img.naturalWidth > 100", preview.element_handle())
    assert "Discuté dans" in thomas.content()
    with thomas.expect_download() as download_info:
        thomas.get_by_role("link", name=re.compile("^Télécharger")).click()
    download = download_info.value
    assert download.suggested_filename == "CCTP entretien des sentiers.pdf"
    saved = tmp_path / "cctp.pdf"
    download.save_as(saved)
    assert saved.read_bytes()[:5] == b"%PDF-"

    # 4. …and says how it went.
    thomas.get_by_text("Vous l'avez utilisé ?").click()
    thomas.get_by_label("Procédure utilisée").select_option(label="MAPA")
    thomas.get_by_label("Année").fill("2026")
    thomas.get_by_label("Nombre d'offres reçues").fill("3")
    thomas.get_by_label("Attribué").check()
    thomas.get_by_label("Commentaire").fill("Trois offres de structures d'insertion, attribué sans difficulté.")
    thomas.get_by_role("button", name="Envoyer mon retour").click()
    summary = thomas.locator(".reuse-summary")
    summary.wait_for()
    assert re.search(r"Réutilisé 1\s*fois · 3 offres reçues en moyenne", summary.inner_text())

    # The thread now shows the published attachment with its link, to everyone.
    nathalie.goto(thread_url)
    link = nathalie.locator(".post-attachments").last.get_by_role("link", name="CCTP entretien des sentiers")
    assert link.count() == 1
    for page in (nathalie, sophie, thomas):
        assert page.js_errors == []


LIBRARY_PAGES = ["/bibliotheque/", "/bibliotheque/?q=nettoyage", "/bibliotheque/d/cctp-nettoyage-ecolabel",
                 "/bibliotheque/nouveau", "/bibliotheque/mes-documents"]


@pytest.mark.parametrize("path", LIBRARY_PAGES)
def test_library_pages_have_no_serious_violation(new_page, axe, path: str) -> None:
    page = new_page("member")
    page.goto(path)
    violations = axe(page)
    assert not violations, f"{path}:\n{report(violations)}"
    assert page.js_errors == []


def test_review_list_and_upload_errors_have_no_serious_violation(new_page, axe) -> None:
    sophie = new_page("moderator")
    sophie.goto("/bibliotheque/verification")
    assert not (violations := axe(sophie)), report(violations)
    member = new_page("member")
    member.goto("/bibliotheque/nouveau")
    member.get_by_role("button", name="Déposer le document").click()
    member.wait_for_load_state()
    assert "Choisissez le fichier" in member.content() or "obligatoire" in member.content()
    assert not (violations := axe(member)), report(violations)


def test_an_oversize_file_is_refused_before_sending(new_page) -> None:
    page = new_page("member")
    page.goto("/bibliotheque/nouveau")
    page.evaluate("""() => {
        const input = document.querySelector('input[type=file][data-max-bytes]');
        input.dataset.maxBytes = '10';
        const data = new DataTransfer();
        data.items.add(new File(['%PDF-1.7 plus de dix octets'], 'gros.pdf', {type: 'application/pdf'}));
        input.files = data.files;
        input.dispatchEvent(new Event('change'));
    }""")
    assert "la limite est de" in page.get_by_role("alert").first.inner_text()
    assert page.url.endswith("/bibliotheque/nouveau")
