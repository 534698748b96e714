"""Who hears about what happens in the forums: subscriptions to the forums' domain events.

A new post gives one notification per recipient, the most specific reason winning."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from achats.auth.models import AccountStatus, User, UserTheme
from achats.forums.models import Post, Thread, ThreadWatch, WatchLevel
from achats.forums.permissions import can_read_thread
from achats.forums.services.content import author_name, quoted_refs
from achats.forums.services.stats import post_path, thread_path
from achats.platform.mail import queue_mail
from achats.platform.notifications.services import Target, notify
from achats.platform.security import Role
from achats.platform.tags import TagFacet


class K:
    """The forums' notification kinds (declared in achats/forums/feature.py)."""

    REPLY_TO_THREAD = "reply_to_thread"
    REPLY_TO_POST = "reply_to_post"
    QUOTED = "quoted"
    MENTIONED = "mentioned"
    ANSWER_ACCEPTED = "answer_accepted"
    NEW_QUESTION = "new_question"
    QUESTION_TAKEN = "question_taken"
    WATCHED_THREAD = "watched_thread"


# Lower wins: a user mentioned and quoted in the same post gets one "mentioned" notification.
PRIORITY = {
    K.MENTIONED: 0,
    K.NEW_QUESTION: 1,
    K.QUOTED: 2,
    K.REPLY_TO_POST: 3,
    K.REPLY_TO_THREAD: 4,
    K.WATCHED_THREAD: 5,
}
_REACHABLE = (AccountStatus.ACTIVE, AccountStatus.PENDING)


def quoted_title(thread: Thread) -> str:
    """« Titre » with the no-break spaces French typography puts inside the quotation marks."""
    return f"«\u00a0{thread.title}\u00a0»"


def _text(kind: str, actor: str, thread: Thread) -> str:
    title = quoted_title(thread)
    return {
        K.MENTIONED: f"{actor} vous a mentionné dans {title}.",
        K.QUOTED: f"{actor} vous a cité dans {title}.",
        K.REPLY_TO_POST: f"{actor} a répondu à votre message dans {title}.",
        K.REPLY_TO_THREAD: (
            f"{actor} a répondu à votre question {title}." if thread.is_question
            else f"{actor} a répondu à votre sujet {title}."
        ),
        K.WATCHED_THREAD: f"Nouveau message de {actor} dans {title}.",
        K.NEW_QUESTION: f"Nouvelle question au guichet vert\u202f: {title}.",
    }[kind]


def desk_experts(session: Session, thread: Thread) -> list[User]:
    """Active experts whose themes meet the question's theme tags (all experts when it has none)."""
    themes = [t.slug for t in thread.tags if t.facet == TagFacet.THEME]
    query = select(User).where(User.role == Role.EXPERT, User.status == AccountStatus.ACTIVE)
    if themes:
        query = query.where(
            User.id.in_(select(UserTheme.user_id).where(UserTheme.theme.in_(themes)))
        )
    return list(session.scalars(query.order_by(User.id)))


def notify_new_post(
    session: Session, thread: Thread, post: Post, mentioned: Iterable[User], *, new_question: bool = False
) -> int:
    """Write the notifications caused by `post` (in the caller's transaction). Returns how many."""
    actor = post.author
    wanted: dict[int, str] = {}

    def want(user_id: int | None, kind: str) -> None:
        if user_id is None or (actor is not None and user_id == actor.id):
            return
        current = wanted.get(user_id)
        if current is None or PRIORITY[kind] < PRIORITY[current]:
            wanted[user_id] = kind

    users: dict[int, User] = {}
    for user in mentioned:
        users[user.id] = user
        want(user.id, K.MENTIONED)
    if new_question:
        for user in desk_experts(session, thread):
            users[user.id] = user
            want(user.id, K.NEW_QUESTION)
    refs = [ref for ref in quoted_refs(post.body)]
    if refs:
        for author_id in session.scalars(
            select(Post.author_id).where(tuple_(Post.thread_id, Post.number).in_(refs))
        ):
            want(author_id, K.QUOTED)
    if post.reply_to is not None:
        want(post.reply_to.author_id, K.REPLY_TO_POST)
    if post.number > 1:
        want(thread.author_id, K.REPLY_TO_THREAD)
    watches = {
        w.user_id: w.level for w in session.scalars(
            select(ThreadWatch).where(
                ThreadWatch.thread_id == thread.id,
                ThreadWatch.level.in_([WatchLevel.WATCHING, WatchLevel.MUTED]),
            )
        )
    }
    if post.number > 1:
        for user_id, level in watches.items():
            if level == WatchLevel.WATCHING:
                want(user_id, K.WATCHED_THREAD)
    # A muted thread is silent, except when someone calls you by name.
    for user_id, level in watches.items():
        if level == WatchLevel.MUTED and wanted.get(user_id) not in (None, K.MENTIONED):
            del wanted[user_id]
    missing = [uid for uid in wanted if uid not in users]
    if missing:
        users.update({u.id: u for u in session.scalars(select(User).where(User.id.in_(missing)))})
    name = author_name(actor)
    target = Target("post", post.id, post_path(post))
    sent = 0
    for user_id, kind in sorted(wanted.items()):
        recipient = users.get(user_id)
        if recipient is None or recipient.status not in _REACHABLE or not can_read_thread(recipient, thread):
            continue
        notify(session, recipient, kind, actor, target, _text(kind, name, thread))
        sent += 1
    return sent


