"""Demo forums for `achats seed-demo`: categories, tags, and the threads of forum_content (idempotent)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.auth.models import User
from achats.forums.demo.content import CATEGORIES, DESK_REMINDER, THREADS
from achats.forums.indexing import index_post, index_thread
from achats.forums.models import (
    Category,
    DeskStatus,
    Post,
    Reaction,
    Thread,
    ThreadKind,
    ThreadWatch,
    WatchLevel,
)
from achats.forums.services.content import render_post
from achats.forums.services.stats import post_path, refresh_thread_stats
from achats.platform.dates import PARIS
from achats.platform.db import utcnow
from achats.platform.events import record
from achats.platform.extensions import db
from achats.platform.security import Role
from achats.platform.tags import Tag, ensure_tags


def fr(text: str) -> str:
    """French typography: narrow no-break space before ; : ! ?, no-break space inside « », in amounts."""
    text = re.sub(r" ([;:!?])", "\u202f\\1", text)
    text = text.replace("« ", "«\u00a0").replace(" »", "\u00a0»")
    text = re.sub(r"(\d) (\d{3})\b", "\\1\u202f\\2", text)
    text = re.sub(r"(\d) (€|%)", "\\1\u00a0\\2", text)
    return text


def seed_taxonomy(session: Session) -> tuple[int, int]:
    existing = set(session.scalars(select(Category.slug)))
    categories = 0
    for slug, name, description, position, is_desk in CATEGORIES:
        if slug not in existing:
            session.add(Category(slug=slug, name=name, description=description, position=position,
                                 is_desk=is_desk))
            categories += 1
    tags = ensure_tags(session)
    return categories, tags


def _paris_morning(days_ago: int, now: datetime) -> datetime:
    local = (now - timedelta(days=days_ago)).astimezone(PARIS)
    return local.replace(hour=9, minute=(days_ago * 7) % 50, second=0, microsecond=0).astimezone(now.tzinfo)


def seed_thread(session: Session, spec: dict[str, Any], users: dict[str, User], categories: dict[str, Category],
                tags: dict[str, Tag], now: datetime) -> Thread:
    category = categories[spec["category"]]
    author = users[spec["author"]]
    kind = ThreadKind(spec["kind"])
    created = min(_paris_morning(spec["days_ago"], now), now - timedelta(hours=2))
    thread = Thread(category_id=category.id, author_id=author.id, title=fr(spec["title"]), kind=kind,
                    created_at=created, last_activity_at=created, pinned=bool(spec.get("pinned")),
                    desk_status=DeskStatus.NEW if category.is_desk else None)
    thread.category = category
    thread.tags = [tags[slug] for slug in spec["tags"]]
    session.add(thread)
    session.flush()
    entries = [{"author": spec["author"], "hours": 0, "body": spec["body"]}, *spec["replies"]]
    posts: list[Post] = []
    watchers: dict[int, WatchLevel] = {author.id: WatchLevel.WATCHING}
    for number, entry in enumerate(entries, start=1):
        writer = users[entry["author"]]
        when = min(created + timedelta(hours=entry["hours"]), now - timedelta(minutes=30))
        is_expert = str(writer.role) == Role.EXPERT
        body = fr(entry["body"].replace("{thread}", str(thread.id)))
        answers_question = is_expert and kind == ThreadKind.QUESTION and number > 1
        if answers_question:
            body += "\n\n---\n" + DESK_REMINDER
        post = Post(thread_id=thread.id, number=number, author_id=writer.id, body=body,
                    body_html=render_post(session, body).html, created_at=when, by_expert=is_expert,
                    up_to_date_on=when.astimezone(PARIS).date() if answers_question else None)
        if entry.get("accepted"):
            post.accepted, post.accepted_by_id, post.accepted_at = True, author.id, when + timedelta(hours=3)
        if entry.get("review"):
            reviewer = users.get("moderatrice@achats.example") or writer
            post.needs_review, post.review_marked_by_id, post.review_marked_at = True, reviewer.id, now - timedelta(days=2)
        session.add(post)
        posts.append(post)
        watchers.setdefault(writer.id, WatchLevel.TRACKING)
        first_expert_answer = category.is_desk and is_expert and number > 1 and writer.id != author.id
        if first_expert_answer and thread.first_expert_answer_at is None:
            thread.first_expert_answer_at = when
            thread.assigned_expert_id = writer.id
            thread.taken_at = when - timedelta(hours=1)
            thread.desk_status = DeskStatus.ANSWERED
    desk = spec.get("desk")
    if category.is_desk and desk and desk[0] == "taken" and thread.assigned_expert_id is None:
        thread.assigned_expert_id = users[desk[1]].id
        thread.taken_at = min(created + timedelta(hours=desk[2]), now - timedelta(minutes=45))
        thread.desk_status = DeskStatus.TAKEN
    session.flush()
    for user_id, level in watchers.items():
        session.add(ThreadWatch(user_id=user_id, thread_id=thread.id, level=level))
    # "Utile" from two readers on accepted answers.
    readers = [u for u in users.values() if u.id not in {p.author_id for p in posts}]
    for post in posts:
        if post.accepted:
            for reader in readers[:2]:
                session.add(Reaction(post_id=post.id, user_id=reader.id))
            post.useful_count = len(readers[:2])
    refresh_thread_stats(session, thread)
    index_thread(session, thread, posts[0])
    for post in posts[1:]:
        index_post(session, thread, post)
    for post in posts:
        record(session, "post_loaded", thread=thread, post=post, url=post_path(post))
    return thread


def seed() -> Iterator[str]:
    session = db.session
    new_categories, new_tags = seed_taxonomy(session)
    yield f"Forums : {new_categories} catégorie(s) et {new_tags} étiquette(s) créée(s)."
    emails = {spec["author"] for spec in THREADS} | {r["author"] for spec in THREADS for r in spec["replies"]}
    emails |= {spec["desk"][1] for spec in THREADS if spec.get("desk")}
    emails.add("moderatrice@achats.example")
    users = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails))) if u.email}
    missing = sorted(emails - set(users))
    if missing:
        session.commit()
        yield "Sujets de démonstration non créés : comptes absents (" + ", ".join(missing) + ")."
        return
    categories = {c.slug: c for c in session.scalars(select(Category))}
    tags = {t.slug: t for t in session.scalars(select(Tag))}
    existing = set(session.scalars(select(Thread.title)))
    now = utcnow()
    created = 0
    for spec in THREADS:
        if fr(spec["title"]) in existing:
            continue
        seed_thread(session, spec, users, categories, tags, now)
        created += 1
    session.commit()
    yield f"Forums : {created} sujet(s) de démonstration créé(s), {len(THREADS) - created} déjà présent(s)."


def present() -> bool:
    return db.session.scalar(select(Thread.id).limit(1)) is not None
