"""Domain errors of the forums, each with a French message the views show as is."""

from __future__ import annotations


class ForumError(Exception):
    """Base of the forum's domain errors; `str(exc)` is a French sentence for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(ForumError):
    def __init__(self, message: str = "Vous n'avez pas le droit d'effectuer cette action.") -> None:
        super().__init__(message)


class ThreadLocked(ForumError):
    def __init__(self, message: str = "Ce sujet est verrouillé : on ne peut plus y répondre.") -> None:
        super().__init__(message)


class EditWindowClosed(ForumError):
    def __init__(
        self,
        message: str = "Le délai de 15 minutes pour supprimer votre message est passé ; "
        "signalez-le à la modération si nécessaire.",
    ) -> None:
        super().__init__(message)


class AlreadyFlagged(ForumError):
    def __init__(self, message: str = "Vous avez déjà signalé ce message ; la modération va l'examiner.") -> None:
        super().__init__(message)


class InvalidInput(ForumError):
    """A field's value is refused: `field` names the form field or API property."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
