"""The errors account rules raise; `field` names the form field when there is one."""

from __future__ import annotations


class AccountError(Exception):
    """A rule refused the action; `field` names the form field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidToken(AccountError):
    pass


class LoginRefused(AccountError):
    pass


GENERIC_LOGIN_ERROR = "Adresse e-mail ou mot de passe incorrect."
