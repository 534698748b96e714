"""Who may do what with accounts: pure predicates, shared by views, the API and templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from achats.platform.security import Role, has_role


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_write(user: Any) -> bool:
    # Pending accounts read but do not write until a moderator approves them.
    return is_signed_in(user) and user.status == "active"


def can_view_members(user: Any) -> bool:
    # Names and organisations of public agents are shown to signed-in buyers only, not the web.
    return is_signed_in(user)


def can_edit_profile(user: Any, target: Any) -> bool:
    # A profile is its owner's; moderators act through moderation actions, not by editing.
    return is_signed_in(user) and user.id == target.id


def can_moderate_accounts(user: Any) -> bool:
    # Approving accounts is the community staff's job.
    return has_role(user, Role.MODERATOR)


def can_change_role(user: Any, target: Any) -> bool:
    # Only admins hand out rights, and never to themselves (no self-promotion, no lock-out).
    return has_role(user, Role.ADMIN) and user.id != target.id


def can_suspend(user: Any, target: Any) -> bool:
    # Moderators suspend members and experts; only admins suspend staff; nobody suspends themself.
    if not has_role(user, Role.MODERATOR) or user.id == target.id:
        return False
    return has_role(user, Role.ADMIN) or not Role(target.role).at_least(Role.MODERATOR)


PREDICATES: dict[str, Callable[..., bool]] = {
    "write": can_write,
    "view_members": can_view_members,
    "edit_profile": can_edit_profile,
    "moderate_accounts": can_moderate_accounts,
    "change_role": can_change_role,
    "suspend": can_suspend,
}
