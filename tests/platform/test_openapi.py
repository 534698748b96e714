"""The OpenAPI 3.1 document is valid, describes every API route, and the API honours it under fuzzing."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

API_PREFIX = "/api/v1"
# Fuzzing budget: examples per operation and mode. ~35 operations x (positive + negative) stays well
# under a minute on the CI machine; raise locally with ACHATS_FUZZ_EXAMPLES to dig deeper.
FUZZ_EXAMPLES = 10


def openapi_document(client: Any) -> dict[str, Any]:
    response = client.get(API_PREFIX + "/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def test_document_is_a_valid_openapi_3_1_document(client):
    validator = pytest.importorskip("openapi_spec_validator")
    doc = openapi_document(client)
    assert doc["openapi"].startswith("3.1")
    validator.validate(doc)  # raises on any structural error


def test_document_structure_without_external_validator(client):
    doc = openapi_document(client)
    assert doc["info"]["title"] and doc["info"]["version"]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "description": schemes["bearerAuth"]["description"]}
    schemas = doc["components"]["schemas"]
    operation_ids: set[str] = set()
    refs: list[str] = []

    def collect_refs(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                collect_refs(value)
        elif isinstance(node, list):
            for value in node:
                collect_refs(value)

    for path, operations in doc["paths"].items():
        assert path.startswith(API_PREFIX + "/"), path
        assert "<" not in path, f"Werkzeug converter left in {path}"
        templated = {seg[1:-1] for seg in path.split("/") if seg.startswith("{")}
        for method, op in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            assert op["operationId"] not in operation_ids, op["operationId"]
            operation_ids.add(op["operationId"])
            assert op["summary"]
            path_params = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert path_params == templated, (path, method)
            success = [code for code in op["responses"] if code.startswith("2")]
            assert len(success) == 1, (path, method)
            for code, response in op["responses"].items():
                assert response["description"]
                if not code.startswith("2"):
                    assert "application/problem+json" in response["content"], (path, method, code)
            if "requestBody" in op:
                assert {"413", "415", "422"} <= set(op["responses"]), (path, method)
    collect_refs(doc)
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, f"dangling {ref}"


def test_every_api_route_is_documented(app, client):
    """The document is generated from the code: no route under /api/v1 escapes it."""
    doc = openapi_document(client)
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    import re

    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/") or rule.endpoint in ("platform.openapi", "platform.api_docs"):
            continue
        path = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-zA-Z_]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} ({rule.endpoint}) is not in openapi.json"


def test_document_names_the_api_md_contract(client):
    doc = openapi_document(client)
    paths = doc["paths"]
    for path, method in [("/me", "get"), ("/tokens", "get"), ("/tokens", "post"), ("/tokens/{token_id}", "delete"),
                         ("/notifications", "get"), ("/notifications/read", "post"),
                         ("/moderation/queue", "get"), ("/moderation/actions", "post")]:
        assert method in paths.get(API_PREFIX + path, {}), f"{method.upper()} {path} missing"
    listing = paths[API_PREFIX + "/notifications"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"limit", "cursor", "unread"} <= names
    assert paths[API_PREFIX + "/tokens"]["post"]["responses"].keys() >= {"201", "422"}
    assert "204" in paths[API_PREFIX + "/tokens/{token_id}"]["delete"]["responses"]


def test_integer_path_parameters_beyond_the_database_range_are_404_not_500(api, make_user):
    caller = api(make_user())
    for huge in (2**31, 2**31 + 5, 2**63, 10**30):
        for method in ("DELETE", "GET"):
            response = caller.request(method, f"/tokens/{huge}")
            assert response.status_code == 404, (method, huge, response.status_code)
            assert response.mimetype == "application/problem+json"
    assert caller.delete(f"/tokens/{2**31 - 1}").status_code == 404  # in range, merely unknown


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 !!",
        "W10",  # []
        "WyJhIl0",  # ["a"]
        "W0luZmluaXR5XQ",  # [Infinity]
        "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMF0",  # [1000000000000000000000000000]
        "WzEuNWUzMDBd",  # [1.5e300]
        "WzIxNDc0ODM2NDhd",  # [2147483648]: beyond INTEGER
        "e30",  # {}
    ],
)
def test_bad_cursors_are_400_problems(api, make_user, cursor):
    response = api(make_user()).get(f"/notifications?cursor={cursor}")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "cursor" in response.json["errors"]


def test_huge_ids_in_bodies_are_refused_not_500(api, make_user):
    admin = api(make_user(role="admin"))
    response = admin.post("/notifications/read", json={"ids": [2**64]})
    assert response.status_code in (200, 422), response.status_code
    response = admin.post("/moderation/actions", json={"action": "suspend", "target_type": "user",
                                                       "target_id": 2**64, "reason": "x"})
    assert response.status_code in (404, 422), response.status_code


def test_naive_suspension_date_is_a_422_not_a_500(api, make_user):
    admin = api(make_user(role="admin"))
    member = make_user()
    response = admin.post("/moderation/actions", json={"action": "suspend", "target_type": "user",
                                                       "target_id": member.id, "reason": "spam",
                                                       "until": "2099-01-01T00:00:00"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "until" in response.json["errors"]


def test_deeply_nested_json_is_a_4xx(api, make_user):
    body = "[" * 100_000 + "]" * 100_000
    response = api(make_user()).post("/tokens", data=body, headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500


# --- schemathesis -----------------------------------------------------------------------------


def test_api_conforms_to_its_document_under_fuzzing(app, db, make_user, make_token):
    """Schemathesis, in process: no 500, and every response documented (status, type, schema).

    Runs each operation with positive data (all response checks) and negative data (no server
    error, documented status), as an admin so that every branch is reachable.
    """
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )
    from sqlalchemy import select

    from achats.auth.models import ApiToken
    from tests.conftest import seed_demo

    for _ in seed_demo():
        pass
    admin = make_user(role="admin", name="Admin Fuzz")
    member = make_user(name="Membre Cible")
    from achats.platform.notifications.services import Target, notify

    for i in range(3):
        notify(db.session, admin, "role_changed", member, Target("user", member.id, f"/membres/{member.id}"), f"note {i}")
    db.session.commit()

    state: dict[str, Any] = {"secret": make_token(admin, "fuzz")}

    def headers() -> dict[str, str]:
        # The fuzzer may revoke the very token it uses (DELETE /tokens/{id}): make a new one then.
        from achats.auth.models import hash_secret

        token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(state["secret"])))
        if token is None or token.revoked_at is not None:
            state["secret"] = make_token(admin, "fuzz")
        return {"Authorization": f"Bearer {state['secret']}"}

    schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", app)
    positive_checks = [not_a_server_error, status_code_conformance, content_type_conformance,
                       response_schema_conformance]
    negative_checks = [not_a_server_error, status_code_conformance, content_type_conformance]
    failures: list[str] = []

    def fuzz(operation: Any, mode: Any, checks: list[Any], count: int) -> Any:
        @settings(max_examples=count, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            try:
                case.call_and_validate(headers=headers(), checks=checks)
            finally:
                db.session.rollback()

        return run

    started = time.monotonic()
    examples = int(os.environ.get("ACHATS_FUZZ_EXAMPLES", FUZZ_EXAMPLES))

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, checks, count in ((schemathesis.GenerationMode.POSITIVE, positive_checks, examples),
                                    (schemathesis.GenerationMode.NEGATIVE, negative_checks, max(1, examples * 2 // 3))):
            try:
                fuzz(operation, mode, checks, count)()
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected, reported below
                failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc)[:1500]}")
            finally:
                db.session.rollback()

    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} operation(s) failed ({elapsed:.0f} s):\n\n" + "\n\n".join(failures)
