"""Signals the auth feature sends; other features subscribe instead of importing auth's views."""

from blinker import Namespace

_signals = Namespace()

# sender: the User; kwargs: session
account_deleted = _signals.signal("account-deleted")
account_approved = _signals.signal("account-approved")
