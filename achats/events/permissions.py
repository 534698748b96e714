"""Who may do what with events: predicates shared by the services, views, API and templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from achats.events.vocabulary import EventStatus, RegistrationStatus
from achats.platform.security import Role, has_role


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_create_event(user: Any) -> bool:
    # The agency's staff (moderators, who run the community, and admins) plan the events.
    return has_role(user, Role.MODERATOR)


def is_organiser(user: Any, event: Any) -> bool:
    # Admins organise every event; otherwise the accounts named on it (its creator among them).
    if not is_signed_in(user) or event is None:
        return False
    return has_role(user, Role.ADMIN) or any(o.id == user.id for o in event.organisers)


def can_manage_event(user: Any, event: Any) -> bool:
    return is_organiser(user, event)


def can_view_event(user: Any, event: Any) -> bool:
    # Drafts are the organisers' until published; a cancelled event stays readable (it says so).
    if event is None:
        return False
    return event.status != EventStatus.DRAFT or is_organiser(user, event)


def can_register(user: Any) -> bool:
    # Signing up is a write: approved accounts (pending ones wait for a moderator first).
    return is_signed_in(user) and str(user.status) == "active"


def can_see_join_url(user: Any, event: Any, registration: Any) -> bool:
    # The webinar link goes to confirmed registrants and organisers, never to every reader.
    if is_organiser(user, event):
        return True
    return (registration is not None and registration.user_id == getattr(user, "id", None)
            and registration.status == RegistrationStatus.CONFIRMED)


def can_view_appointments(user: Any, event: Any) -> bool:
    # The clinique's day: its organisers and the experts who hold its slots.
    if is_organiser(user, event):
        return True
    return is_signed_in(user) and any(s.expert_id == user.id for s in event.sessions)


PREDICATES: dict[str, Callable[..., bool]] = {
    "create_event": can_create_event,
    "manage_event": can_manage_event,
    "view_event": can_view_event,
    "register_event": can_register,
    "see_join_url": can_see_join_url,
    "view_appointments": can_view_appointments,
}
