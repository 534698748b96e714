"""Forum API: categories, tags, threads, their posts, watching, reading position, the desk hand-over."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from achats.forums import permissions as perms
from achats.forums import services
from achats.forums.api.blueprint import (
    _aware,
    _bounded_int,
    _me,
    _require_writer,
    _thread_or_404,
    _threads_out,
    api,
    domain_errors,
    post_limit,
)
from achats.forums.api.schemas import (
    CategoryList,
    PostCreate,
    PostList,
    PostOut,
    ReadOut,
    ReadPositionBody,
    SimilarList,
    SimilarQuery,
    TagList,
    ThreadCreate,
    ThreadCreated,
    ThreadList,
    ThreadOut,
    ThreadsQuery,
    WatchBody,
    WatchOut,
    attachments_payload,
    post_payload,
    thread_payload,
    thread_url,
)
from achats.forums.models import Post, Thread
from achats.platform.api import ApiError, ListQuery, json_answer, json_text, keyset_page
from achats.platform.cache import fragment_for
from achats.platform.extensions import db
from achats.platform.tags import Tag

# --- categories and tags -----------------------------------------------------------------------


@api.operation("/categories", "GET", "Les catégories des forums, dans l'ordre d'affichage", response=CategoryList)
def list_categories() -> CategoryList:
    rows = services.categories_overview(db.session, _me())
    return CategoryList.model_validate({"items": [
        {"id": r.category.id, "slug": r.category.slug, "name": r.category.name,
         "description": r.category.description, "position": r.category.position, "is_desk": r.category.is_desk,
         "thread_count": r.thread_count, "post_count": r.post_count,
         "last_thread": None if r.last_thread is None else vars(r.last_thread)}
        for r in rows
    ], "next_cursor": None})


@api.operation("/tags", "GET", "Les étiquettes (thèmes et facettes)", response=TagList)
def list_tags() -> dict[str, Any]:
    tags = db.session.scalars(select(Tag).order_by(Tag.facet, Tag.position, Tag.name))
    return {"items": [{"slug": t.slug, "name": t.name, "facet": str(t.facet)} for t in tags], "next_cursor": None}


# --- threads -----------------------------------------------------------------------------------


@api.operation("/threads", "GET", "Les sujets, activité la plus récente d'abord", query=ThreadsQuery,
               response=ThreadList)
def list_threads(query: ThreadsQuery) -> Any:
    category = None
    if query.category:
        category = services.category_info(db.session, query.category)
        if category is None:
            return {"items": [], "next_cursor": None}
    viewer = _me()

    def page() -> dict[str, Any]:
        stmt = services.threads_query(
            viewer, category=category, tag=query.tag, theme=query.theme, famille=query.famille, kind=query.kind,
            solved=query.solved, unanswered=query.unanswered, author_id=query.author_id, q=query.q,
            session=db.session, entities=False,
        ).order_by(None)
        threads, cursor = keyset_page(
            db.session, stmt, [Thread.last_activity_at, Thread.id], query.limit, query.cursor,
            key=lambda t: [t.last_activity_at.isoformat(), t.id], converters=[_aware, _bounded_int],
            fetch=lambda statement: services.thread_rows(db.session, statement, category),
        )
        return {"items": _threads_out(threads), "next_cursor": cursor}

    if query.q:
        return page()
    # Without words to search, the list is the same for every reader who sees (or not) the hidden
    # threads: its JSON is kept until the content changes (in the fragment cache, bounded by size).
    key = ("api-threads", services.sees_hidden_threads(viewer, category),
           json.dumps(query.model_dump(mode="json"), sort_keys=True))
    return json_answer(fragment_for("content", key, lambda: json_text(page())))


@api.operation("/threads/similar", "GET", "Sujets aux titres proches (pour éviter les doublons)",
               query=SimilarQuery, response=SimilarList)
def similar_threads(query: SimilarQuery) -> dict[str, Any]:
    threads = services.similar_titles(db.session, query.title)
    return {"items": [
        {"id": t.id, "title": t.title, "url": thread_url(t.id), "solved": t.solved, "post_count": t.post_count}
        for t in threads
    ], "next_cursor": None}


@api.operation("/threads", "POST", "Ouvrir un sujet (avec son premier message)", body=ThreadCreate,
               response=ThreadCreated, status=201)
@post_limit
def create_thread(body: ThreadCreate) -> dict[str, Any]:
    _require_writer()
    category = services.get_category(db.session, body.category_id)
    if category is None:
        raise ApiError(422, "Catégorie inconnue.", errors={"category_id": ["Catégorie inconnue."]})
    with domain_errors():
        thread = services.create_thread(
            db.session, _me(), category=category, title=body.title, body=body.body, kind=body.kind,
            tags=body.tags, up_to_date_on=body.up_to_date_on,
        )
    first = db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.number == 1)).one()
    db.session.commit()
    first_json = post_payload(first, viewer=_me())
    return {**thread_payload(thread, []), "posts": [first_json], "first_post": first_json}


@api.operation("/threads/<int:thread_id>", "GET", "Un sujet", response=ThreadOut)
def get_thread(thread_id: int) -> dict[str, Any]:
    thread = _thread_or_404(thread_id)
    return _threads_out([thread])[0]


@api.operation("/threads/<int:thread_id>/posts", "GET", "Les messages d'un sujet, dans l'ordre",
               query=ListQuery, response=PostList)
def list_posts(thread_id: int, query: ListQuery) -> Any:
    thread = _thread_or_404(thread_id)
    viewer = _me()
    can_moderate = perms.can_moderate_category(viewer, thread.category)

    def page() -> dict[str, Any]:
        posts, cursor = _posts_page(viewer, thread, query)
        attachments = attachments_payload(posts, viewer)
        return {"items": [post_payload(p, can_moderate=can_moderate, attachments=attachments) for p in posts],
                "next_cursor": cursor}

    def shared() -> str:
        # The same JSON for every reader of the thread with the same right to see hidden posts,
        # unless a post carries attachments: what they show depends on the reader (review,
        # audience); then "" is kept, and each reader's page is computed.
        posts, cursor = _posts_page(viewer, thread, query)
        if services.attachments_of(db.session, [p.id for p in posts]):
            return ""
        return json_text({"items": [post_payload(p, can_moderate=can_moderate, attachments={}) for p in posts],
                          "next_cursor": cursor})

    # In the fragment cache: bounded by size (a crawler paging through every thread must not
    # hold every page of posts in each worker).
    text = fragment_for("content", ("api-posts", thread.id, can_moderate, query.limit, query.cursor), shared)
    return json_answer(text) if text else page()


def _posts_page(viewer: Any, thread: Thread, query: ListQuery) -> tuple[list[Post], str | None]:
    return keyset_page(
        db.session, services.posts_query(viewer, thread, for_page=False), [Post.number], query.limit, query.cursor,
        key=lambda p: [p.number], descending=False, converters=[_bounded_int],
    )


@api.operation("/threads/<int:thread_id>/posts", "POST", "Répondre dans un sujet", body=PostCreate,
               response=PostOut, status=201, errors=(409,))
@post_limit
def create_post(thread_id: int, body: PostCreate) -> dict[str, Any]:
    thread = _thread_or_404(thread_id)
    _require_writer()
    reply_to = None
    if body.reply_to_id is not None:
        reply_to = services.get_post(db.session, body.reply_to_id, _me())
        if reply_to is None or reply_to.thread_id != thread.id:
            raise ApiError(422, "Le message auquel vous répondez n'est pas dans ce sujet.",
                           errors={"reply_to_id": ["Message inconnu dans ce sujet."]})
    with domain_errors():
        post = services.create_post(db.session, _me(), thread, body=body.body, reply_to=reply_to,
                                    up_to_date_on=body.up_to_date_on)
    db.session.commit()
    return post_payload(post, viewer=_me())


@api.operation("/threads/<int:thread_id>/watch", "PUT", "Régler mes notifications pour ce sujet",
               body=WatchBody, response=WatchOut)
def watch_thread(thread_id: int, body: WatchBody) -> dict[str, Any]:
    thread = _thread_or_404(thread_id)
    _require_writer()
    with domain_errors():
        watch = services.set_watch(db.session, _me(), thread, body.level)
    db.session.commit()
    return {"thread_id": thread.id, "level": str(watch.level)}


@api.operation("/threads/<int:thread_id>/watch", "GET", "Mon niveau de suivi de ce sujet", response=WatchOut)
def get_watch(thread_id: int) -> dict[str, Any]:
    thread = _thread_or_404(thread_id)
    return {"thread_id": thread.id, "level": str(services.watch_level(db.session, _me(), thread))}


@api.operation("/threads/<int:thread_id>/read", "PUT", "Avancer ma position de lecture", body=ReadPositionBody,
               response=ReadOut)
def read_thread(thread_id: int, body: ReadPositionBody) -> dict[str, Any]:
    thread = _thread_or_404(thread_id)
    services.mark_read(db.session, _me(), thread, body.last_read_number)
    db.session.commit()
    return {"thread_id": thread.id, "last_read_number": body.last_read_number}


@api.operation("/threads/<int:thread_id>/take", "POST", "Prendre en charge une question du guichet vert (experts)",
               response=ThreadOut, errors=(409,))
def take_question(thread_id: int) -> dict[str, Any]:
    thread = _thread_or_404(thread_id)
    _require_writer()
    if not perms.is_expert(_me()):
        raise ApiError(403, "Seuls les experts du guichet vert prennent en charge une question.")
    if not thread.category.is_desk or not thread.is_question:
        raise ApiError(409, "Ce sujet n'est pas une question du guichet vert.")
    if thread.assigned_expert_id == _me().id:
        raise ApiError(409, "Vous avez déjà pris en charge cette question.")
    if not perms.can_take_question(_me(), thread):
        raise ApiError(409, "Cette question ne peut plus être prise en charge (déjà répondue ou close).")
    with domain_errors():
        services.take_question(db.session, _me(), thread)
    db.session.commit()
    return _threads_out([thread])[0]
