"""Counters for what the rate limiter's decorators cannot express: a limit keyed by what the
request is about (an account, an address), hit only when something happens (a failed login, a
mail sent), and cleared by an event (a successful password reset). Same store as the decorators:
Redis when configured (shared by every process), else this process's memory."""

from __future__ import annotations

import logging

from flask import current_app
from limits import RateLimitItem, parse

from achats.platform.extensions import limiter

log = logging.getLogger("achats.throttle")


def _ids(key: tuple[str, ...]) -> list[str]:
    return [str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "achats"), "throttle", *key]


def _item(spec: str) -> RateLimitItem:
    return parse(spec)


def allowed(spec: str, *key: str) -> bool:
    """Whether one more hit of `key` would stay within `spec` ("10 per 15 minutes")."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    try:
        return bool(limiter.limiter.test(_item(spec), *_ids(key)))
    except Exception:  # noqa: BLE001 - the store unreachable: let the request through, say so
        log.warning("throttle store unavailable: %s not checked", key[0] if key else "")
        return True


def hit(spec: str, *key: str) -> bool:
    """Count one for `key`; False when it went past `spec`."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    try:
        return bool(limiter.limiter.hit(_item(spec), *_ids(key)))
    except Exception:  # noqa: BLE001
        log.warning("throttle store unavailable: %s not counted", key[0] if key else "")
        return True


def clear(spec: str, *key: str) -> None:
    try:
        limiter.limiter.clear(_item(spec), *_ids(key))
    except Exception:  # noqa: BLE001
        log.warning("throttle store unavailable: %s not cleared", key[0] if key else "")
