"""Files sent by people: the error every refusal raises, and how one feature lets others attach
files to their content (the library keeps every file; a post carries a document as attachment)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session


class UploadRefused(Exception):
    """A file refused, with a French message saying what was wrong: answered with `status`
    (400 malformed or empty, 413 too large, 415 type not accepted, 422 content refused)."""

    def __init__(self, message: str, status: int = 415) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class AttachmentInfo:
    """What a page shows of an attached file for one viewer."""

    id: int
    title: str
    filename: str
    url: str | None  # None: the viewer may not open it (yet)
    note: str  # "En attente de vérification par la modération", "PDF, 1,2 Mo"…


@dataclass(frozen=True)
class Attachments:
    """A feature that keeps files other features attach to their content (Feature.attachments).

    `accept(session, owner, file, metadata)` stores the file (validated) and returns its id;
    it raises UploadRefused. `describe(session, ids, viewer)` says what each id shows to `viewer`."""

    accept: Callable[[Session, Any, Any, Mapping[str, Any]], int]
    describe: Callable[[Session, Sequence[int], Any], dict[int, AttachmentInfo]]
    form_fields: Callable[[], Sequence[tuple[str, str, Sequence[tuple[str, str]]]]] | None = None
