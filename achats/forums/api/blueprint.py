"""The forum API blueprint, its rate limit on writes, and the helpers every endpoint shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask_limiter.util import get_remote_address
from flask_login import current_user

from achats.auth.models import AccountStatus, User
from achats.forums import permissions as perms
from achats.forums import services
from achats.forums.api.schemas import MAX_INT, thread_payload
from achats.forums.models import Post, Thread
from achats.platform.api import ApiBlueprint, ApiError
from achats.platform.extensions import db, limiter

api = ApiBlueprint("forums_api", "achats.forums.api", tag="Forums")


def _rate_key() -> str:
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


post_limit = limiter.limit("30 per minute;300 per day", key_func=_rate_key,
                           error_message="Vous publiez trop vite : patientez un instant.")


# --- helpers -----------------------------------------------------------------------------------


def _me() -> User:
    return current_user._get_current_object()


def _thread_or_404(thread_id: int) -> Thread:
    thread = services.get_thread(db.session, thread_id, _me())
    if thread is None:
        raise ApiError(404, "Ce sujet n'existe pas ou ne vous est pas accessible.")
    return thread


def _post_or_404(post_id: int) -> Post:
    post = services.get_post(db.session, post_id, _me())
    if post is None:
        raise ApiError(404, "Ce message n'existe pas ou ne vous est pas accessible.")
    return post


def _require_writer() -> None:
    user = _me()
    if not perms.is_writer(user):
        raise ApiError(403, services.posting.PENDING_MESSAGE if user.status == AccountStatus.PENDING
                       else "Votre compte ne permet pas de publier.")


@contextmanager
def domain_errors() -> Iterator[None]:
    """Map the forum's domain errors to problem+json answers."""
    try:
        yield
    except (services.ThreadLocked, services.AlreadyFlagged) as exc:
        raise ApiError(409, str(exc)) from None
    except services.InvalidInput as exc:
        raise ApiError(422, str(exc), errors={exc.field: [str(exc)]}) from None
    except (services.NotAllowed, services.EditWindowClosed) as exc:
        raise ApiError(403, str(exc)) from None


def _aware(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError("naive datetime")
    return parsed.astimezone(UTC)


def _bounded_int(value: Any) -> int:
    number = int(value)
    if not 0 <= number <= MAX_INT:
        raise ValueError("out of range")
    return number


def _threads_out(threads: list[Thread]) -> list[dict[str, Any]]:
    accepted = services.accepted_post_ids(db.session, [t.id for t in threads if t.solved])
    return [thread_payload(t, accepted.get(t.id, [])) for t in threads]
