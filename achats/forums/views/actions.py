"""Small POST actions from a thread page: accept, utile, bookmark, flag, expert marks, watch,
and the moderators' tools. Each is one service call, one commit, a redirect and a French message."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for

from achats.forums import forms, services
from achats.forums import permissions as perms
from achats.forums.models import Category
from achats.forums.views.blueprint import act, bp, load_post, load_thread, me, post_url, thread_url
from achats.platform.extensions import db
from achats.platform.ids import parse_id


def _reason() -> str | None:
    return (request.form.get("reason") or "").strip()[:1000] or None


@bp.post("/forums/messages/<int:post_id>/acceptation")
def set_accepted(post_id: int) -> Any:
    post = load_post(post_id)
    if request.form.get("accepte") == "0":
        return act(lambda: services.unaccept_post(db.session, me(), post),
                   "La réponse n'est plus marquée comme acceptée.", post_url(post))
    return act(lambda: services.accept_post(db.session, me(), post),
               "Réponse acceptée : elle s'affiche désormais juste après la question.", post_url(post))


@bp.post("/forums/messages/<int:post_id>/utile")
def toggle_useful(post_id: int) -> Any:
    post = load_post(post_id)
    return act(lambda: services.toggle_useful(db.session, me(), post),
               lambda on: "Message marqué comme utile." if on else "Mention « utile » retirée.", post_url(post))


@bp.post("/forums/messages/<int:post_id>/signet")
def toggle_bookmark(post_id: int) -> Any:
    post = load_post(post_id)
    target = url_for("forums.list_bookmarks") if request.form.get("retour") == "signets" else post_url(post)
    return act(lambda: services.toggle_bookmark(db.session, me(), post),
               lambda on: "Message ajouté à vos signets." if on else "Signet retiré.", target)


@bp.post("/forums/messages/<int:post_id>/signaler")
def flag_post(post_id: int) -> Any:
    post = load_post(post_id)
    form = forms.FlagForm()
    if not form.validate():
        flash("Choisissez un motif de signalement.", "error")
        return redirect(post_url(post))
    try:
        services.flag_post(db.session, me(), post, form.reason.data or "", form.detail.data)
    except services.AlreadyFlagged as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(post_url(post))
    except services.ForumError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(post_url(post))
    db.session.commit()
    flash("Merci : le message est signalé à l'équipe de modération, qui va l'examiner.", "success")
    return redirect(post_url(post))


# --- experts ----------------------------------------------------------------------------------


@bp.post("/forums/messages/<int:post_id>/a-revoir")
def set_needs_review(post_id: int) -> Any:
    post = load_post(post_id)
    wanted = request.form.get("a_revoir") != "0"
    return act(lambda: services.mark_needs_review(db.session, me(), post, wanted),
               "Réponse marquée « à revoir »." if wanted else "La mention « à revoir » est retirée.",
               post_url(post))


@bp.post("/forums/messages/<int:post_id>/a-jour-au")
def set_up_to_date(post_id: int) -> Any:
    post = load_post(post_id)
    raw = request.form.get("up_to_date_on", "")
    try:
        on = date.fromisoformat(raw) if raw else None
    except ValueError:
        on = None
    if on is None:
        flash("Indiquez une date valide (jour, mois, année).", "error")
        return redirect(post_url(post))
    return act(lambda: services.set_up_to_date(db.session, me(), post, on),
               f"Réponse datée : à jour au {on.strftime('%d/%m/%Y')}.", post_url(post))


@bp.post("/forums/sujets/<int:thread_id>/prendre-en-charge")
def take_question(thread_id: int) -> Any:
    thread = load_thread(thread_id)
    return act(lambda: services.take_question(db.session, me(), thread),
               "Vous avez pris en charge cette question ; son auteur en est prévenu.", thread_url(thread))


@bp.post("/forums/sujets/<int:thread_id>/suivi")
def set_watch(thread_id: int) -> Any:
    thread = load_thread(thread_id)
    level = request.form.get("level", "")
    label = forms.WATCH_LABELS.get(level)
    if label is None:
        flash("Choisissez un niveau de suivi.", "error")
        return redirect(thread_url(thread))
    return act(lambda: services.set_watch(db.session, me(), thread, level),
               f"Suivi du sujet : {label}.", thread_url(thread))


# --- moderators -------------------------------------------------------------------------------

THREAD_ACTIONS = {
    "pin": ({"pinned": True}, "Sujet épinglé en tête de la catégorie."),
    "unpin": ({"pinned": False}, "Sujet désépinglé."),
    "lock": ({"locked": True}, "Sujet verrouillé : il n'accepte plus de réponses."),
    "unlock": ({"locked": False}, "Sujet déverrouillé."),
    "archive": ({"archived": True}, "Sujet archivé."),
    "unarchive": ({"archived": False}, "Sujet désarchivé."),
    "hide": ({"hidden": True}, "Sujet masqué : seuls les modérateurs le voient."),
    "unhide": ({"hidden": False}, "Sujet rétabli."),
}


@bp.post("/forums/sujets/<int:thread_id>/moderation")
def moderate_thread(thread_id: int) -> Any:
    thread = load_thread(thread_id)
    if not perms.can_moderate_category(me(), thread.category):
        abort(403)
    action = THREAD_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        flash("Action de modération inconnue.", "error")
        return redirect(thread_url(thread))
    flags, message = action
    reason = _reason()
    return act(lambda: services.set_thread_flags(db.session, me(), thread, reason=reason, **flags),
               message, thread_url(thread))


@bp.post("/forums/sujets/<int:thread_id>/deplacer")
def move_thread(thread_id: int) -> Any:
    thread = load_thread(thread_id)
    if not perms.can_moderate_category(me(), thread.category):
        abort(403)
    category_id = parse_id(request.form.get("category"))
    category = db.session.get(Category, category_id) if category_id is not None else None
    if category is None:
        flash("Choisissez la catégorie de destination.", "error")
        return redirect(thread_url(thread))
    if not perms.can_move_thread(me(), thread, category):
        abort(403)
    reason = _reason()
    return act(lambda: services.move_thread(db.session, me(), thread, category, reason),
               f"Sujet déplacé dans « {category.name} ».", thread_url(thread))


@bp.post("/forums/messages/<int:post_id>/moderation")
def moderate_post(post_id: int) -> Any:
    post = load_post(post_id)
    if not perms.can_moderate_category(me(), post.thread.category):
        abort(403)
    reason = _reason()
    if request.form.get("action") == "restore":
        return act(lambda: services.restore_post(db.session, me(), post, reason),
                   "Message rétabli.", post_url(post))
    return act(lambda: services.hide_post(db.session, me(), post, reason),
               "Message masqué : seuls les modérateurs le voient.", post_url(post))
