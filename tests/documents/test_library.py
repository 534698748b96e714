"""The library page: facets with counts, sorts, search in titles, descriptions and the text inside
the files (accent-insensitive, with the matching passage and its page); a document's page with
its figures, "discuté dans" and retours d'usage."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from tests.conftest import csrf_token_from
from tests.documents import files


@pytest.fixture
def shelf(app: Any, db: Any, library: Any, theme: str, make_organisation: Any) -> dict[str, Any]:
    org = make_organisation(name="Commune de Dole (test)")
    made = {
        "nettoyage": library.share(
            data=files.pdf("Objet du marché : nettoyage des bâtiments.",
                           "Les produits portent l'Écolabel européen.",
                           "Les lavettes en microfibre sont lavées par le titulaire."),
            title="CCTP nettoyage des locaux", doc_type="cctp", themes=[theme], famille="services",
            cpv_codes=["90911200-8"], levier="specification-technique", year=2025, organisation_id=org.id,
            publish=True),
        "dechets": library.share(
            data=files.docx("Tri en sept flux et bordereaux Trackdéchets."), filename="clause.docx",
            title="Clause de traçabilité des déchets de chantier", doc_type="clausier", famille="travaux",
            cpv_codes=["45000000-7"], levier="condition-d-execution", year=2026, publish=True),
        "spaser": library.share(
            data=files.odt("Le conseil adopte le schéma de promotion des achats responsables."),
            filename="deliberation.odt", title="Délibération SPASER 2026", doc_type="deliberation", year=2026,
            licence="cc_by", publish=True, visibility="public"),
        "pending": library.share(title="CCTP en attente", doc_type="cctp"),
    }
    return {k: library.fresh(v) for k, v in made.items()}


def _facet(html: str, label: str) -> dict[str, int]:
    """{value label: count} of one facet of the page."""
    html = unescape(html)
    block = html.split(f"<summary>{label}</summary>", 1)[1].split("</details>", 1)[0]
    return {re.sub(r"\s+", " ", name).strip(): int(count.replace("\u202f", ""))
            for name, count in re.findall(r'class="facet__value[^"]*"[^>]*>([^<]+)<span class="facet__count">\(([\d\u202f]+)\)',
                                          block)}


def test_facets_have_counts_and_filter(app: Any, client: Any, login: Any, shelf: dict[str, Any],
                                       make_user: Any) -> None:
    login(make_user())
    html = client.get("/bibliotheque/").get_data(as_text=True)
    assert "3 documents" in html and "CCTP en attente" not in html
    assert _facet(html, "Type de document") == {"CCTP — clauses techniques particulières": 1, "Clausier": 1,
                                                "Délibération": 1}
    assert _facet(html, "Famille d'achat") == {"Travaux": 1, "Services": 1}
    assert _facet(html, "Année") == {"2026": 2, "2025": 1}
    assert _facet(html, "Division CPV")["45 — Travaux de construction"] == 1
    assert _facet(html, "Licence") == {"Licence Ouverte 2.0 (Etalab)": 2, "CC BY 4.0": 1}
    assert _facet(html, "Organisme")["Commune de Dole (test)"] == 1
    filtered = client.get("/bibliotheque/?annee=2026").get_data(as_text=True)
    assert "2 documents" in filtered and "CCTP nettoyage des locaux" not in filtered
    # Counts under a filter say what choosing another value would give.
    assert _facet(filtered, "Type de document") == {"Clausier": 1, "Délibération": 1}
    assert _facet(filtered, "Année") == {"2026": 2, "2025": 1}
    by_cpv = client.get("/bibliotheque/?cpv=90").get_data(as_text=True)
    assert "1 document" in by_cpv and "CCTP nettoyage des locaux" in by_cpv
    by_theme = client.get("/bibliotheque/?theme=produits-entretien").get_data(as_text=True)
    assert "1 document" in by_theme
    nonsense = client.get("/bibliotheque/?annee=abc&type=virus&cpv=99&organisme=-1&tri=%00&page=x")
    assert nonsense.status_code == 200 and "3 documents" in nonsense.get_data(as_text=True)


def test_with_words_the_facets_count_the_matches_each_under_the_other_filters(
        app: Any, client: Any, login: Any, library: Any, make_user: Any) -> None:
    """The words' facet counts come from the index (in the database on PostgreSQL): each facet
    counts the matches under the other facets' filters, the total under all of them."""
    shared = {}
    for title, doc_type, year, famille in (
            ("Clause biosourcée A", "clausier", 2025, "travaux"), ("Clause biosourcée B", "clausier", 2026, "travaux"),
            ("CCTP biosourcé C", "cctp", 2026, "travaux"), ("CCTP biosourcé D", "cctp", 2026, "services"),
            ("Guide sans le mot", "guide", 2026, "travaux")):
        shared[title] = library.share(title=title, doc_type=doc_type, year=year, famille=famille, publish=True,
                                      data=files.pdf("Des matériaux biosourcés." if "sans" not in title else "Rien."))
    library.share(title="Clause biosourcée en attente", doc_type="clausier", year=2026)  # pending: not counted
    login(make_user())
    html = client.get("/bibliotheque/?q=biosourcés").get_data(as_text=True)
    assert "4 documents" in html and "en attente" not in html
    assert _facet(html, "Type de document") == {"CCTP — clauses techniques particulières": 2, "Clausier": 2}
    assert _facet(html, "Année") == {"2026": 3, "2025": 1}
    both = client.get("/bibliotheque/?q=biosourcés&annee=2026&famille=travaux").get_data(as_text=True)
    assert "2 documents" in both
    assert _facet(both, "Année") == {"2026": 2, "2025": 1}  # under famille=travaux only
    assert _facet(both, "Famille d'achat") == {"Travaux": 2, "Services": 1}  # under année=2026 only
    assert _facet(both, "Type de document") == {"CCTP — clauses techniques particulières": 1, "Clausier": 1}
    by_downloads = client.get("/bibliotheque/?q=biosourcés&annee=2026&tri=telecharges").get_data(as_text=True)
    assert "3 documents" in by_downloads and "Clause biosourcée A" not in by_downloads
    api = client.get("/api/v1/documents?q=biosourcés&year=2026").get_json()
    assert api["total"] == 3


