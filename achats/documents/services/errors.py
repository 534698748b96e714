"""The errors the library's rules raise (views show them in French, the API as problem+json)."""

from __future__ import annotations


class DocumentError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DocumentError):
    status = 422


class NotAllowed(DocumentError):
    status = 403


class Conflict(DocumentError):
    status = 409
