"""Writing pages: new thread, reply, edit with history, delete, and the editor's helpers (preview,
@mention suggestions, similar titles, quotes)."""

from __future__ import annotations

import difflib
import re
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request
from markupsafe import Markup, escape
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, lazyload

from achats.auth.models import AccountStatus, User
from achats.forums import forms, services
from achats.forums import permissions as perms
from achats.forums.models import Category, PostRevision, ThreadKind
from achats.forums.services.posting import PENDING_MESSAGE
from achats.forums.views.blueprint import (
    accept_attachment,
    act,
    apply_form_error,
    bp,
    load_post,
    load_thread,
    me,
    post_url,
    prepare_attachment,
    thread_url,
)
from achats.forums.views.reading import render_thread
from achats.platform.extensions import db, limiter
from achats.platform.ids import parse_id
from achats.platform.security import Role, has_role
from achats.platform.tags import Tag

MENTION_LIMIT = 8
PREVIEW_MAX = forms.BODY_MAX + 1000


def _preview(source: str | None) -> Markup:
    # The same pipeline as a published post: Markdown, sanitiser, then @mentions linked.
    return Markup(services.render_post(db.session, (source or "")[:PREVIEW_MAX]).html)  # noqa: S704 - sanitised


def _wants_preview() -> bool:
    return request.method == "POST" and bool(request.form.get("apercu"))


# --- new thread -------------------------------------------------------------------------------


@bp.route("/forums/nouveau", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], error_message="Trop de sujets ouverts en peu de temps.",
               exempt_when=lambda: bool(request.form.get("apercu")))
def new_thread() -> Any:
    categories = list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))
    by_slug = {c.slug: c for c in categories}
    form = forms.ThreadForm()
    form.category.choices = [("", "— Choisir une catégorie —"), *[(c.slug, c.name) for c in categories]]
    form.set_tag_choices(db.session.scalars(select(Tag).order_by(Tag.facet, Tag.position, Tag.name)))
    if request.method == "GET":
        wanted = by_slug.get(request.args.get("categorie", ""))
        if wanted is not None:
            form.category.data = wanted.slug
        form.kind.data = ThreadKind.QUESTION.value if wanted is None or wanted.is_desk else ThreadKind.DISCUSSION.value
    category = by_slug.get(form.category.data or "")
    is_expert = has_role(me(), Role.EXPERT)
    attachments_enabled = prepare_attachment(form)
    preview_html = None
    status = 200
    if _wants_preview():
        preview_html = _preview(form.body.data)
    elif request.method == "POST" and not perms.is_writer(me()):
        form.form_errors.append(PENDING_MESSAGE)
        status = 403
    elif form.validate_on_submit():
        attached = accept_attachment(form, None) if category is not None else []
        if category is None:
            form.category.errors = ["Choisissez une catégorie."]
        elif attached is not None:
            try:
                thread = services.create_thread(
                    db.session, me(), category=category, title=form.title.data or "",
                    body=form.body.data or "", kind=form.kind.data or ThreadKind.DISCUSSION.value,
                    tags=form.tag_slugs(), up_to_date_on=form.up_to_date_on.data if is_expert else None,
                    attachment_ids=attached,
                )
            except services.ForumError as exc:
                db.session.rollback()
                apply_form_error(form, exc, {"category_id": "category", "tags": "theme"})
            else:
                db.session.commit()
                flash("Votre question est publiée : vous serez prévenu des réponses."
                      if thread.is_question else "Votre sujet est publié.", "success")
                return redirect(thread_url(thread))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template(
        "forums/thread_new.html", form=form, category=category, desk=bool(category and category.is_desk),
        desk_slugs=[c.slug for c in categories if c.is_desk], is_expert=is_expert, preview_html=preview_html,
        tag_errors=bool(form.theme.errors), attachments_enabled=attachments_enabled,
    ), status


# --- reply ------------------------------------------------------------------------------------


@bp.post("/forums/sujets/<int:thread_id>/repondre")
@limiter.limit("30 per 10 minutes", error_message="Trop de messages en peu de temps : patientez un instant.",
               exempt_when=lambda: bool(request.form.get("apercu")))
def reply(thread_id: int) -> Any:
    thread = load_thread(thread_id)
    form = forms.ReplyForm()
    page = services.page_of(thread.post_count + 1 if thread.post_count else 1)
    reply_to = None
    reply_to_id = parse_id(form.reply_to_id.data)
    if reply_to_id is not None:
        candidate = services.get_post(db.session, reply_to_id, me())
        if candidate is not None and candidate.thread_id == thread.id and candidate.visible:
            reply_to = candidate
    if not reply_to:
        form.reply_to_id.data = ""
    if _wants_preview():
        return render_thread(thread, page, form, reply_to=reply_to, preview_html=_preview(form.body.data))
    prepare_attachment(form)
    if form.validate_on_submit():
        attached = accept_attachment(form, thread.id)
        if attached is None:
            return render_thread(thread, page, form, reply_to=reply_to, status=422)
        try:
            post = services.create_post(
                db.session, me(), thread, body=form.body.data or "", reply_to=reply_to,
                up_to_date_on=form.up_to_date_on.data if has_role(me(), Role.EXPERT) else None,
                attachment_ids=attached,
            )
        except services.ForumError as exc:
            db.session.rollback()
            apply_form_error(form, exc)
            status = 409 if isinstance(exc, services.ThreadLocked) else 403 if isinstance(exc, services.NotAllowed) else 400
            return render_thread(thread, page, form, reply_to=reply_to, status=status)
        db.session.commit()
        flash("Votre réponse est publiée." + (" Le document joint sera visible une fois vérifié par la modération."
                                              if attached else ""), "success")
        return redirect(post_url(post))
    return render_thread(thread, page, form, reply_to=reply_to, status=400)


