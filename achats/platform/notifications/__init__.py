"""Notifications: the model, notify(), the bell, the notifications page and its API."""

from achats.platform.notifications.views import bp

__all__ = ["bp"]
