"""Writing: threads, posts, edits with revisions, withdrawal during the grace period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.forums import permissions as perms
from achats.forums.models import (
    Category,
    DeskStatus,
    Post,
    PostAttachment,
    PostRevision,
    Thread,
    ThreadKind,
    ThreadWatch,
    WatchLevel,
)
from achats.forums.services.content import (
    check_up_to_date,
    clean_body,
    clean_text,
    clean_title,
    render_post,
)
from achats.forums.services.errors import EditWindowClosed, InvalidInput, NotAllowed, ThreadLocked
from achats.forums.services.stats import post_path, refresh_thread_stats, today_paris
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.moderation.audit import audit
from achats.platform.security import Role
from achats.platform.tags import Tag

MAX_TAGS = 10
PENDING_MESSAGE = (
    "Votre compte est en attente de validation par l'équipe de modération : vous pouvez lire "
    "les échanges, et publier dès que votre compte sera validé."
)


def _require_writer(user: Any) -> None:
    if not perms.is_writer(user):
        raise NotAllowed(PENDING_MESSAGE if perms.is_reader(user) else "Connectez-vous pour publier.")


def resolve_tags(session: Session, slugs: list[str] | tuple[str, ...] | None) -> list[Tag]:
    """Tag slugs → forum_tag rows, in the order given; unknown slugs are refused."""
    wanted: list[str] = []
    for raw in slugs or []:
        slug = clean_text(str(raw), multiline=False).lower()
        if slug and slug not in wanted:
            wanted.append(slug)
    if len(wanted) > MAX_TAGS:
        raise InvalidInput("tags", f"{MAX_TAGS} étiquettes au plus.")
    if not wanted:
        return []
    if any(len(s) > 60 for s in wanted):
        raise InvalidInput("tags", "Étiquette inconnue.")
    found = {t.slug: t for t in session.scalars(select(Tag).where(Tag.slug.in_(wanted)))}
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise InvalidInput("tags", "Étiquette inconnue : " + ", ".join(unknown[:5]) + ".")
    return [found[s] for s in wanted]


def _is_expert_author(user: Any) -> bool:
    return user is not None and str(user.role) == Role.EXPERT


def _next_number(session: Session, thread: Thread) -> int:
    # Serialise posting in one thread (PostgreSQL row lock; SQLite has one writer at a time).
    session.execute(select(Thread.id).where(Thread.id == thread.id).with_for_update())
    return (session.scalar(select(func.max(Post.number)).where(Post.thread_id == thread.id)) or 0) + 1


def _insert_post(session: Session, thread: Thread, author: User, body: str, *, number: int,
                 reply_to: Post | None, up_to_date_on: date | None) -> tuple[Post, list[Any]]:
    check_up_to_date(up_to_date_on)
    rendered = render_post(session, body)
    by_expert = _is_expert_author(author)
    if not perms.is_expert(author):
        up_to_date_on = None  # "à jour au" is an expert's statement
    elif up_to_date_on is None and by_expert and number > 1:
        up_to_date_on = today_paris()
    post = Post(
        thread_id=thread.id, number=number, author_id=author.id, body=body, body_html=rendered.html,
        created_at=utcnow(), by_expert=by_expert, up_to_date_on=up_to_date_on,
        reply_to_id=reply_to.id if reply_to is not None else None,
    )
    post.author = author
    post.thread = thread
    post.reply_to = reply_to
    session.add(post)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Two posts raced for the same number: take the next one.
        post.number = _next_number(session, thread)
        session.add(post)
        session.flush()
    return post, rendered.mentioned


def _watch_if_unset(session: Session, user: User, thread: Thread, level: WatchLevel) -> None:
    if session.get(ThreadWatch, (user.id, thread.id)) is None:
        session.add(ThreadWatch(user_id=user.id, thread_id=thread.id, level=level))


def create_thread(session: Session, author: User, *, category: Category, title: str, body: str,
                  kind: str | ThreadKind = ThreadKind.DISCUSSION, tags: list[str] | None = None,
                  up_to_date_on: date | None = None, attachment_ids: Sequence[int] = ()) -> Thread:
    """Open a thread with its post n°1. In the desk, every thread is a question and experts hear of it."""
    _require_writer(author)
    if category is None or not perms.can_create_thread(author, category):
        raise NotAllowed()
    title = clean_title(title)
    body = clean_body(body)
    try:
        kind = ThreadKind(kind)
    except ValueError:
        raise InvalidInput("kind", "Type de sujet inconnu : « discussion » ou « question ».") from None
    tag_rows = resolve_tags(session, tags)
    if category.is_desk:
        kind = ThreadKind.QUESTION
    now = utcnow()
    thread = Thread(
        category_id=category.id, author_id=author.id, title=title, kind=kind, created_at=now,
        last_activity_at=now, desk_status=DeskStatus.NEW if category.is_desk else None,
    )
    thread.category = category
    thread.author = author
    thread.tags = tag_rows
    session.add(thread)
    session.flush()
    post, mentioned = _insert_post(session, thread, author, body, number=1, reply_to=None,
                                   up_to_date_on=up_to_date_on)
    session.add(ThreadWatch(user_id=author.id, thread_id=thread.id, level=WatchLevel.WATCHING))
    refresh_thread_stats(session, thread)
    _mark_read_own(session, author, thread, 1)
    attached = _attach(session, post, attachment_ids)
    record(session, "thread_created", thread=thread, post=post, mentioned=mentioned, url=post_path(post),
           attachment_ids=attached)
    return thread


def create_post(session: Session, author: User, thread: Thread, *, body: str, reply_to: Post | None = None,
                up_to_date_on: date | None = None, attachment_ids: Sequence[int] = ()) -> Post:
    """Reply in a thread. Raises ThreadLocked (locked or archived), NotAllowed, InvalidInput."""
    _require_writer(author)
    if not perms.can_read_thread(author, thread):
        raise NotAllowed()
    if thread.archived:
        raise ThreadLocked("Ce sujet est archivé : il est en lecture seule.")
    if thread.locked and not perms.can_moderate_category(author, thread.category):
        raise ThreadLocked()
    body = clean_body(body)
    if reply_to is not None and (reply_to.thread_id != thread.id or not reply_to.visible):
        raise InvalidInput("reply_to_id", "Le message auquel vous répondez n'est pas dans ce sujet.")
    number = _next_number(session, thread)
    post, mentioned = _insert_post(session, thread, author, body, number=number, reply_to=reply_to,
                                   up_to_date_on=up_to_date_on)
    _watch_if_unset(session, author, thread, WatchLevel.TRACKING)
    first_expert_answer = (
        thread.desk_status is not None and post.by_expert and author.id != thread.author_id
        and thread.first_expert_answer_at is None
    )
    if first_expert_answer:
        thread.first_expert_answer_at = post.created_at
        if thread.assigned_expert_id is None:
            thread.assigned_expert_id = author.id
            thread.taken_at = post.created_at
        if thread.desk_status in (DeskStatus.NEW, DeskStatus.TAKEN):
            thread.desk_status = DeskStatus.ANSWERED
    refresh_thread_stats(session, thread)
    _mark_read_own(session, author, thread, post.number)
    attached = _attach(session, post, attachment_ids)
    record(session, "post_created", thread=thread, post=post, mentioned=mentioned,
           first_expert_answer=first_expert_answer, url=post_path(post), attachment_ids=attached)
    return post


MAX_ATTACHMENTS = 5


def _attach(session: Session, post: Post, attachment_ids: Sequence[int]) -> list[int]:
    """Files the author attached (stored by the feature keeping files, which gave these ids)."""
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > MAX_ATTACHMENTS:
        raise InvalidInput("attachments", f"{MAX_ATTACHMENTS} pièces jointes au plus par message.")
    for position, attachment_id in enumerate(ids):
        session.add(PostAttachment(post_id=post.id, attachment_id=attachment_id, position=position))
    if ids:
        session.flush()
    return ids


def _mark_read_own(session: Session, user: User, thread: Thread, number: int) -> None:
    from achats.forums.services.reading import mark_read

    mark_read(session, user, thread, number)


def _render_into(session: Session, post: Post, body: str) -> list[Any]:
    rendered = render_post(session, body)
    post.body = body
    post.body_html = rendered.html
    return rendered.mentioned


def edit_post(session: Session, editor: User, post: Post, *, body: str, reason: str | None = None) -> Post:
    """Change a post's text; every version is kept (revision 1 is the original)."""
    _require_writer(editor)
    if not perms.can_edit_post(editor, post):
        if post.thread.locked or post.thread.archived:
            raise ThreadLocked("Ce sujet est verrouillé : ses messages ne peuvent plus être modifiés.")
        raise NotAllowed("Vous ne pouvez pas modifier ce message.")
    body = clean_body(body)
    reason = clean_text(reason, multiline=False)[:300] or None
    if body == post.body:
        return post
    revisions = session.scalar(select(func.count(PostRevision.id)).where(PostRevision.post_id == post.id)) or 0
    if revisions == 0:
        session.add(PostRevision(post_id=post.id, number=1, body=post.body, editor_id=post.author_id,
                                 created_at=post.created_at))
        revisions = 1
    now = utcnow()
    session.add(PostRevision(post_id=post.id, number=revisions + 1, body=body, editor_id=editor.id,
                             reason=reason, created_at=now))
    before = {u for u in _mentioned_ids(session, post.body)}
    mentioned = _render_into(session, post, body)
    post.edited_at = now
    if editor.id != post.author_id:
        audit(session, "forum.post.edit", actor=editor, target_type="post", target_id=post.id, reason=reason)
    session.flush()
    record(session, "post_edited", post=post, newly_mentioned=[u for u in mentioned if u.id not in before],
           url=post_path(post))
    return post


def _mentioned_ids(session: Session, body: str) -> set[int]:
    return {u.id for u in render_post(session, body).mentioned}


def delete_post(session: Session, actor: User, post: Post) -> Post:
    """Withdraw a post: its author within GRACE, a moderator at any time. It shows as a placeholder."""
    _require_writer(actor)
    if post.deleted_at is not None:
        if post.author_id == actor.id or perms.can_moderate_category(actor, post.thread.category):
            return post  # already withdrawn: nothing to do
        raise NotAllowed("Vous ne pouvez pas supprimer ce message.")
    if not perms.can_delete_post(actor, post):
        if post.author_id == actor.id and not perms.within_grace(post):
            raise EditWindowClosed()
        raise NotAllowed("Vous ne pouvez pas supprimer ce message.")
    post.deleted_at = utcnow()
    if actor.id != post.author_id:
        audit(session, "forum.post.delete", actor=actor, target_type="post", target_id=post.id)
    refresh_thread_stats(session, post.thread)
    record(session, "post_withdrawn", post=post)
    return post
