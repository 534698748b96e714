"""Who an index entry is for, and who is searching: the query filters on both.

An entry's audience is one of: "public" (anyone, signed in or not), "members" (signed-in
accounts, pending ones included), "role:<role>" (that role and the ones above it: a hidden
post is "role:moderator"), "owner" (its owner and the moderators: a pending document).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from achats.platform.security import Role, has_role

PUBLIC = "public"
MEMBERS = "members"
OWNER = "owner"


def role_audience(role: Role) -> str:
    return f"role:{role.value}"


MODERATORS = role_audience(Role.MODERATOR)
AUDIENCES = frozenset({PUBLIC, MEMBERS, OWNER, *(role_audience(r) for r in Role if r is not Role.MEMBER)})


def checked(audience: str) -> str:
    if audience not in AUDIENCES:
        raise ValueError(f"audience inconnue : {audience}")
    return audience


@dataclass(frozen=True)
class Reader:
    """A searcher as the index sees them: the audiences they belong to, and their id (owner)."""

    audiences: frozenset[str]
    user_id: int = 0

    @property
    def sees_owned_by_anyone(self) -> bool:
        return OWNER in self.audiences


ANONYMOUS = Reader(frozenset({PUBLIC}))
# A signed-in member who owns nothing restricted (scripts, tests, the system's own searches).
MEMBER = Reader(frozenset({PUBLIC, MEMBERS}))


def reader_of(user: Any) -> Reader:
    """The audiences `user` belongs to (a Reader passes through)."""
    if isinstance(user, Reader):
        return user
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ANONYMOUS
    allowed = {PUBLIC, MEMBERS}
    for role in Role:
        if role is not Role.MEMBER and has_role(user, role):
            allowed.add(role_audience(role))
    if has_role(user, Role.MODERATOR):
        allowed.add(OWNER)  # moderators review what owners have not published yet
    return Reader(frozenset(allowed), int(user.id))
