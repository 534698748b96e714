"""French error pages, and problem+json for the API; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from achats.platform.api import api_http_error, is_api_request, problem

log = logging.getLogger("achats")

MESSAGES = {
    400: ("Requête invalide", "La requête envoyée n'a pas pu être comprise. Vérifiez le formulaire et réessayez."),
    401: ("Connexion requise", "Connectez-vous pour accéder à cette page."),
    403: ("Accès refusé", "Vous n'avez pas le droit d'accéder à cette page ou d'effectuer cette action."),
    404: ("Page introuvable", "Cette page n'existe pas ou n'est plus disponible."),
    405: ("Méthode non autorisée", "Cette action n'est pas possible de cette manière."),
    413: ("Fichier trop volumineux", "Le contenu envoyé dépasse la taille autorisée."),
    429: ("Trop de tentatives", "Vous avez fait trop de demandes en peu de temps. Patientez quelques minutes avant de réessayer."),
    500: ("Erreur interne", "Une erreur inattendue s'est produite. L'équipe technique a été prévenue ; réessayez dans un instant."),
}


def render_error(status: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(status, ("Erreur", "Une erreur est survenue."))
    return render_template("errors/error.html", status=status, title=title, message=detail or message), status


def init_errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        if is_api_request():
            return problem(400, "Jeton CSRF manquant ou invalide (en-tête X-CSRFToken).")
        return render_error(
            400,
            "Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et renvoyez-le ; "
            "vos saisies sont à recopier si elles ont été perdues.",
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if is_api_request():
            return api_http_error(exc)
        status = exc.code or 500
        if status == 401:
            status = 403
        if status == 400 and exc.description and "Host" in str(exc.description):
            return render_error(400, "Nom d'hôte non autorisé.")
        response, code = render_error(status if status in MESSAGES else 400)
        from flask import make_response

        resp = make_response(response, code)
        retry_after = getattr(exc, "retry_after", None)
        if status == 429 and retry_after:
            resp.headers["Retry-After"] = str(retry_after)
        if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return _http(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        try:
            from achats.platform.extensions import db

            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection itself may be the problem
            log.warning("rollback after an unhandled error failed", exc_info=True)
        if is_api_request():
            return problem(500, "Une erreur interne est survenue.")
        try:
            return render_error(500)
        except Exception:  # noqa: BLE001 - template failure: plain text, still no trace
            return "Erreur interne", 500

    _ = InternalServerError
