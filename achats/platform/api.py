"""The JSON API shell: blueprints under /api/v1, typed operations, problem+json, cursors, OpenAPI."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import wraps
from typing import Annotated, Any, TypeVar, cast

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import HTTPException

from achats.platform.ids import MAX_ID

F = TypeVar("F", bound=Callable[..., Any])

API_PREFIX = "/api/v1"
PROBLEM = "application/problem+json"

TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Action non autorisée",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    409: "Conflit avec l'état actuel",
    413: "Contenu trop volumineux",
    415: "Type de contenu non accepté",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
}


class ApiError(Exception):
    """Raised by API views (and mapped from domain errors) to answer with problem+json."""

    def __init__(
        self, status: int, detail: str, *, errors: dict[str, list[str]] | None = None, type_: str | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.type = type_


def problem(
    status: int, detail: str, *, errors: dict[str, list[str]] | None = None, type_: str | None = None
) -> Response:
    body: dict[str, Any] = {
        "type": type_ or "about:blank",
        "title": TITLES.get(status, "Erreur"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="achats"'
    return response


# --- schemas shared by every feature ----------------------------------------------------------


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="ignore")


class StrictBody(BaseModel):
    """Request bodies: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = None


# An object id in a request body or query: `ids: list[Id]`, `target_id: Id`.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=500)


def validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        errors.setdefault(loc, []).append(_french_message(err))
    return errors


def _french_message(err: Any) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    messages = {
        "missing": "Ce champ est obligatoire.",
        "extra_forbidden": "Ce champ n'est pas accepté.",
        "string_too_short": f"Au moins {ctx.get('min_length')} caractère(s).",
        "string_too_long": f"Au plus {ctx.get('max_length')} caractères.",
        "int_parsing": "Un nombre entier est attendu.",
        "int_type": "Un nombre entier est attendu.",
        "string_type": "Une chaîne de caractères est attendue.",
        "bool_type": "Un booléen est attendu.",
        "bool_parsing": "Un booléen est attendu.",
        "list_type": "Une liste est attendue.",
        "dict_type": "Un objet est attendu.",
        "model_type": "Un objet est attendu.",
        "literal_error": f"Valeur attendue : {ctx.get('expected')}.",
        "enum": f"Valeur attendue : {ctx.get('expected')}.",
        "greater_than_equal": f"La valeur doit être au moins {ctx.get('ge')}.",
        "less_than_equal": f"La valeur doit être au plus {ctx.get('le')}.",
        "datetime_parsing": "Une date ISO 8601 est attendue.",
        "datetime_type": "Une date ISO 8601 est attendue.",
        "timezone_aware": "Une date avec son décalage horaire est attendue (par exemple 2026-03-01T09:00:00+01:00).",
        "too_long": "Liste trop longue.",
        "value_error": str(ctx.get("error", "Valeur invalide.")),
    }
    return messages.get(kind, "Valeur invalide.")


# --- cursor pagination -----------------------------------------------------------------------


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "Curseur de pagination invalide.", errors={"cursor": ["Curseur invalide."]}) from None
    if not isinstance(values, list) or len(values) != size or not all(_cursor_value_ok(v) for v in values):
        raise ApiError(400, "Curseur de pagination invalide.", errors={"cursor": ["Curseur invalide."]})
    return values


def _cursor_value_ok(value: Any) -> bool:
    # Forged cursors must not reach the database as NaN, infinities or integers it cannot hold.
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return abs(value) <= MAX_ID  # keyset columns are INTEGER ids: PostgreSQL refuses more
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) <= 2**53
    return False


def keyset_page(
    session: Any,
    query: Any,
    columns: Sequence[Any],
    limit: int,
    cursor: str | None,
    key: Callable[[Any], Sequence[Any]],
    descending: bool = True,
    converters: Sequence[Callable[[Any], Any]] | None = None,
    fetch: Callable[[Any], Sequence[Any]] | None = None,
) -> tuple[list[Any], str | None]:
    """Keyset pagination over `columns` (ending with a unique column); returns items, next cursor.
    `fetch(statement)` loads the items (default: the statement's entities)."""
    from sqlalchemy import and_, or_

    values = decode_cursor(cursor, len(columns))
    if values is not None:
        if converters:
            try:
                values = [conv(v) for conv, v in zip(converters, values, strict=True)]
            except (TypeError, ValueError, OverflowError):
                raise ApiError(400, "Curseur de pagination invalide.", errors={"cursor": ["Curseur invalide."]}) from None
        clauses = []
        for i, col in enumerate(columns):
            eqs = [columns[j] == values[j] for j in range(i)]
            cmp = col < values[i] if descending else col > values[i]
            clauses.append(and_(*eqs, cmp))
        query = query.where(or_(*clauses))
    order = [c.desc() if descending else c.asc() for c in columns]
    statement = query.order_by(*order).limit(limit + 1)
    rows = list(fetch(statement) if fetch is not None else session.scalars(statement))
    next_cursor = encode_cursor(key(rows[limit - 1])) if len(rows) > limit else None
    return rows[:limit], next_cursor


# --- operations and their registry -----------------------------------------------------------


@dataclass
class Operation:
    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    auth: bool = True
    tags: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()
    content_type: str = "application/json"
    multipart: dict[str, Any] | None = None
    description: str | None = None
    extra_responses: dict[str, Any] = field(default_factory=dict)