def notify_user(session: Session, recipient: Any, kind: str, actor: User | None, thread: Thread, post: Post | None,
                text: str, mail_context: dict[str, Any] | None = None) -> None:
    """A single forum notification (accepted answer, question taken)."""
    if recipient is None or recipient.status not in _REACHABLE or not can_read_thread(recipient, thread):
        return
    target = Target("post", post.id, post_path(post)) if post is not None else Target(
        "thread", thread.id, thread_path(thread.id))
    notify(session, recipient, kind, actor, target, text, mail_context=mail_context)


def mail_asker(session: Session, thread: Thread, subject: str, template: str, **context: Any) -> None:
    """A mail to the person who asked a desk question, if they accept e-mails."""
    asker = thread.author
    if asker is None or not asker.email or not asker.email_notifications or asker.status not in _REACHABLE:
        return
    base = current_app.config.get("ACHATS_BASE_URL", "")
    queue_mail(session, asker.email, subject, template, user=asker, thread=thread,
               url=base + thread_path(thread.id), **context)


# --- subscriptions to the forums' domain events ---------------------------------------------------


def on_thread_created(session: Session, *, thread: Thread, post: Post, mentioned: list[User], **_: Any) -> None:
    notify_new_post(session, thread, post, mentioned, new_question=thread.category.is_desk)


def on_post_created(session: Session, *, thread: Thread, post: Post, mentioned: list[User],
                    first_expert_answer: bool = False, **_: Any) -> None:
    notify_new_post(session, thread, post, mentioned)
    if first_expert_answer:
        mail_asker(session, thread, "Votre question a reçu une réponse", "desk_question_answered",
                   expert_name=author_name(post.author), post=post)


def on_post_edited(session: Session, *, post: Post, newly_mentioned: list[User], **_: Any) -> None:
    """Only people newly mentioned by an edit hear about it."""
    for user in newly_mentioned:
        notify_user(session, user, K.MENTIONED, post.author, post.thread, post,
                    f"{author_name(post.author)} vous a mentionné dans {quoted_title(post.thread)}.")


def on_thread_moved(session: Session, *, thread: Thread, entering_desk: bool = False, **_: Any) -> None:
    """A thread moved into the desk is a new question for the desk's experts."""
    if not entering_desk:
        return
    opening = session.scalar(select(Post).where(Post.thread_id == thread.id, Post.number == 1))
    if opening is not None:
        notify_new_post(session, thread, opening, [], new_question=True)


def on_answer_accepted(session: Session, *, post: Post, actor: User, **_: Any) -> None:
    notify_user(session, post.author, K.ANSWER_ACCEPTED, actor, post.thread, post,
                f"{author_name(actor)} a accepté votre réponse à {quoted_title(post.thread)}.")


def on_question_taken(session: Session, *, thread: Thread, expert: User, **_: Any) -> None:
    """The asker is told in the app and, by the kind's mail channel, by e-mail."""
    name = author_name(expert)
    notify_user(session, thread.author, K.QUESTION_TAKEN, expert, thread, None,
                f"{name} a pris en charge votre question {quoted_title(thread)}.",
                mail_context={"expert_name": name, "thread": thread})
