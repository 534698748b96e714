"""Reading pages: the category list, a category's threads, a thread, bookmarks, watched threads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from achats.forums import forms, services
from achats.forums import permissions as perms
from achats.forums.models import (
    Bookmark,
    Category,
    Post,
    Thread,
    ThreadRead,
    ThreadWatch,
    WatchLevel,
)
from achats.forums.views.blueprint import (
    POSTS_PER_PAGE,
    THREADS_PER_PAGE,
    bp,
    int_arg,
    load_category_view,
    load_thread_view,
    me,
    prepare_attachment,
    thread_url,
)
from achats.platform import cache, dates
from achats.platform.extensions import db
from achats.platform.ids import parse_id
from achats.platform.moderation.models import FlagReason
from achats.platform.pagination import Pager
from achats.platform.security import Role, has_role
from achats.platform.tags import Tag, TagFacet

SORT_CHOICES = [("recents", "Activité récente"), ("populaires", "Les plus actifs"), ("sans-reponse", "Sans réponse")]
SORTS = {value for value, _ in SORT_CHOICES}


@bp.get("/forums")
def list_categories() -> str:
    rows = services.categories_overview(db.session, me())
    return render_template("forums/category_list.html", rows=rows)


@dataclass
class Filters:
    """The thread list's GET parameters, checked: unknown values are ignored, never an error."""

    tri: str = "recents"
    tag: str = ""
    theme: str = ""
    famille: str = ""
    resolu: str = ""
    q: str = ""
    args: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls) -> Filters:
        def slug(name: str) -> str:
            value = request.args.get(name, "").strip()
            return value if 0 < len(value) <= 60 else ""

        tri = request.args.get("tri", "recents")
        resolu = request.args.get("resolu", "")
        found = cls(
            tri=tri if tri in SORTS else "recents",
            tag=slug("tag"), theme=slug("theme"), famille=slug("famille"),
            resolu=resolu if resolu in ("oui", "non") else "",
            q=request.args.get("q", "").strip()[:200],
        )
        found.args = {
            k: v for k, v in {
                "tri": "" if found.tri == "recents" else found.tri, "tag": found.tag,
                "theme": found.theme, "famille": found.famille, "resolu": found.resolu, "q": found.q,
            }.items() if v
        }
        return found

    @property
    def active(self) -> bool:
        return bool(self.args)

    @property
    def without_tag(self) -> dict[str, str]:
        return {k: v for k, v in self.args.items() if k != "tag"}


@bp.get("/forums/<slug>")
def show_category(slug: str) -> str:
    category = load_category_view(slug)
    filters = Filters.from_request()
    page_number = int_arg("page")
    viewer = me()

    def list_page(row_category: Any) -> services.ThreadListPage:
        query = services.threads_query(
            viewer, category=category, tag=filters.tag or None, theme=filters.theme or None,
            famille=filters.famille or None, solved={"oui": True, "non": False}.get(filters.resolu),
            sort=filters.tri, q=filters.q or None, session=db.session, entities=False,
        )
        return services.thread_list_page(db.session, query, page_number, THREADS_PER_PAGE, category=row_category)

    if filters.q:
        page = list_page(category)
    else:
        # Without words to search, a page of the list is the same for every reader who sees (or
        # not) the hidden threads: its rows, tags and total are kept until the content changes.
        key = ("forum-thread-list", category.id, services.sees_hidden_threads(viewer, category), filters.tri,
               filters.tag, filters.theme, filters.famille, filters.resolu, page_number)
        page = cache.memo("content", key, lambda: list_page(None))
    unread = services.unread_counts(db.session, viewer, page.items)
    facet_tags = cache.memo("content", "forum_facet_tags", _facet_tags)
    active_tag = None
    if filters.tag:
        active_tag = next((t for t in facet_tags if t.slug == filters.tag), None) or db.session.scalar(
            select(Tag).where(Tag.slug == filters.tag))
    tag_urls: dict[str, str] = {}
    base_url = url_for("forums.show_category", slug=category.slug)
    tag_base = (base_url, tuple(filters.without_tag.items()))

    def tag_url(tag: Any) -> str:
        # A page repeats a handful of tags over its 30 rows: each link is built once, as url_for
        # would build it (the category's URL, then the query string encoded as Werkzeug does).
        found = tag_urls.get(tag.slug)
        if found is None:
            args = [*filters.without_tag.items(), ("tag", tag.slug)]
            found = tag_urls[tag.slug] = base_url + "?" + urlencode(args, safe="!$'()*,/:;?@")
        return found

    def row_html(thread: Any, unread_count: int, macro: Callable[..., str]) -> Markup:
        # A row shows the thread's displayed fields (the row is a frozen value: its own key), its
        # unread count for this reader, its relative date and links that keep the other filters.
        key = ("forum-thread-row", thread, unread_count, dates.relative(thread.last_activity_at), tag_base)
        return cache.fragments().get_or_render(key, lambda: macro(thread, unread_count, tag_url=tag_url))

    return render_template(
        "forums/thread_list.html", category=category, page=page, unread_by_thread=unread, filters=filters,
        sorts=SORT_CHOICES, active_tag=active_tag, row_html=row_html,
        theme_tags=[t for t in facet_tags if t.facet == TagFacet.THEME.value],
        famille_tags=[t for t in facet_tags if t.facet == TagFacet.FAMILLE.value],
        can_create=perms.can_create_thread(viewer, category),
    )