class ApiBlueprint(Blueprint):
    """A feature's API blueprint, mounted under /api/v1; `operation()` declares typed routes.

    The blueprint keeps its own operations; an app collects those of the blueprints it registers
    (`operations()`), so two apps of one process document only their own routes."""

    def __init__(self, name: str, import_name: str, tag: str) -> None:
        super().__init__(name, import_name, url_prefix=API_PREFIX)
        self.tag = tag
        self.operations: dict[str, Operation] = {}

    def operation(
        self,
        rule: str,
        method: str,
        summary: str,
        *,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        auth: bool = True,
        errors: tuple[int, ...] = (),
        content_type: str = "application/json",
        multipart: dict[str, Any] | None = None,
        description: str | None = None,
        endpoint: str | None = None,
    ) -> Callable[[F], F]:
        def decorator(view: F) -> F:
            op = Operation(
                summary=summary, body=body, query=query, response=response, status=status, auth=auth,
                tags=(self.tag,), errors=errors, content_type=content_type, multipart=multipart,
                description=description,
            )

            @wraps(view)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                if op.auth and not current_user.is_authenticated:
                    raise ApiError(401, "Connectez-vous ou fournissez un jeton d'API.")
                if op.query is not None:
                    try:
                        kwargs["query"] = op.query.model_validate(_query_dict(op.query))
                    except ValidationError as exc:
                        raise ApiError(400, "Paramètres invalides.", errors=validation_errors(exc)) from None
                if op.body is not None:
                    kwargs["body"] = _parse_body(op.body)
                result = view(*args, **kwargs)
                return _to_response(result, op.status)

            name = endpoint or view.__name__
            self.add_url_rule(rule, name, wrapped, methods=[method])
            self.operations[f"{self.name}.{name}"] = op
            return wrapped  # type: ignore[return-value]  # wraps() keeps the view's signature; mypy cannot tell

        return decorator


def _query_dict(model: type[BaseModel]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in request.args:
        f = model.model_fields.get(key)
        values = request.args.getlist(key)
        if f is not None and _is_list(f.annotation):
            data[key] = values
        else:
            data[key] = values[-1]
    return data


def _is_list(annotation: Any) -> bool:
    return "list" in str(annotation).lower()


def _parse_body(model: type[BaseModel]) -> BaseModel:
    if request.mimetype != "application/json":
        raise ApiError(415, "Le corps de la requête doit être du JSON (application/json).")
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly nested JSON
        raise ApiError(400, "Le corps de la requête n'est pas du JSON valide.") from None
    if not isinstance(data, dict):
        raise ApiError(422, "Un objet JSON est attendu.", errors={"body": ["Un objet JSON est attendu."]})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "Certains champs sont invalides.", errors=validation_errors(exc)) from None


def _to_response(result: Any, status: int) -> Any:
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        result, status = result
    if result is None:
        return current_app.response_class(status=204)
    payload = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    response = jsonify(payload)
    response.status_code = status
    return response


def json_text(payload: Any) -> str:
    """`payload` as the API serialises it (the same bytes as returning it from an operation)."""
    response = cast(Response, current_app.json.response(payload))
    return response.get_data(as_text=True)


def json_answer(text: str, status: int = 200) -> Response:
    """A response with JSON already serialised (json_text): what an operation returns when it
    keeps the serialised body of a list in a cache rather than the rows."""
    return current_app.response_class(text, status=status, mimetype="application/json")


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, with dates as ISO 8601 (API.md) instead of Flask's default HTTP dates."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, datetime | date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


# --- authentication and errors for /api/v1 ---------------------------------------------------


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX


def operations(app: Flask | None = None) -> dict[str, Operation]:
    """The typed operations of the app's API blueprints, by endpoint."""
    return (app or current_app).extensions["achats"].state.get("operations", {})


def init_api(app: Flask, blueprints: list[Blueprint]) -> None:
    from achats.platform.extensions import csrf

    app.json = JSONProvider(app)

    collected: dict[str, Operation] = {}
    for bp in blueprints:
        csrf.exempt(bp)
        app.register_blueprint(bp)
        collected.update(getattr(bp, "operations", {}))
    app.extensions["achats"].state["operations"] = collected

    @app.before_request
    def _api_auth() -> Any:
        if not is_api_request():
            return None
        g.private_response = True
        token = bearer_token()
        if token is not None:
            # The token alone says who calls, even when a session or remember-me cookie comes
            # along (Flask-Login would prefer the cookie and never read the header).
            identity = app.extensions["achats"].identity
            user = identity.user_for_token(token) if identity is not None else None
            if user is None:
                return problem(401, "Jeton d'API invalide ou révoqué.")
            g._login_user = user  # Flask-Login's per-request user
            g.api_token_user = user
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and current_user.is_authenticated:
            csrf.protect()  # session-authenticated writes need X-CSRFToken
        return None

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return problem(exc.status, exc.detail, errors=exc.errors, type_=exc.type)


def api_http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    detail = {
        400: "La requête est invalide.",
        401: "Connectez-vous ou fournissez un jeton d'API.",
        403: "Vous n'avez pas le droit d'effectuer cette action.",
        404: "Cette ressource n'existe pas ou ne vous est pas accessible.",
        405: "Cette méthode n'est pas acceptée ici.",
        413: "Le contenu envoyé est trop volumineux.",
        415: "Ce type de contenu n'est pas accepté.",
        429: "Trop de requêtes : réessayez dans quelques instants.",
    }.get(status, "Une erreur est survenue.")
    if status == 400 and getattr(exc, "description", None) and "CSRF" in str(exc.description):
        detail = "Jeton CSRF manquant ou invalide (en-tête X-CSRFToken)."
    response = problem(status, detail)
    retry_after = getattr(exc, "retry_after", None)
    if status == 429 and retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response
