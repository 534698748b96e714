"""Bounded SQL: the category list, a thread list, a 20-post thread page and the posts API stay under
12 statements, and the same count whatever the data size (counted with before_cursor_execute)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from achats.auth.models import User
from achats.forums import services
from achats.forums.models import Category, Post, Thread, ThreadTag
from achats.platform.db import utcnow
from tests.forums.helpers import *  # noqa: F403

LIMIT = 12


def build(db: Any, forum: Any, authors: list[Any], categories: int, threads: int, posts: int) -> Thread:
    """Bulk data (no notifications): `categories` × `threads` × `posts`, with tags and accepted answers."""
    now = utcnow()
    cats = [forum.general, forum.energy, forum.desk]
    for i in range(max(0, categories - 3)):
        cat = Category(slug=f"cat-{i}-{len(authors)}", name=f"Catégorie {i}", description="", position=10 + i)
        db.session.add(cat)
        cats.append(cat)
    db.session.flush()
    tag_ids = [t.id for t in forum.tags.values()]
    last = None
    for c, cat in enumerate(cats[:categories]):
        for t in range(threads):
            when = now - timedelta(minutes=c * threads + t)
            thread = Thread(category_id=cat.id, author_id=authors[t % len(authors)].id, title=f"Sujet {c}-{t}",
                            kind="question", created_at=when, last_activity_at=when)
            db.session.add(thread)
            db.session.flush()
            db.session.execute(insert(ThreadTag), [{"thread_id": thread.id, "tag_id": tag_ids[(t + k) % len(tag_ids)]}
                                                   for k in range(2)])
            db.session.execute(insert(Post), [
                {"thread_id": thread.id, "number": n, "author_id": authors[(t + n) % len(authors)].id,
                 "body": f"Message {n}", "body_html": f"<p>Message {n}</p>", "created_at": when,
                 "accepted": n == 3, "reply_to_id": None}
                for n in range(1, posts + 1)
            ])
            services.refresh_thread_stats(db.session, thread)
            last = thread
    db.session.commit()
    return last  # type: ignore[return-value]


def measure(db: Any, count_queries: Any, viewer: Any, thread_id: int, api_client: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    db.session.expunge_all()
    viewer = db.session.get(User, viewer.id)
    with count_queries() as c:
        services.categories_overview(db.session, viewer)
    counts["categories_overview"] = c.count
    db.session.expunge_all()
    viewer = db.session.get(User, viewer.id)
    category = db.session.scalar(select(Category).where(Category.slug == "vie-du-reseau"))
    with count_queries() as c:
        page = db.paginate(services.threads_query(viewer, category=category), page=1, per_page=20, error_out=False)
        services.unread_counts(db.session, viewer, page.items)
        for thread in page.items:  # what a list row shows
            _ = (thread.author.name if thread.author else "", [t.slug for t in thread.tags], thread.category.name,
                 thread.last_post.author.name if thread.last_post and thread.last_post.author else "")
    counts["thread_list"] = c.count
    db.session.expunge_all()
    viewer = db.session.get(User, viewer.id)
    with count_queries() as c:
        thread = services.get_thread(db.session, thread_id, viewer)
        page = services.thread_page(db.session, viewer, thread, 1)
        for post in page.posts + page.accepted:  # what a post shows
            _ = (post.author.name, post.author.organisation.name if post.author.organisation else "",
                 post.reply_to.author.name if post.reply_to and post.reply_to.author else "", page.body_html(post))
        services.mark_read(db.session, viewer, thread, page.posts[-1].number)
    counts["thread_page"] = c.count
    assert len(page.posts) == 20
    db.session.commit()
    db.session.expunge_all()
    for name, path in (("api_categories", "/categories"), ("api_threads", "/threads"),
                       ("api_posts", f"/threads/{thread_id}/posts"), ("api_thread", f"/threads/{thread_id}")):
        with count_queries() as c:
            response = api_client.get(path)
        assert response.status_code == 200
        counts[name] = c.count
    return counts


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_pages_run_a_bounded_number_of_queries(db, forum, make_user, api, count_queries, role):
    authors = [make_user() for _ in range(5)]
    viewer = make_user(role=role)
    api_client = api(viewer)
    small_thread = build(db, forum, authors, categories=3, threads=15, posts=25)
    small = measure(db, count_queries, viewer, small_thread.id, api_client)
    more_authors = authors + [make_user() for _ in range(5)]
    big_thread = build(db, forum, more_authors, categories=3, threads=30, posts=50)
    # Replies to earlier posts, so that "en réponse à" is loaded too.
    for post in db.session.scalars(select(Post).where(Post.thread_id == big_thread.id, Post.number > 2)):
        post.reply_to_id = db.session.scalar(select(Post.id).where(Post.thread_id == big_thread.id, Post.number == 2))
    db.session.commit()
    big = measure(db, count_queries, viewer, big_thread.id, api_client)
    print(role, small, big)
    assert all(v <= LIMIT for v in big.values()), big
    # The API client authenticates with a token (one more statement on some requests): compare pages only.
    for key in ("categories_overview", "thread_list", "thread_page"):
        assert small[key] == big[key], (key, small, big)