def _facet_tags() -> tuple[services.TagInfo, ...]:
    """The thread list's theme and famille filters (kept until the content changes)."""
    return tuple(services.TagInfo(i, slug, name, str(facet)) for i, slug, name, facet in db.session.execute(
        select(Tag.id, Tag.slug, Tag.name, Tag.facet).where(Tag.facet.in_([TagFacet.THEME, TagFacet.FAMILLE]))
        .order_by(Tag.position, Tag.name)))


@bp.get("/forums/sujets/<int:thread_id>")
def show_thread(thread_id: int) -> Any:
    thread = load_thread_view(thread_id)
    if request.args.get("lire") == "nouveaux":
        # From a list's "3 nouveaux": open the page holding the first unread post.
        last_read = db.session.scalar(select(ThreadRead.last_read_number).where(
            ThreadRead.user_id == me().id, ThreadRead.thread_id == thread.id)) or 0
        page = services.page_of(last_read + 1, POSTS_PER_PAGE)
        return redirect(thread_url(thread, page, "nouveaux" if last_read else None))
    form = forms.ReplyForm(formdata=None)
    reply_to = None
    quoted = _thread_post_arg(thread, "citer")
    if quoted is not None:
        form.body.data = services.quote_markdown(quoted, None)
    replied = _thread_post_arg(thread, "reponse_a") or quoted
    if replied is not None and replied.number > 1:
        reply_to = replied
        form.reply_to_id.data = str(replied.id)
    return render_thread(thread, int_arg("page"), form, reply_to=reply_to)


def _thread_post_arg(thread: services.ThreadLike, name: str) -> Post | None:
    post_id = parse_id(request.args.get(name))
    if post_id is None:
        return None
    post = services.get_post(db.session, post_id, me())
    if post is None or post.thread_id != thread.id or not post.visible:
        return None
    return post


def render_thread(thread: services.ThreadLike, page: int, reply_form: forms.ReplyForm, *, reply_to: Post | None = None,
                  preview_html: Markup | None = None, status: int = 200) -> tuple[str, int]:
    """The thread page (also re-shown, with the typed reply kept, when a reply is refused)."""
    view = services.thread_page(db.session, me(), thread, page, per_page=POSTS_PER_PAGE)
    attachments_enabled = prepare_attachment(reply_form)
    posts = view.posts
    opening = posts[0] if posts and posts[0].number == 1 else None
    flow = [p for p in posts if p.number > 1]
    read_up_to = max((p.number for p in posts), default=0)
    moved_read = read_up_to > view.last_read_number
    if moved_read:  # a re-read writes nothing
        services.mark_read(db.session, me(), thread, read_up_to)
    is_moderator = perms.can_moderate_category(me(), thread.category)
    move_form = None
    if is_moderator:
        move_form = forms.MoveForm(formdata=None)
        move_form.category.choices = [
            (str(c.id), c.name) for c in db.session.scalars(select(Category).order_by(Category.position, Category.name))
        ]
        move_form.category.data = str(thread.category_id)
    watch_level = view.watch_level
    related = services.related_threads(db.session, thread, limit=5)
    can_reply = perms.can_post(me(), thread)
    if moved_read:
        db.session.commit()  # the read position
    html = render_template(
        "forums/thread_show.html", post_html=_post_renderer(view, thread, is_moderator, can_reply),
        reply_fields=_reply_fields_renderer(reply_form, preview_html, has_role(me(), Role.EXPERT),
                                            attachments_enabled),
        post_csrf=cache.fragments().csrf_placeholder,
        thread=thread, view=view, pager=Pager(view.page, view.pages), per_page=POSTS_PER_PAGE,
        opening=opening, flow=flow, featured=view.accepted, featured_ids={p.id for p in view.accepted},
        first_unread=view.first_unread_number, useful_ids=view.useful_ids, bookmarked_ids=view.bookmarked_ids,
        reply_form=reply_form, reply_to_post=reply_to, preview_html=preview_html,
        attachments_enabled=attachments_enabled,
        can_reply=can_reply, can_write=perms.is_writer(me()),
        is_moderator=is_moderator, is_expert=has_role(me(), Role.EXPERT),
        move_form=move_form, related=related,
        watch_level=watch_level if watch_level in forms.WATCH_LABELS else WatchLevel.NORMAL.value,
        watch_choices=forms.WATCH_CHOICES, watch_labels=forms.WATCH_LABELS,
        flag_reasons=[(r.value, r.label) for r in FlagReason],
    )
    return cache.with_csrf_token(html), status