def test_the_shared_listing_follows_every_change_and_keeps_audiences_apart(
        app: Any, client: Any, login: Any, library: Any, make_user: Any) -> None:
    """Without words the listing is rendered once per change for each audience (fragment cache):
    a visitor never gets the members' rendering, and a publication or a reuse shows at once."""
    library.share(title="Guide public", doc_type="guide", visibility="public", publish=True)
    library.share(title="Clausier des membres", doc_type="clausier", publish=True)
    anonymous = client.get("/bibliotheque/").get_data(as_text=True)
    assert "Guide public" in anonymous and "Clausier des membres" not in anonymous
    login(make_user())
    members = client.get("/bibliotheque/").get_data(as_text=True)
    assert "Guide public" in members and "Clausier des membres" in members
    library.share(title="CCTP publié ensuite", doc_type="cctp", publish=True)
    assert "CCTP publié ensuite" in client.get("/bibliotheque/").get_data(as_text=True)
    with app.test_client() as visitor:
        again = visitor.get("/bibliotheque/").get_data(as_text=True)
        assert "Clausier des membres" not in again and "CCTP publié ensuite" not in again


def test_search_inside_the_files_shows_the_passage_and_its_page(app: Any, client: Any, login: Any,
                                                                 shelf: dict[str, Any], make_user: Any) -> None:
    login(make_user())
    html = client.get("/bibliotheque/?q=microfibre").get_data(as_text=True)
    assert "1 document" in html and "CCTP nettoyage des locaux" in html
    assert "Page 3 : " in html and "<mark>microfibre</mark>" in html
    accents = client.get("/bibliotheque/?q=ecolabel europeen").get_data(as_text=True)
    assert "CCTP nettoyage des locaux" in accents and "Page 2 : " in accents
    docx = client.get("/bibliotheque/?q=Trackdechets").get_data(as_text=True)
    assert "Clause de traçabilité" in docx
    nothing = client.get("/bibliotheque/?q=zzzinexistant").get_data(as_text=True)
    assert "Aucun document ne contient tous ces mots" in nothing
    hostile = client.get("/bibliotheque/?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert(1)" not in hostile


def test_sorts(app: Any, db: Any, client: Any, login: Any, shelf: dict[str, Any], make_user: Any) -> None:
    from datetime import timedelta

    from achats.platform.db import utcnow

    now = utcnow()
    shelf["nettoyage"].published_at, shelf["dechets"].published_at = now - timedelta(days=3), now - timedelta(days=2)
    shelf["spaser"].published_at = now - timedelta(days=1)
    shelf["dechets"].download_count, shelf["nettoyage"].download_count = 9, 4
    shelf["nettoyage"].updated_at = now
    db.session.commit()
    login(make_user())

    def order(query: str) -> list[str]:
        html = client.get("/bibliotheque/" + query).get_data(as_text=True)
        return [t for t in re.findall(r'class="document-row__title"><a [^>]*>([^<]+)</a>', html)]

    assert order("") == ["Délibération SPASER 2026", "Clause de traçabilité des déchets de chantier",
                         "CCTP nettoyage des locaux"]
    assert order("?tri=telecharges")[0] == "Clause de traçabilité des déchets de chantier"
    assert order("?tri=mis-a-jour")[0] == "CCTP nettoyage des locaux"


def test_retours_d_usage_are_summed_up_in_the_list_and_the_page(app: Any, db: Any, client: Any, login: Any,
                                                                shelf: dict[str, Any], make_user: Any) -> None:
    document = shelf["nettoyage"]
    buyers = [make_user(), make_user(), make_user()]
    for buyer, bids, outcome in zip(buyers, (4, 5, 3), ("awarded", "awarded", "unsuccessful"), strict=True):
        login(buyer)
        token = csrf_token_from(client)
        response = client.post(f"/bibliotheque/{document.id}/retours", data={
            "csrf_token": token, "procedure": "appel-d-offres", "year": "2026", "bids_received": str(bids),
            "outcome": outcome, "comment": "Bien reçu par les entreprises."})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = client.get(f"/bibliotheque/{document.id}").get_data(as_text=True)
    assert "Réutilisé 3 fois · 4 offres reçues en moyenne · 2 marchés attribués" in page.replace("\u202f", " ")
    listing = client.get("/bibliotheque/").get_data(as_text=True)
    assert "réutilisé 3 fois · 4 offres en moyenne" in listing
    token = csrf_token_from(client)
    bad = client.post(f"/bibliotheque/{document.id}/retours", data={
        "csrf_token": token, "procedure": "appel-d-offres", "year": "1850", "bids_received": "-3", "outcome": "x"})
    assert bad.status_code == 400 and "Une année entre 1990 et 2100." in bad.get_data(as_text=True)


def test_reuses_are_refused_on_documents_not_published(app: Any, api: Any, shelf: dict[str, Any],
                                                       make_user: Any, library: Any) -> None:
    body = {"procedure": "mapa", "year": 2026, "bids_received": 3, "outcome": "awarded"}
    assert api(make_user()).post(f"/documents/{shelf['pending'].id}/reuses", json=body).status_code == 404
    assert api(library.owner).post(f"/documents/{shelf['pending'].id}/reuses", json=body).status_code == 403


def test_discute_dans_lists_the_threads_citing_a_document(app: Any, db: Any, client: Any, login: Any,
                                                          shelf: dict[str, Any], make_user: Any) -> None:
    from achats.forums import services as forum
    from achats.forums.models import Category, Post

    category = Category(slug="essai", name="Essai", description="")
    db.session.add(category)
    db.session.commit()
    author = make_user()
    document = shelf["dechets"]
    thread = forum.create_thread(db.session, author, category=category, title="Traçabilité des déchets",
                                 body=f"Voyez [la clause](/bibliotheque/{document.id}) de la Nièvre.")
    other = forum.create_thread(db.session, author, category=category, title="Un sujet masqué",
                                body=f"Lien : /bibliotheque/{document.id}")
    forum.set_thread_flags(db.session, make_user(role="moderator"), other, hidden=True)
    db.session.commit()
    login(make_user())
    page = client.get(f"/bibliotheque/{document.id}").get_data(as_text=True)
    assert "Discuté dans" in page and "Traçabilité des déchets" in page
    assert "Un sujet masqué" not in page
    opening = db.session.query(Post).filter_by(thread_id=thread.id, number=1).one()
    forum.edit_post(db.session, author, opening, body="Plus de lien.")
    db.session.commit()
    assert "Traçabilité des déchets" not in client.get(f"/bibliotheque/{document.id}").get_data(as_text=True)


def test_experts_date_a_document_and_flag_it_for_review(app: Any, db: Any, client: Any, login: Any,
                                                        shelf: dict[str, Any], make_user: Any) -> None:
    document = shelf["nettoyage"]
    login(make_user(role="expert"))
    token = csrf_token_from(client)
    client.post(f"/bibliotheque/{document.id}/a-jour", data={"csrf_token": token, "up_to_date_on": "2026-11-30",
                                                             "a_revoir": "1"})
    page = client.get(f"/bibliotheque/{document.id}").get_data(as_text=True)
    assert "30 novembre 2026" in page and "À revoir" in page
    future = client.post(f"/bibliotheque/{document.id}/a-jour", data={"csrf_token": token,
                                                                      "up_to_date_on": "2099-01-01"},
                         follow_redirects=True)
    assert "ne peut pas être dans le futur" in future.get_data(as_text=True)
    login(make_user())
    assert client.post(f"/bibliotheque/{document.id}/a-jour",
                       data={"csrf_token": csrf_token_from(client), "up_to_date_on": "2026-11-30"}).status_code == 403


def test_sharing_from_the_page(app: Any, db: Any, client: Any, login: Any, library: Any, theme: str) -> None:
    import io

    login(library.owner)
    token = csrf_token_from(client)
    response = client.post("/bibliotheque/nouveau", data={
        "csrf_token": token, "title": "CCTP espaces verts en gestion différenciée", "doc_type": "cctp",
        "themes": [theme], "famille": "services", "cpv_codes": "77310000-6", "licence": "licence_ouverte_2",
        "visibility": "members", "year": "2026", "confirm_redaction": "y",
        "file": (io.BytesIO(files.pdf("Fauchage tardif.")), "cctp-espaces-verts.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "L'équipe de modération le vérifie" in html.replace("&#39;", "'")
    assert "En attente de vérification" in html
    mine = client.get("/bibliotheque/mes-documents").get_data(as_text=True)
    assert "CCTP espaces verts en gestion différenciée" in mine