# --- edit, history, delete --------------------------------------------------------------------


@bp.route("/forums/messages/<int:post_id>/modifier", methods=["GET", "POST"])
def edit_post(post_id: int) -> Any:
    post = load_post(post_id)
    if not perms.can_edit_post(me(), post):
        abort(403)
    form = forms.EditPostForm(data={"body": post.body} if request.method == "GET" else None)
    preview_html = None
    status = 200
    if _wants_preview():
        preview_html = _preview(form.body.data)
    elif form.validate_on_submit():
        try:
            services.edit_post(db.session, me(), post, body=form.body.data or "", reason=form.reason.data)
        except services.ForumError as exc:
            db.session.rollback()
            apply_form_error(form, exc)
            status = 400
        else:
            db.session.commit()
            flash("Votre modification est enregistrée ; la version précédente reste dans l'historique.", "success")
            return redirect(post_url(post))
    elif request.method == "POST":
        status = 400
    return render_template("forums/post_edit.html", form=form, post=post, thread=post.thread,
                           back_url=post_url(post), preview_html=preview_html), status


@bp.post("/forums/messages/<int:post_id>/supprimer")
def delete_post(post_id: int) -> Any:
    post = load_post(post_id)
    return act(lambda: services.delete_post(db.session, me(), post), "Message supprimé.",
               thread_url(post.thread_id, services.page_of(post.number)))


@bp.get("/forums/messages/<int:post_id>/historique")
def post_history(post_id: int) -> str:
    post = load_post(post_id)
    if not perms.can_view_revisions(me(), post):
        abort(404)
    mode = "lignes" if request.args.get("mode") == "lignes" else "mots"
    revisions = list(db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number)
        .options(joinedload(PostRevision.editor).lazyload(User.theme_rows))
    ))
    versions: list[dict[str, Any]] = []
    previous: str | None = None
    for i, rev in enumerate(revisions):
        versions.append({
            "number": rev.number, "created_at": rev.created_at, "editor": rev.editor, "reason": rev.reason,
            "body": rev.body, "is_current": i == len(revisions) - 1,
            "diff": None if previous is None else render_diff(previous, rev.body, by_line=mode == "lignes"),
        })
        previous = rev.body
    versions.reverse()
    return render_template("forums/post_history.html", post=post, thread=post.thread, versions=versions,
                           mode=mode, back_url=post_url(post))


_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def render_diff(old: str, new: str, *, by_line: bool = False) -> Markup:
    """An escaped word (or line) diff: removed text in <del>, added text in <ins>."""
    if by_line:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    else:
        a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return Markup("".join(out))  # noqa: S704 - every piece of text above is escaped


# --- editor helpers (fetch) -------------------------------------------------------------------


@bp.post("/forums/apercu")
@limiter.limit("60 per minute", error_message="Trop d'aperçus demandés : réessayez dans un instant.")
def preview() -> Response:
    html = _preview(request.form.get("body", ""))
    response = Response(str(html), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/forums/mentions")
def mention_suggestions() -> Response:
    raw = request.args.get("q", "").strip().lstrip("@")[:40]
    if len(raw) < 2:
        return jsonify([])
    pattern = raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    users = db.session.scalars(
        select(User)
        .where(
            User.status == AccountStatus.ACTIVE, User.handle.is_not(None),
            or_(User.handle.ilike(f"{pattern}%", escape="\\"), User.name.ilike(f"{pattern}%", escape="\\"),
                User.name.ilike(f"% {pattern}%", escape="\\")),
        )
        .options(joinedload(User.organisation), lazyload(User.theme_rows))
        .order_by(User.name, User.id)
        .limit(MENTION_LIMIT)
    ).unique()
    return jsonify([
        {"handle": u.handle, "name": u.name, "organisation": u.organisation.name if u.organisation else None}
        for u in users
    ])


@bp.get("/forums/similaires")
def similar_threads() -> Response:
    title = request.args.get("titre", "")[:200]
    threads = services.similar_titles(db.session, title, limit=5) if len(title.strip()) >= 4 else []
    return jsonify([
        {"id": t.id, "title": t.title, "url": thread_url(t), "solved": bool(t.solved)} for t in threads
    ])


@bp.get("/forums/messages/<int:post_id>/citation")
def quote_post(post_id: int) -> Response:
    post = load_post(post_id)
    if not post.visible:
        abort(404)
    selection = request.args.get("selection", "")[:4000] or None
    return jsonify({"markdown": services.quote_markdown(post, selection)})
