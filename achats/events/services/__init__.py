"""The events' business rules: editing events and sessions, registrations and seats, reading."""

from achats.events.services.editing import (
    UNSET,
    EventInput,
    SessionInput,
    add_materials,
    add_session,
    create_event,
    update_event,
)
from achats.events.services.errors import (
    AlreadyRegistered,
    Conflict,
    EventError,
    NotAllowed,
    RegistrationClosed,
    SlotTaken,
)
from achats.events.services.reading import (
    RegistrantFilters,
    appointments,
    attendance,
    get_event,
    list_events,
    my_registrations,
    present_count,
    registrant_query,
    registrants,
    visible_events,
)
from achats.events.services.registering import (
    Appointment,
    book_appointment,
    can_still_change,
    cancel,
    cancel_appointment,
    change_workshops,
    check_in,
    closed_reason,
    find_registration,
    promote,
    promote_session,
    register,
    registration_open,
)

__all__ = [
    "UNSET", "AlreadyRegistered", "Appointment", "Conflict", "EventError", "EventInput", "NotAllowed",
    "RegistrantFilters", "RegistrationClosed", "SessionInput", "SlotTaken", "add_materials", "add_session",
    "appointments", "attendance", "book_appointment", "can_still_change", "cancel", "cancel_appointment",
    "change_workshops", "check_in", "closed_reason", "create_event", "find_registration", "get_event",
    "list_events", "my_registrations", "present_count", "promote", "promote_session", "register",
    "registrant_query", "registrants", "registration_open", "update_event", "visible_events",
]
