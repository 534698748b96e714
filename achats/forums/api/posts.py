"""Forum API: one post — edit, withdraw, revisions, accepted answers, flags, "utile", bookmarks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from achats.forums import permissions as perms
from achats.forums import services
from achats.forums.api.blueprint import (
    _me,
    _post_or_404,
    _require_writer,
    api,
    domain_errors,
)
from achats.forums.api.schemas import (
    FlagBody,
    FlagOut,
    PostOut,
    PostPatch,
    RevisionList,
    ToggleOut,
    author_out,
    post_payload,
)
from achats.forums.models import PostRevision
from achats.platform.api import ApiError
from achats.platform.extensions import db

# --- posts -------------------------------------------------------------------------------------


@api.operation("/posts/<int:post_id>", "GET", "Un message", response=PostOut)
def get_post(post_id: int) -> dict[str, Any]:
    post = _post_or_404(post_id)
    return post_payload(post, can_moderate=perms.can_moderate_category(_me(), post.thread.category), viewer=_me())


@api.operation("/posts/<int:post_id>", "PATCH",
               "Modifier un message (garde une révision) ; experts : « à jour au », « à revoir »",
               body=PostPatch, response=PostOut, errors=(409,))
def patch_post(post_id: int, body: PostPatch) -> dict[str, Any]:
    post = _post_or_404(post_id)
    _require_writer()
    fields = body.model_fields_set
    if not fields - {"reason"}:
        raise ApiError(422, "Rien à modifier : indiquez body, up_to_date_on ou needs_review.",
                       errors={"body": ["Ce champ est obligatoire."]})
    me = _me()
    with domain_errors():
        if "body" in fields and body.body is not None:
            services.edit_post(db.session, me, post, body=body.body, reason=body.reason)
        if "up_to_date_on" in fields:
            services.set_up_to_date(db.session, me, post, body.up_to_date_on)
        if "needs_review" in fields and body.needs_review is not None:
            services.mark_needs_review(db.session, me, post, body.needs_review)
    db.session.commit()
    return post_payload(post, can_moderate=perms.can_moderate_category(me, post.thread.category), viewer=me)


@api.operation("/posts/<int:post_id>", "DELETE",
               "Retirer un message (son auteur dans les 15 minutes, la modération à tout moment)",
               response=PostOut)
def delete_post(post_id: int) -> dict[str, Any]:
    post = _post_or_404(post_id)
    _require_writer()
    with domain_errors():
        services.delete_post(db.session, _me(), post)
    db.session.commit()
    return post_payload(post, can_moderate=perms.can_moderate_category(_me(), post.thread.category), viewer=_me())


def _revision_out(r: PostRevision) -> dict[str, Any]:
    return {"number": r.number, "body": r.body, "editor": author_out(r.editor), "reason": r.reason,
            "created_at": r.created_at}


@api.operation("/posts/<int:post_id>/revisions", "GET", "Les versions antérieures d'un message, la plus ancienne d'abord",
               response=RevisionList)
def list_revisions(post_id: int) -> RevisionList:
    post = _post_or_404(post_id)
    if not perms.can_view_revisions(_me(), post):
        raise ApiError(404, "Ce message n'existe pas ou ne vous est pas accessible.")
    revisions = list(db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number)
    ))
    current = revisions.pop() if revisions else None
    return RevisionList.model_validate({"items": [_revision_out(r) for r in revisions], "next_cursor": None,
                                        "current": _revision_out(current) if current is not None else None})


@api.operation("/posts/<int:post_id>/accept", "POST", "Accepter une réponse", response=PostOut, errors=(409,))
def accept_post(post_id: int) -> dict[str, Any]:
    return _accept(post_id, True)


@api.operation("/posts/<int:post_id>/accept", "DELETE", "Retirer l'acceptation d'une réponse", response=PostOut,
               errors=(409,))
def unaccept_post(post_id: int) -> dict[str, Any]:
    return _accept(post_id, False)


def _accept(post_id: int, accept: bool) -> dict[str, Any]:
    post = _post_or_404(post_id)
    _require_writer()
    if post.number == 1 or not post.thread.is_question:
        raise ApiError(409, "Seules les réponses à une question peuvent être acceptées.")
    if not post.visible:
        raise ApiError(409, "Ce message a été retiré.")
    with domain_errors():
        if accept:
            services.accept_post(db.session, _me(), post)
        else:
            services.unaccept_post(db.session, _me(), post)
    db.session.commit()
    return post_payload(post, viewer=_me())


@api.operation("/posts/<int:post_id>/flags", "POST", "Signaler un message à la modération", body=FlagBody,
               response=FlagOut, status=201, errors=(409,))
def flag_post(post_id: int, body: FlagBody) -> FlagOut:
    post = _post_or_404(post_id)
    _require_writer()
    if post.author_id == _me().id:
        raise ApiError(403, "Vous ne pouvez pas signaler votre propre message.")
    with domain_errors():
        flag = services.flag_post(db.session, _me(), post, body.reason, body.detail)
    db.session.commit()
    return FlagOut(id=flag.id, post_id=post.id, reason=str(flag.reason), status=str(flag.status),
                   created_at=flag.created_at)


@api.operation("/posts/<int:post_id>/useful", "POST", "Marquer (ou démarquer) un message comme utile",
               response=ToggleOut)
def toggle_useful(post_id: int) -> dict[str, Any]:
    post = _post_or_404(post_id)
    _require_writer()
    with domain_errors():
        active = services.toggle_useful(db.session, _me(), post)
    db.session.commit()
    return {"post_id": post.id, "active": active, "useful_count": post.useful_count}


@api.operation("/posts/<int:post_id>/bookmark", "POST", "Ajouter (ou retirer) un message à mes favoris",
               response=ToggleOut)
def toggle_bookmark(post_id: int) -> dict[str, Any]:
    post = _post_or_404(post_id)
    _require_writer()
    with domain_errors():
        active = services.toggle_bookmark(db.session, _me(), post)
    db.session.commit()
    return {"post_id": post.id, "active": active, "useful_count": post.useful_count}
