"""Notifications: the model, notify(), the bell, the notifications page and its API."""

from __future__ import annotations

from achats.platform.features import Feature


def notifications_part() -> Feature:
    """The shell's notifications, declared like a feature: the page, the API, the bell and the
    socket events (the unread count on connect, `ack`)."""
    from achats.platform.notifications.api import api
    from achats.platform.notifications.services import export_notifications, forget_person
    from achats.platform.notifications.views import bp, init_notifications

    return Feature(name="platform.notifications", blueprints=[bp], api_blueprints=[api],
                   exports={"notifications": export_notifications}, deletion_handlers=[forget_person],
                   init_app=init_notifications)
