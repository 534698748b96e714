"""What the forums bring to the platform: categories, threads, posts, Q&A and the Guichet vert desk."""

from __future__ import annotations

from typing import Any

from achats.platform.features import (
    DemoSeeder,
    FacetChoice,
    Feature,
    HomeBlock,
    NavLink,
    NotificationKind,
    SearchFilter,
    SearchType,
)

EVENTS = (
    "thread_created", "post_created", "post_edited", "post_withdrawn", "post_moderated", "thread_changed",
    "thread_moved", "answer_accepted", "question_taken",
    # A post written by the demo seed or an import: no one is notified, other features may index it.
    "post_loaded",
)


def _category_choices(session: Any) -> list[FacetChoice]:
    from sqlalchemy import select

    from achats.forums.models import Category

    return [FacetChoice(slug, str(cid), name) for cid, slug, name in session.execute(
        select(Category.id, Category.slug, Category.name).order_by(Category.position, Category.name))]


def feature() -> Feature:
    from achats.forums import home, indexing, moderation, permissions, personal_data, sockets
    from achats.forums.api import api
    from achats.forums.demo import seed
    from achats.forums.services import notifying
    from achats.forums.views import bp

    return Feature(
        name="forums",
        blueprints=[bp],
        api_blueprints=[api],
        permissions=permissions.PREDICATES,
        rooms=[sockets.room_kind()],
        notification_kinds=[
            NotificationKind("reply_to_thread", "Réponse à votre sujet"),
            NotificationKind("reply_to_post", "Réponse à votre message"),
            NotificationKind("quoted", "Citation de votre message"),
            NotificationKind("mentioned", "Mention"),
            NotificationKind("answer_accepted", "Réponse acceptée"),
            NotificationKind("new_question", "Nouvelle question au guichet vert"),
            NotificationKind("question_taken", "Question prise en charge", ("app", "mail"),
                             mail_template="desk_question_taken",
                             mail_subject="Un expert a pris en charge votre question"),
            NotificationKind("watched_thread", "Nouveau message dans un sujet suivi"),
        ],
        search_types=[
            SearchType("thread", "Sujet", "Sujets", "sujets", reindex=indexing.reindex_threads),
            SearchType("post", "Message", "Messages", "messages", indexes_title=False,
                       reindex=indexing.reindex_posts),
        ],
        search_filters=[
            SearchFilter("categorie", "category", "category", "Catégorie", _category_choices,
                         any_label="Toutes les catégories", hit_format="dans {label}"),
            SearchFilter("resolu", "solved", "solved", "Résolu", lambda _session: [
                FacetChoice("oui", "1", "Résolus", hit_badge="Résolu"), FacetChoice("non", "0", "Non résolus")]),
        ],
        moderation_targets=moderation.moderation_targets(),
        queue_sections=moderation.queue_sections(),
        exports={
            "forum_posts": personal_data.export_posts,
            "forum_flags": personal_data.export_flags,
            "forum_watches": personal_data.export_watches,
            "forum_bookmarks": personal_data.export_bookmarks,
            "forum_useful": personal_data.export_useful,
        },
        deletion_handlers=[personal_data.anonymise_mentions],
        events=EVENTS,
        subscriptions={
            "thread_created": [indexing.on_thread_created, notifying.on_thread_created],
            "post_created": [indexing.on_post_written, notifying.on_post_created, sockets.on_post_created],
            "post_edited": [indexing.on_post_written, notifying.on_post_edited],
            "post_withdrawn": [indexing.on_post_written],
            "post_moderated": [indexing.on_post_written],
            "thread_changed": [indexing.on_thread_changed],
            "thread_moved": [notifying.on_thread_moved],
            "answer_accepted": [notifying.on_answer_accepted],
            "question_taken": [notifying.on_question_taken],
        },
        nav_links=[NavLink("Forums", "forums.list_categories", path_prefix="/forums", order=10)],
        home_blocks=[HomeBlock("forums/_home_latest.html", home.latest_threads, order=20)],
        demo_seeders=[DemoSeeder("forums", seed.seed, present=seed.present)],
        # Quote blocks and mentions in rendered posts (see services/content.py).
        html_attributes={"blockquote": ["data-post-id", "data-author"], "aside": ["data-post-id"],
                         "span": ["data-user", "data-mention"]},
    )