def _post_renderer(view: services.ThreadPage, thread: services.ThreadLike, is_moderator: bool,
                   can_reply: bool) -> Callable[[Any, str, Callable[..., str]], Markup]:
    """`post_html(post, place, macro)` for the thread page: the post's HTML from the fragment cache.

    The key holds every input of the `post_article` macro: the post's displayed fields with its
    author's and its replied-to post's (PostRecord.fingerprint), the thread's, the page
    (permalinks), what the viewer may do with the post, the viewer's toggles and the relative
    date. A post changes for a viewer only through these, so the cache needs no invalidation;
    the CSRF token is a placeholder filled in per response."""
    user = me()
    page_facts = ("forum-post", thread.id, thread.is_question, thread.category.is_desk, is_moderator,
                  view.can_moderate, can_reply)

    def render(post: Any, place: str, macro: Callable[..., str]) -> Markup:
        key = (
            page_facts, post.fingerprint, place, view.page if place == "flow" else 0,
            post.id in view.useful_ids, post.id in view.bookmarked_ids, perms.post_actions(user, post),
            dates.relative(post.created_at), post.attachments,
        )
        return cache.fragments().get_or_render(key, lambda: macro(post, place))

    return render


def _reply_fields_renderer(form: forms.ReplyForm, preview_html: Markup | None, is_expert: bool,
                           attachments_enabled: bool) -> Callable[[Callable[[], str]], Markup] | None:
    """`reply_fields(macro)`: the empty reply form's fields (editor, expert's date, attachment
    fields) from the fragment cache, or None when the form carries something of this request
    (a quote, a preview, errors). Empty, they are the same on every thread page but for these
    inputs (the key); rendering them through WTForms cost a fifth of the page."""
    if preview_html is not None or any(f.errors for f in form) or any(
            form[name].data for name in ("body", "up_to_date_on", "attachment", "attachment_type", "attachment_confirm")):
        return None
    key = ("forum-reply-fields", is_expert, attachments_enabled, tuple(form.attachment_type.choices or ()))
    return lambda macro: cache.fragments().get_or_render(key, macro)


@bp.get("/forums/signets")
def list_bookmarks() -> str:
    query = (
        services.bookmarks_query(me())
        .join(Post, Post.id == Bookmark.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .options(selectinload(Bookmark.post).options(joinedload(Post.thread), joinedload(Post.author)))
    )
    if not has_role(me(), Role.MODERATOR):
        # What became invisible to the reader leaves the list (it comes back if restored).
        query = query.where(Thread.hidden.is_(False), Post.hidden.is_(False), Post.deleted_at.is_(None))
    page = db.paginate(query, page=int_arg("page"), per_page=THREADS_PER_PAGE, error_out=False)
    excerpts = {b.post.id: services.excerpt(b.post.body, 240) for b in page.items}
    return render_template("forums/bookmark_list.html", page=page, excerpts=excerpts, per_page=POSTS_PER_PAGE)


@bp.get("/forums/suivis")
def list_watched() -> str:
    watched = select(ThreadWatch.thread_id).where(
        ThreadWatch.user_id == me().id,
        ThreadWatch.level.in_([WatchLevel.WATCHING.value, WatchLevel.TRACKING.value]),
    )
    query = services.threads_query(me()).where(Thread.id.in_(watched))
    page = db.paginate(query, page=int_arg("page"), per_page=THREADS_PER_PAGE, error_out=False)
    unread = services.unread_counts(db.session, me(), list(page.items))
    return render_template("forums/watched_list.html", page=page, unread_by_thread=unread)
