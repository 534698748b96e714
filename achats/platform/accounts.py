"""What the shell knows of an account, whichever feature owns accounts: a structural type."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Protocol, runtime_checkable

# How every page, export and index shows a person who deleted their account.
DELETED_ACCOUNT_NAME = "Compte supprimé"


@runtime_checkable
class Account(Protocol):
    """The attributes the platform reads (the auth feature's User has them; so does Flask-Login's
    anonymous user, with is_authenticated False)."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...


def person_scrubber(name: str | None, email: str | None) -> Callable[[str], str]:
    """A function removing a person's name and address from a text (as typed, and as escaped in
    JSON, where audit details keep them): for account deletion."""
    pairs: list[tuple[str, str]] = []
    for old, new in ((name or "", DELETED_ACCOUNT_NAME), (email or "", "[adresse supprimée]")):
        if old:
            pairs += [(old, new), (json.dumps(old)[1:-1], new), (json.dumps(old, ensure_ascii=False)[1:-1], new)]

    def scrub(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    return scrub
