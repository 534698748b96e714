"""Who may do what with the library: predicates shared by the services, views, API and templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from achats.documents.vocabulary import Licence, ReviewStatus, Visibility
from achats.platform.security import Role, has_role


def is_reader(user: Any) -> bool:
    # Signed-in accounts, pending ones included: they read what members read.
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_writer(user: Any) -> bool:
    # Sharing a file is a write: approved accounts only.
    return is_reader(user) and str(user.status) == "active"


def is_moderator(user: Any) -> bool:
    # The agency's moderators review every shared file before it is published.
    return has_role(user, Role.MODERATOR)


def is_owner(user: Any, document: Any) -> bool:
    return is_reader(user) and document is not None and document.owner_id == user.id


def can_view_document(user: Any, document: Any) -> bool:
    # Moderators see everything (to review and restore); the uploader sees their own, published
    # or not, unless a moderator hid it; others see published ones, public or for members.
    if document is None:
        return False
    if is_moderator(user):
        return True
    if document.hidden:
        return False
    if document.status == ReviewStatus.PUBLISHED:
        return document.visibility == Visibility.PUBLIC or is_reader(user)
    return is_owner(user, document)


def can_view_version(user: Any, document: Any, version: Any) -> bool:
    # A version under review (or refused) is its uploader's and the moderators' until published.
    if not can_view_document(user, document) or version is None or version.document_id != document.id:
        return False
    return version.status == ReviewStatus.PUBLISHED or is_moderator(user) or is_owner(user, document)


def can_download(user: Any, document: Any, version: Any) -> bool:
    # "Tous droits réservés": the library points to the source, it does not hand out the file.
    if not can_view_version(user, document, version):
        return False
    return is_moderator(user) or Licence(document.licence) is not Licence.ALL_RIGHTS


def can_upload(user: Any) -> bool:
    # Any approved buyer may share a document; a moderator checks it before publication.
    return is_writer(user)


def can_edit_document(user: Any, document: Any) -> bool:
    # The uploader keeps their document's description up to date; moderators correct anything.
    return is_writer(user) and document is not None and (document.owner_id == user.id or is_moderator(user))


def can_add_version(user: Any, document: Any) -> bool:
    # A new version comes from the uploader or a moderator, and is reviewed like the first one.
    return can_edit_document(user, document) and not document.hidden


def can_review(user: Any) -> bool:
    # Publishing or refusing is the moderators' job (personal data, confidential prices).
    return is_moderator(user) and is_writer(user)


def can_mark_review(user: Any, document: Any) -> bool:
    # The law changes: experts and moderators date-stamp a document or flag it "à revoir".
    return is_writer(user) and has_role(user, Role.EXPERT) and can_view_document(user, document)


def can_add_reuse(user: Any, document: Any) -> bool:
    # A retour d'usage comes from a buyer who could use the published document.
    return is_writer(user) and document is not None and document.status == ReviewStatus.PUBLISHED \
        and can_view_document(user, document)


PREDICATES: dict[str, Callable[..., bool]] = {
    "view_document": can_view_document,
    "view_version": can_view_version,
    "download_document": can_download,
    "upload_document": can_upload,
    "edit_document": can_edit_document,
    "add_version": can_add_version,
    "review_documents": can_review,
    "mark_document_review": can_mark_review,
    "add_reuse": can_add_reuse,
}
