"""The OpenAPI 3.1 document, generated from the registered API operations and their models."""

from __future__ import annotations

import re
from typing import Any, Literal

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from achats.platform.api import API_PREFIX, PROBLEM, TITLES, Problem, operations
from achats.platform.ids import MAX_ID

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>[a-zA-Z_]+)>")
DEFAULT_ERRORS = (400, 401, 403, 404, 422, 429)


def _models_of(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_of(arg))
    return found


def _schema_ref(annotation: Any, refs: dict[Any, Any]) -> dict[str, Any]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return refs[(annotation, "serialization")]
    if isinstance(annotation, dict):
        return annotation
    origin = getattr(annotation, "__origin__", None)
    if origin is list:
        return {"type": "array", "items": _schema_ref(annotation.__args__[0], refs)}
    return {}


def build_openapi(app: Flask) -> dict[str, Any]:
    known = operations(app)
    models: set[type[BaseModel]] = {Problem}
    for op in known.values():
        for m in (op.body, op.query):
            if m is not None:
                models.add(m)
        models.update(_models_of(op.response))
    keys: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = (
        [(m, "validation") for m in models] + [(m, "serialization") for m in models])
    refs, top = models_json_schema(keys, ref_template="#/components/schemas/{model}")
    schemas = top.get("$defs", {})

    paths: dict[str, Any] = {}
    for rule in app.url_map.iter_rules():
        found = known.get(rule.endpoint)
        if found is None:
            continue
        op = found
        methods = [m for m in rule.methods or () if m not in ("HEAD", "OPTIONS")]
        path = _CONVERTER.sub(lambda m: "{" + m.group("name") + "}", rule.rule)
        params: list[dict[str, Any]] = []
        for match in _CONVERTER.finditer(rule.rule):
            schema = ({"type": "integer", "minimum": 0, "maximum": MAX_ID} if match.group("conv") == "int"
                      else {"type": "string"})
            params.append({"name": match.group("name"), "in": "path", "required": True, "schema": schema})
        if op.query is not None:
            qschema = op.query.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, prop in qschema.get("properties", {}).items():
                params.append(
                    {"name": name, "in": "query", "required": name in qschema.get("required", []),
                     "schema": prop}
                )
        for method in methods:
            operation: dict[str, Any] = {
                "operationId": rule.endpoint.replace(".", "_"),
                "summary": op.summary,
                "tags": list(op.tags),
                "parameters": params,
                "responses": {},
            }
            if op.description:
                operation["description"] = op.description
            if op.body is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
                }
            elif op.multipart is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": op.multipart}},
                }
            ok: dict[str, Any] = {"description": "Succès"}
            if op.status != 204:
                schema = _schema_ref(op.response, refs) if op.response is not None else {}
                ok["content"] = {op.content_type: {"schema": schema}}
            operation["responses"][str(op.status)] = ok
            errors = set(DEFAULT_ERRORS) | set(op.errors)
            if op.body is not None or op.multipart is not None:
                errors |= {413, 415}
            if not op.auth:
                errors.discard(401)
            for status in sorted(errors):
                operation["responses"][str(status)] = {
                    "description": TITLES.get(status, "Erreur"),
                    "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
            operation["security"] = [{"bearerAuth": []}, {"cookieAuth": []}] if op.auth else [{}, {"bearerAuth": []}]
            paths.setdefault(path, {})[method.lower()] = operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Achats — API",
            "version": "1.0.0",
            "description": "API de la plateforme d'échanges des acheteurs publics de Bourgogne-Franche-Comté.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Jeton d'API personnel"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "achats_session"},
            },
        },
    }


def api_prefix() -> str:
    return API_PREFIX
