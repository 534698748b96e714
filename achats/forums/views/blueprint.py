"""The forum pages' blueprint and what its views share: loading, redirects, pagination, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from achats.forums import services
from achats.forums.models import Category, Post, Thread
from achats.platform.extensions import db
from achats.platform.features import registry
from achats.platform.ids import parse_page
from achats.platform.uploads import UploadRefused

bp = Blueprint("forums", __name__)

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 20


def int_arg(name: str, default: int = 1, *, source: Any = None) -> int:
    """A page number from the query string (or form); anything else gives `default`."""
    return parse_page((source if source is not None else request.args).get(name), default)


def me() -> Any:
    """The signed-in user itself, not the proxy: services store it in relationships."""
    return current_user._get_current_object()


def load_thread(thread_id: int) -> Thread:
    """The thread if the viewer may read it; 404 otherwise (hidden threads do not exist for others)."""
    thread = services.get_thread(db.session, thread_id, me())
    if thread is None:
        abort(404)
    return thread


def load_thread_view(thread_id: int) -> services.ThreadRow:
    """The thread as the thread page reads it (plain data, see services.read_thread); 404 likewise."""
    thread = services.read_thread(db.session, thread_id, me())
    if thread is None:
        abort(404)
    return thread


def load_post(post_id: int) -> Post:
    post = services.get_post(db.session, post_id, me())
    if post is None:
        abort(404)
    return post


def load_category(slug: str) -> Category:
    category = services.get_category(db.session, slug)
    if category is None:
        abort(404)
    return category


def load_category_view(slug: str) -> services.CategoryInfo:
    """The category as its thread list shows it (plain data, see services.category_info); 404 likewise."""
    category = services.category_info(db.session, slug)
    if category is None:
        abort(404)
    return category


def thread_url(thread: services.ThreadLike | int, page: int = 1, anchor: str | None = None, **args: Any) -> str:
    thread_id = thread if isinstance(thread, int) else thread.id
    if page > 1:
        args["page"] = page
    url = url_for("forums.show_thread", thread_id=thread_id, **args)
    return f"{url}#{anchor}" if anchor else url


def post_url(post: Post) -> str:
    """Where a post is shown: its page of the thread, at its anchor."""
    return thread_url(post.thread_id, services.page_of(post.number, POSTS_PER_PAGE), f"message-{post.number}")


def act(action: Callable[[], Any], success: str | Callable[[Any], str], target: str) -> Response:
    """Run one service call as the request's transaction: commit and flash, or roll back and say why."""
    try:
        result = action()
    except services.ForumError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(target)
    db.session.commit()
    message = success(result) if callable(success) else success
    if message:
        flash(message, "success")
    return redirect(target)


def apply_form_error(form: Any, exc: services.ForumError, fields: dict[str, str] | None = None) -> None:
    """Show a domain error next to the field it concerns, or at the top of the form."""
    name = getattr(exc, "field", None)
    name = (fields or {}).get(name, name) if name else None
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors or []), str(exc)]
    else:
        form.form_errors.append(str(exc))


def prepare_attachment(form: Any) -> bool:
    """Offer the attachment fields when a feature keeps files (the library); whether it does."""
    keeper = registry().attachments
    if keeper is None:
        return False
    fields = keeper.form_fields() if keeper.form_fields else []
    form.attachment_type.choices = [(value, label) for _name, _label, choices in fields[:1] for value, label in choices]
    return True


def accept_attachment(form: Any, thread_id: int | None) -> list[int] | None:
    """Store the file joined to the message, if any: [its id], [] without one, or None when it is
    refused (the form then says why, and nothing is stored)."""
    upload = request.files.get(form.attachment.name)
    if upload is None or not upload.filename:
        return []
    keeper = registry().attachments
    if keeper is None:
        form.attachment.errors = ["Les pièces jointes ne sont pas disponibles sur cette plateforme."]
        return None
    if not form.attachment_confirm.data:
        form.attachment_confirm.errors = ["Confirmez que les données personnelles et les prix confidentiels ont été "
                                          "retirés du document."]
        return None
    try:
        return [keeper.accept(db.session, me(), upload, {
            "doc_type": form.attachment_type.data, "confirm_redaction": True, "thread_id": thread_id})]
    except UploadRefused as exc:
        db.session.rollback()
        form.attachment.errors = [exc.message]
        return None


# Endpoints answering fetch() calls: anonymous callers get 401, not a login page.
FETCH_ENDPOINTS = {"forums.preview", "forums.mention_suggestions", "forums.similar_threads", "forums.quote_post"}


@bp.before_request
def _signed_in_only() -> Any:
    # Forums are for signed-in public buyers (pending accounts included); the web sees nothing.
    if current_user.is_authenticated:
        return None
    if request.endpoint in FETCH_ENDPOINTS:
        return jsonify({"detail": "Connectez-vous pour continuer."}), 401
    from achats.platform.extensions import login_manager

    return login_manager.unauthorized()
