"""A response the browser saves as a file (exports, calendars, attestations)."""

from __future__ import annotations

from flask import Response, current_app


def attachment(body: str | bytes, mimetype: str, filename: str, *,
               cache_control: str | None = "private, no-store") -> Response:
    """`body` sent as `filename` (an ASCII name the caller builds), not displayed; `cache_control`
    None leaves the default."""
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if cache_control:
        response.headers["Cache-Control"] = cache_control
    return response
