"""The events' domain errors: a French message, the HTTP status the API answers, the field."""

from __future__ import annotations

from typing import Any


class EventError(Exception):
    status = 422

    def __init__(self, message: str, field: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotAllowed(EventError):
    status = 403


class RegistrationClosed(EventError):
    status = 409


class AlreadyRegistered(EventError):
    status = 409

    def __init__(self, registration: Any) -> None:
        super().__init__("Vous êtes déjà inscrit(e) à cet événement.")
        self.registration = registration


class SlotTaken(EventError):
    status = 409


class Conflict(EventError):
    status = 409
