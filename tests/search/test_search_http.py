"""GET /api/v1/search and the /recherche page: shape, access, filters, escaping, limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

XSS = '<script>alert("q")</script>'


@pytest.fixture
def corpus(index: Any, make_user: Any) -> dict[str, Any]:
    author = make_user(name="Nathalie Girard")
    index("thread", object_id=1, thread=1, title="Clause d'insertion dans un marché de nettoyage",
          body="Comment rédiger une clause d'insertion sociale avec l'écolabel européen ?",
          facets={"tag": ["nettoyage"], "solved": True}, owner_id=author.id,
          created_at=datetime(2026, 2, 1, 10, tzinfo=UTC))
    index("post", object_id=11, thread=1, title="Re: Clause d'insertion",
          body="Nous avons exigé des produits écolabel et des heures d'insertion.",
          facets={"tag": ["nettoyage"], "solved": True}, created_at=datetime(2026, 2, 2, 10, tzinfo=UTC))
    index("document", object_id=5, title="Modèle de CCAP nettoyage", body="Article 12 : écolabel exigé.",
          url="/documents/5", created_at=datetime(2026, 1, 5, tzinfo=UTC))  # a site path
    return {"author": author}


# --- API --------------------------------------------------------------------------------------


def test_api_needs_a_signed_in_caller(client: Any, corpus: Any) -> None:
    response = client.get("/api/v1/search?q=ecolabel")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_api_returns_ranked_items_with_snippets(api: Any, make_user: Any, corpus: Any) -> None:
    response = api(make_user()).get("/search?q=ecolabel")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"items", "next_cursor"}
    assert body["next_cursor"] is None and body["total"] == 3 and body["total_capped"] is False
    assert {(i["type"], i["id"]) for i in body["items"]} == {("thread", 1), ("post", 11), ("document", 5)}
    item = next(i for i in body["items"] if i["type"] == "post")
    assert set(item) == {"type", "id", "title", "url", "snippet", "score", "created_at", "thread_id", "container", "page"}
    assert item["container"] == {"type": "thread", "id": 1}
    assert item["thread_id"] == 1 and "<mark>écolabel</mark>" in item["snippet"]
    assert item["url"] == "http://localhost/forums/sujets/1"
    document = next(i for i in body["items"] if i["type"] == "document")
    assert document["url"] == "http://localhost/documents/5"
    assert datetime.fromisoformat(item["created_at"]).tzinfo is not None
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_api_filters(api: Any, make_user: Any, corpus: Any) -> None:
    client = api(make_user())
    ids = lambda r: {(i["type"], i["id"]) for i in r.get_json()["items"]}  # noqa: E731
    assert ids(client.get("/search?q=ecolabel&type=thread")) == {("thread", 1)}
    assert ids(client.get("/search?q=ecolabel&type=thread&type=document")) == {("thread", 1), ("document", 5)}
    assert ids(client.get("/search?q=ecolabel&tag=nettoyage")) == {("thread", 1), ("post", 11)}
    assert ids(client.get(f"/search?q=ecolabel&author={corpus['author'].id}")) == {("thread", 1)}
    assert ids(client.get("/search?q=ecolabel&solved=true")) == {("thread", 1), ("post", 11)}
    assert ids(client.get("/search?q=ecolabel&from=2026-02-02&to=2026-12-31")) == {("post", 11)}
    assert ids(client.get("/search?q=ecolabel&to=2026-01-31")) == {("document", 5)}
    assert ids(client.get("/search")) == set()


def test_api_pages_with_a_cursor(api: Any, make_user: Any, index: Any, db: Any) -> None:
    for n in range(5):
        index(object_id=100 + n, title=f"Fiche {n}", body="Achat de mobilier.", commit=False)
    db.session.commit()
    client = api(make_user())
    first = client.get("/search?q=mobilier&limit=2").get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    seen = [i["id"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/search?q=mobilier&limit=2&cursor={cursor}").get_json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == [100, 101, 102, 103, 104]


@pytest.mark.parametrize("query", [
    "q=x&type=wiki", "q=x&limit=0", "q=x&limit=1000", "q=x&cursor=%%%", "q=x&cursor=WyJhIl0",
    "q=x&from=hier", "q=x&from=2026-03-01&to=2026-02-01", "q=x&solved=peut-etre", "q=x&category=abc",
    "q=" + "x" * 300,
])
def test_api_bad_parameters_are_400_problems(api: Any, make_user: Any, query: str) -> None:
    response = api(make_user()).get(f"/search?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


@pytest.mark.parametrize("q", ['"', "NEAR(", "*", "-", ":", ")", "a OR", '"énergie', "\x00"])
def test_api_hostile_queries_answer_200(api: Any, make_user: Any, corpus: Any, q: str) -> None:
    response = api(make_user()).get("/search", query_string={"q": q})
    assert response.status_code == 200


def test_api_is_rate_limited(app_factory: Any, make_user: Any) -> None:
    app = app_factory(ACHATS_SEARCH_RATE_LIMIT="3 per minute")
    with app.app_context():
        from achats.auth.services import create_api_token
        from achats.platform.extensions import db

        user = make_user()
        _, token = create_api_token(db.session, user, "t")
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        codes = [client.get("/api/v1/search?q=x", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_api_is_in_the_openapi_document(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/search" in spec["paths"] or "/search" in spec["paths"]


# --- the page ---------------------------------------------------------------------------------


def test_page_sends_anonymous_visitors_to_log_in(client: Any) -> None:
    response = client.get("/recherche?q=ecolabel")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"] or "login" in response.headers["Location"]


def test_page_lists_results_with_highlighted_snippets(client: Any, login: Any, make_user: Any, corpus: Any) -> None:
    login(make_user(status="pending"))  # reading is open to accounts awaiting approval
    html = client.get("/recherche?q=ecolabel").get_data(as_text=True)
    assert "3 résultats pour « ecolabel »" in html
    assert "<mark>écolabel</mark>" in html
    assert "Clause d&#39;insertion dans un marché de nettoyage" in html or "Clause d&#x27;insertion" in html
    assert 'href="/documents/5"' in html
    assert "Nathalie Girard" in html and "Résolu" in html


def test_page_names_result_authors_and_hides_a_deleted_one(client: Any, login: Any, make_user: Any, corpus: Any,
                                                          db: Any) -> None:
    login(make_user())
    author = corpus["author"]
    html = client.get(f"/recherche?q=ecolabel&auteur={author.id}").get_data(as_text=True)
    assert "par Nathalie Girard" in html and "Auteur : <strong>Nathalie Girard</strong>" in html
    author.status = "deleted"
    db.session.commit()
    html = client.get(f"/recherche?q=ecolabel&auteur={author.id}").get_data(as_text=True)
    assert "Nathalie Girard" not in html
    assert "par Compte supprimé" in html and "Auteur : <strong>Compte supprimé</strong>" in html


def test_page_filters_by_type_and_resolved(client: Any, login: Any, make_user: Any, corpus: Any) -> None:
    login(make_user())
    html = client.get("/recherche?q=ecolabel&type=documents").get_data(as_text=True)
    assert "1 résultat pour" in html and "Modèle de CCAP" in html
    html = client.get("/recherche?q=ecolabel&resolu=non").get_data(as_text=True)
    assert "Aucun résultat pour « ecolabel »" in html and "retirez des filtres" in html


def test_page_echoes_the_query_escaped(client: Any, login: Any, make_user: Any, index: Any) -> None:
    index(object_id=1, title=XSS, body=f"alert {XSS} texte")
    login(make_user())
    response = client.get("/recherche", query_string={"q": XSS})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert XSS not in html
    assert "&lt;script&gt;" in html


def test_page_empty_state_and_bad_dates_in_french(client: Any, login: Any, make_user: Any) -> None:
    login(make_user())
    html = client.get("/recherche").get_data(as_text=True)
    assert "Saisissez un ou plusieurs mots" in html
    response = client.get("/recherche?q=x&du=31/02/2026&au=2026-13-01&page=abc&categorie=%00&resolu=peut-etre")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Du : date invalide" in html and "Au : date invalide" in html


def test_page_paginates(client: Any, login: Any, make_user: Any, index: Any, db: Any) -> None:
    for n in range(45):
        index(object_id=200 + n, title=f"Fiche {n}", body="Achat de mobilier.", commit=False)
    db.session.commit()
    login(make_user())
    html = client.get("/recherche?q=mobilier&type=messages").get_data(as_text=True)
    assert "45 résultats" in html and "page 1 sur 3" in html
    assert re.search(r'href="/recherche\?[^"]*page=2', html)
    html = client.get("/recherche?q=mobilier&type=messages&page=3").get_data(as_text=True)
    assert html.count('class="search-hit"') == 5


def test_page_runs_a_bounded_number_of_queries(client: Any, login: Any, make_user: Any, index: Any, db: Any) -> None:
    from sqlalchemy import event

    users = [make_user() for _ in range(5)]
    for n in range(20):
        index(object_id=300 + n, title=f"Fiche {n}", body="Achat de mobilier.", owner_id=users[n % 5].id,
              commit=False)
    db.session.commit()
    login(users[0])
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/recherche?q=mobilier").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # Planner settings (PostgreSQL: SET LOCAL …, the facet counts' query._no_seqscan) are not
    # queries; the probes that choose the plan are.
    queries = [st for st in statements if not st.startswith("SET LOCAL")]
    assert len(queries) <= 9, queries
