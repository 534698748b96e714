"""Domain events: a service records what happened; indexing, notifications, mails and emits subscribe.

`record(session, "post_created", post=post, …)` runs, in the recording transaction and in the
order the features were declared, every subscription to the event (they write: index entries,
notification rows, outbox mails), then queues the `after_commit` subscriptions, which run once
the transaction has committed (Socket.IO emits, disconnections) and are dropped on rollback.

Services therefore import neither the socket layer nor the API, nor another feature: a feature
subscribes to an event by its name in its declaration.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from achats.platform.db import on_commit
from achats.platform.features import registry


class UnknownEvent(LookupError):
    """No feature of this app declares the event."""


def record(session: Session, event: str, **data: Any) -> None:
    """Tell the app's subscribers that `event` happened (see the module docstring)."""
    reg = registry()
    if event not in reg.events:
        raise UnknownEvent(f"événement non déclaré : {event}")
    for handler in reg.subscriptions.get(event, ()):
        handler(session, **data)
    for handler in reg.after_commit.get(event, ()):
        on_commit(session, partial(handler, **data))
