"""What events bring to the platform: webinars and the Assises, with registrations, waiting
lists, workshops, the clinique du DCE, calendars, reminders, check-in and attestations."""

from __future__ import annotations

from achats.platform.features import DemoSeeder, Feature, NavLink, NotificationKind, SearchType, Task

EVENTS = (
    "event_created", "event_updated", "event_changed", "event_cancelled", "event_materials_added",
    "registration_created", "registration_updated", "registration_cancelled", "registration_promoted",
    "attendance_changed",
)


def _kind(name: str, label: str, subject: str) -> NotificationKind:
    return NotificationKind(name, label, ("app", "mail"), mail_template=name, mail_subject=subject)


def feature() -> Feature:
    from huey import crontab

    from achats.events import demo, indexing, notifying, permissions, personal_data, sockets
    from achats.events.api import api
    from achats.events.views import bp, calendar_bp

    live = [sockets.on_registration]
    return Feature(
        name="events",
        blueprints=[bp, calendar_bp],
        api_blueprints=[api],
        permissions=permissions.PREDICATES,
        rooms=[sockets.room_kind()],
        notification_kinds=[
            _kind("event_promoted", "Place libérée à un événement", "Une place s'est libérée pour vous"),
            _kind("event_changed", "Changement d'un événement", "Un événement auquel vous êtes inscrit(e) change"),
            _kind("event_cancelled", "Événement annulé", "Un événement auquel vous êtes inscrit(e) est annulé"),
            _kind("event_materials", "Replay et supports d'un événement", "Le replay et les supports sont en ligne"),
            _kind("event_message", "Message des organisateurs d'un événement", "Message des organisateurs"),
        ],
        search_types=[SearchType("event", "Événement", "Événements", "evenements", reindex=indexing.reindex_events)],
        exports={"event_registrations": personal_data.export_registrations},
        deletion_handlers=[personal_data.forget_account],
        events=EVENTS,
        subscriptions={
            "registration_created": [notifying.on_registration_created, *live],
            "registration_updated": live,
            "registration_cancelled": live,
            "registration_promoted": [notifying.on_registration_promoted, *live],
            "event_created": [indexing.on_event],
            "event_updated": [indexing.on_event],
            "event_changed": [notifying.on_event_changed],
            "event_cancelled": [notifying.on_event_cancelled],
            "event_materials_added": [notifying.on_materials_added],
            "attendance_changed": [sockets.on_attendance],
        },
        tasks=[
            Task("events.send_notices", notifying.send_notices, retries=2, retry_delay=60),
            Task("events.send_message", notifying.send_message, retries=2, retry_delay=60),
            Task("events.send_reminders", lambda: notifying.send_reminders(), schedule=crontab(minute="*/5"),
                 job="reminders"),
        ],
        nav_links=[NavLink("Événements", "events.list_events", path_prefix="/evenements", order=30)],
        demo_seeders=[DemoSeeder("events", demo.seed, present=demo.present)],
    )
