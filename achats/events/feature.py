"""What events bring to the platform: webinars and the Assises, with registrations, waiting
lists, workshops, the clinique du DCE, calendars, reminders, check-in and attestations."""

from __future__ import annotations

from achats.platform.features import Feature

EVENTS = (
    "event_created", "event_updated", "event_changed", "event_cancelled", "event_materials_added",
    "registration_created", "registration_updated", "registration_cancelled", "registration_promoted",
    "attendance_changed",
)


def feature() -> Feature:
    from achats.events import models, permissions  # noqa: F401 - the models join the metadata

    return Feature(
        name="events",
        permissions=permissions.PREDICATES,
        events=EVENTS,
    )
