"""Moderation shell: the audit log, flags, and the errors moderation targets raise.

Features declare their moderation targets and queue sections (see platform.features); the
JSON entry points (moderation/api.py) dispatch to them and map these errors to problem+json.
"""

from __future__ import annotations


class ModerationError(Exception):
    status = 400

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class Refused(ModerationError):
    """The actor may not do this to this target (403)."""

    status = 403


class NotFound(ModerationError):
    """No such target, or not one the actor may see (404)."""

    status = 404


class Conflict(ModerationError):
    """The target's state does not allow it (409)."""

    status = 409


class Invalid(ModerationError):
    """The request lacks something the action needs (422)."""

    status = 422
