"""Forum services: posting, rendering, revisions, grace period, states, Q&A, the desk, notifications."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from achats.forums import services
from achats.forums.models import DeskStatus, Post, PostRevision, ThreadWatch, WatchLevel
from achats.platform.notifications.models import Notification
from achats.platform.spreadsheets import neutral_cell
from tests.conftest import body_of
from tests.forums.helpers import *  # noqa: F403


def notifications_of(db: Any, user: Any) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)
                                   .order_by(Notification.id)))


# --- creating and rendering --------------------------------------------------------------------


def test_create_thread_makes_opening_post_and_author_watches(db, forum, make_user):
    author = make_user()
    thread = services.create_thread(db.session, author, category=forum.general, title="Critère environnemental en MAPA",
                                    body="Quelle **pondération** ?", kind="question", tags=["mapa", "fournitures"])
    db.session.commit()
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert post.number == 1 and "<strong>pondération</strong>" in post.body_html
    assert thread.post_count == 1 and thread.last_post_id == post.id
    assert [t.slug for t in thread.tags] == ["mapa", "fournitures"]
    assert db.session.get(ThreadWatch, (author.id, thread.id)).level == WatchLevel.WATCHING


@pytest.mark.parametrize("title,body,tags,field", [
    ("court", "Un message correct.", [], "title"),
    ("Un titre assez long", " ", [], "body"),
    ("Un titre assez long", "Un message correct.", ["inconnue"], "tags"),
    ("Un titre assez long", "x" * 30_001, [], "body"),
])
def test_create_thread_refuses_bad_input_with_french_message(db, forum, make_user, title, body, tags, field):
    with pytest.raises(services.InvalidInput) as exc:
        services.create_thread(db.session, make_user(), category=forum.general, title=title, body=body,
                               kind="discussion", tags=tags)
    assert exc.value.field == field and exc.value.message


def test_pending_account_cannot_post(db, forum, make_user, make_thread):
    thread = make_thread()
    with pytest.raises(services.NotAllowed, match="attente de validation"):
        services.create_post(db.session, make_user(status="pending"), thread, body="Bonjour")


def test_nul_and_control_characters_are_dropped(db, forum, make_user, make_thread):
    thread = make_thread(title="Titre\x00 avec\u202e un NUL")
    assert "\x00" not in thread.title and "\u202e" not in thread.title


def test_mentions_become_profile_links_only_for_existing_handles(db, forum, make_user, make_thread):
    nathalie = make_user(name="Nathalie Girard")
    nathalie.handle = "nathalie.girard"
    db.session.commit()
    thread = make_thread()
    post = services.create_post(db.session, make_user(), thread,
                                body="Merci @nathalie.girard et @inconnu.total ; `@nathalie.girard` en code.")
    assert f'<a href="/membres/{nathalie.id}" rel="nofollow ugc noopener noreferrer">@nathalie.girard</a>' in post.body_html
    assert "@inconnu.total" in post.body_html and "/membres/" not in post.body_html.split("@inconnu")[1]
    assert "<code>@nathalie.girard</code>" in post.body_html


@pytest.mark.parametrize("body", [
    "@x<script>alert(1)</script>",
    "[@nathalie.girard](javascript:alert(1))",
    "<img src=x onerror=alert(1)> @nathalie.girard",
    '"><a href="javascript:alert(1)">@nathalie.girard</a>',
])
def test_rendering_with_mentions_stays_sanitised(db, forum, make_user, make_thread, body):
    user = make_user()
    user.handle = "nathalie.girard"
    db.session.commit()
    post = services.create_post(db.session, make_user(), make_thread(), body=body)
    html = post.body_html.lower()
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html
    assert re.search(r"<[^>]+\son\w+=", html) is None


def test_quote_markdown_is_recognised(db, forum, make_user, make_thread):
    thread = make_thread(body="Ligne un\n\nLigne deux")
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    quote = services.quote_markdown(opening, None)
    assert quote.startswith(f"> **{opening.author.name}** a écrit ([message n°1](/forums/sujets/{thread.id}#message-1)) :")
    assert services.quoted_refs(quote + "Ma réponse") == [(thread.id, 1)]
    assert "> Ligne un\n>\n> Ligne deux" in quote
    assert services.quote_markdown(opening, "deux").endswith("> deux\n\n")


# --- editing and deleting ----------------------------------------------------------------------


def test_edit_keeps_every_revision(db, forum, make_user, make_thread):
    author = make_user()
    thread = make_thread(author, body="Version originale")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    services.edit_post(db.session, author, post, body="Version deux", reason="coquille")
    services.edit_post(db.session, author, post, body="Version trois", reason=None)
    db.session.commit()
    revisions = list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)
                                        .order_by(PostRevision.number)))
    assert [r.body for r in revisions] == ["Version originale", "Version deux", "Version trois"]
    assert revisions[1].reason == "coquille" and post.edited_at is not None and post.body == "Version trois"


def test_others_cannot_edit_but_moderators_can(db, forum, make_user, make_thread):
    thread = make_thread()
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    with pytest.raises(services.NotAllowed):
        services.edit_post(db.session, make_user(), post, body="Détourné")
    services.edit_post(db.session, make_user(role="moderator"), post, body="Corrigé par la modération")
    assert post.body == "Corrigé par la modération"


def test_author_deletes_within_grace_then_not(db, forum, make_user, make_thread, make_post):
    author = make_user()
    thread = make_thread()
    post = make_post(author, thread)
    services.delete_post(db.session, author, post)
    db.session.commit()
    assert post.deleted_at is not None and thread.post_count == 1
    late = make_post(author, thread)
    late.created_at = late.created_at - timedelta(minutes=16)
    db.session.commit()
    with pytest.raises(services.EditWindowClosed):
        services.delete_post(db.session, author, late)
    services.delete_post(db.session, make_user(role="moderator"), late)
    assert late.deleted_at is not None


def test_deleted_post_shows_placeholder_to_members_only(db, forum, make_user, make_thread, make_post):
    author, reader = make_user(), make_user()
    thread = make_thread()
    post = make_post(author, thread, body="Texte retiré")
    services.delete_post(db.session, author, post)
    db.session.commit()
    page = services.thread_page(db.session, reader, thread, 1)
    assert page.body_html(page.posts[1]) == services.WITHDRAWN_HTML
    mod_page = services.thread_page(db.session, make_user(role="moderator"), thread, 1)
    assert "Texte retiré" in mod_page.body_html(mod_page.posts[1])


# --- thread states -----------------------------------------------------------------------------


def test_locked_thread_refuses_replies_except_moderators(db, forum, make_user, make_thread):
    thread = make_thread()
    services.set_thread_flags(db.session, make_user(role="moderator"), thread, locked=True)
    db.session.commit()
    with pytest.raises(services.ThreadLocked):
        services.create_post(db.session, make_user(), thread, body="Encore moi")
    services.create_post(db.session, make_user(role="moderator"), thread, body="Message de la modération")


def test_archived_thread_is_read_only_and_sinks(db, forum, make_user, make_thread):
    old = make_thread()
    new = make_thread()
    services.set_thread_flags(db.session, make_user(role="moderator"), new, archived=True)
    db.session.commit()
    with pytest.raises(services.ThreadLocked, match="archivé"):
        services.create_post(db.session, make_user(role="moderator"), new, body="Réponse")
    ids = list(db.session.scalars(services.threads_query(make_user(), category=forum.general)))
    assert [t.id for t in ids] == [old.id, new.id]


def test_hidden_thread_is_invisible_to_members(db, forum, make_user, make_thread):
    thread = make_thread()
    moderator = make_user(role="moderator")
    services.set_thread_flags(db.session, moderator, thread, hidden=True)
    db.session.commit()
    member = make_user()
    assert services.get_thread(db.session, thread.id, member) is None
    assert services.get_thread(db.session, thread.id, moderator) is thread
    assert thread not in list(db.session.scalars(services.threads_query(member)))


def test_pinned_first_within_category(db, forum, make_user, make_thread):
    first = make_thread()
    make_thread()
    services.set_thread_flags(db.session, make_user(role="moderator"), first, pinned=True)
    db.session.commit()
    listed = list(db.session.scalars(services.threads_query(make_user(), category=forum.general)))
    assert listed[0].id == first.id


def test_move_thread_into_desk_makes_it_a_new_question(db, forum, make_user, make_thread):
    thread = make_thread()
    services.move_thread(db.session, make_user(role="moderator"), thread, forum.desk)
    db.session.commit()
    assert thread.category_id == forum.desk.id and thread.desk_status == DeskStatus.NEW and thread.is_question


# --- questions and answers ---------------------------------------------------------------------


def test_accepting_answers_solves_the_question_and_notifies(db, forum, make_user, make_thread, make_post):
    asker, peer, other = make_user(), make_user(), make_user()
    thread = make_thread(asker, kind="question")
    a1, a2 = make_post(peer, thread), make_post(other, thread)
    with pytest.raises(services.NotAllowed):
        services.accept_post(db.session, other, a1)
    services.accept_post(db.session, asker, a1)
    services.accept_post(db.session, make_user(role="expert"), a2)
    db.session.commit()
    assert thread.solved and services.accepted_post_ids(db.session, [thread.id])[thread.id] == [a1.id, a2.id]
    assert [n.kind for n in notifications_of(db, peer)] == ["answer_accepted"]
    page = services.thread_page(db.session, asker, thread, 1)
    assert [p.id for p in page.accepted] == [a1.id, a2.id]
    services.unaccept_post(db.session, asker, a1)
    services.unaccept_post(db.session, asker, a2)
    assert not thread.solved


def test_discussion_posts_cannot_be_accepted(db, forum, make_user, make_thread, make_post):
    asker = make_user()
    thread = make_thread(asker, kind="discussion")
    with pytest.raises(services.InvalidInput):
        services.accept_post(db.session, asker, make_post(make_user(), thread))


def test_unanswered_filter_ignores_the_askers_own_replies(db, forum, make_user, make_thread, make_post):
    asker = make_user()
    lonely = make_thread(asker, kind="question")
    make_post(asker, lonely, body="Précision : c'est un MAPA.")
    answered = make_thread(asker, kind="question")
    make_post(make_user(), answered)
    ids = [t.id for t in db.session.scalars(services.threads_query(asker, unanswered=True))]
    assert ids == [lonely.id]


# --- the desk ----------------------------------------------------------------------------------


def test_desk_question_notifies_matching_experts_only(db, forum, make_user, make_thread):
    food = make_user(role="expert", themes=("alimentation-egalim",))
    it = make_user(role="expert", themes=("numerique-responsable",))
    thread = make_thread(category=forum.desk, kind="discussion", tags=("alimentation-egalim",))
    assert thread.desk_status == DeskStatus.NEW and thread.is_question
    assert [n.kind for n in notifications_of(db, food)] == ["new_question"]
    assert notifications_of(db, it) == []


def test_desk_question_without_theme_notifies_every_expert(db, forum, make_user, make_thread):
    experts = [make_user(role="expert", themes=("dechets",)), make_user(role="expert")]
    make_thread(category=forum.desk, kind="question")
    assert all(len(notifications_of(db, e)) == 1 for e in experts)


def test_desk_life_cycle_with_mails_and_first_answer_time(db, forum, make_user, make_thread, make_post, mailbox):
    asker = make_user(email="asker@commune-test.fr")
    expert = make_user(role="expert")
    thread = make_thread(asker, category=forum.desk, kind="question")
    services.take_question(db.session, expert, thread)
    db.session.commit()
    assert thread.desk_status == DeskStatus.TAKEN and thread.assigned_expert_id == expert.id
    assert "pris en charge" in body_of(mailbox.last("asker@commune-test.fr"))
    assert [n.kind for n in notifications_of(db, asker)] == ["question_taken"]
    make_post(make_user(), thread, body="Un pair répond d'abord.")
    assert thread.first_expert_answer_at is None
    answer = make_post(expert, thread, body="Réponse de l'expert.")
    assert thread.desk_status == DeskStatus.ANSWERED and thread.first_expert_answer_at == answer.created_at
    assert answer.by_expert and answer.up_to_date_on == services.stats.today_paris()
    assert "reçu une réponse" in body_of(mailbox.wait_for("asker@commune-test.fr", 2)[-1])
    services.accept_post(db.session, asker, answer)
    db.session.commit()
    assert thread.desk_status == DeskStatus.SOLVED
    services.unaccept_post(db.session, asker, answer)
    assert thread.desk_status == DeskStatus.ANSWERED


def test_no_mail_when_the_asker_declines_emails(db, forum, make_user, make_thread, mailbox):
    asker = make_user(email="quiet@commune-test.fr")
    asker.email_notifications = False
    db.session.commit()
    thread = make_thread(asker, category=forum.desk, kind="question")
    services.take_question(db.session, make_user(role="expert"), thread)
    db.session.commit()
    assert mailbox.to("quiet@commune-test.fr") == []


def test_members_cannot_take_questions(db, forum, make_user, make_thread):
    thread = make_thread(category=forum.desk, kind="question")
    with pytest.raises(services.NotAllowed):
        services.take_question(db.session, make_user(), thread)


def test_review_mark_and_up_to_date(db, forum, make_user, make_thread, make_post):
    expert = make_user(role="expert")
    thread = make_thread(kind="question")
    answer = make_post(expert, thread)
    with pytest.raises(services.NotAllowed):
        services.mark_needs_review(db.session, make_user(), answer, True)
    services.mark_needs_review(db.session, make_user(role="expert"), answer, True)
    assert answer.needs_review
    services.set_up_to_date(db.session, expert, answer, date(2026, 11, 2))
    assert answer.up_to_date_on == date(2026, 11, 2) and not answer.needs_review
    with pytest.raises(services.InvalidInput):
        services.set_up_to_date(db.session, expert, answer, date(2999, 1, 1))


def test_desk_stats_and_csv(db, forum, make_user, make_thread, make_post):
    expert = make_user(role="expert")
    t1 = make_thread(category=forum.desk, kind="question", title="=HYPERLINK(\"http://x\") question piège")
    make_thread(category=forum.desk, kind="question")
    answer = make_post(expert, t1)
    t1.first_expert_answer_at = t1.created_at + timedelta(minutes=90)
    answer.created_at = t1.first_expert_answer_at
    db.session.commit()
    month = services.stats.today_paris().replace(day=1)
    stats = services.desk_stats(db.session, month)
    assert stats["received"] == 2 and stats["answered"] == 1
    assert stats["median_minutes_to_first_expert_answer"] == 90
    csv_text = services.desk_stats_csv(db.session, month)
    assert "'=HYPERLINK" in csv_text and ";90,0;" in csv_text
    assert neutral_cell("+1") == "'+1" and neutral_cell("-2") == "'-2" and neutral_cell("@x") == "'@x"


# --- notifications -----------------------------------------------------------------------------


def test_one_notification_per_recipient_with_priority(db, forum, make_user, make_thread, make_post):
    asker, quoted, watcher, replier = make_user(), make_user(), make_user(), make_user()
    asker.handle = "asker.handle"
    db.session.commit()
    thread = make_thread(asker, kind="question")
    first = make_post(quoted, thread, body="Première réponse")
    services.set_watch(db.session, watcher, thread, "watching")
    db.session.commit()
    for u in (asker, quoted, watcher):
        db.session.query(Notification).filter(Notification.recipient_id == u.id).delete()
    db.session.commit()
    body = services.quote_markdown(first, None) + "Je précise, @asker.handle."
    make_post(replier, thread, body=body, reply_to=first)
    assert [n.kind for n in notifications_of(db, asker)] == ["mentioned"]
    assert [n.kind for n in notifications_of(db, quoted)] == ["quoted"]
    assert [n.kind for n in notifications_of(db, watcher)] == ["watched_thread"]
    assert notifications_of(db, replier) == []
    target = notifications_of(db, quoted)[0].target_url
    assert target == f"/forums/sujets/{thread.id}#message-3"


def test_reply_notifications_and_tracking_of_repliers(db, forum, make_user, make_thread, make_post):
    asker, first, second = make_user(), make_user(), make_user()
    thread = make_thread(asker)
    p1 = make_post(first, thread)
    assert db.session.get(ThreadWatch, (first.id, thread.id)).level == WatchLevel.TRACKING
    make_post(second, thread, reply_to=p1)
    assert [n.kind for n in notifications_of(db, first)] == ["reply_to_post"]
    assert [n.kind for n in notifications_of(db, asker)] == ["reply_to_thread", "reply_to_thread"]


def test_muted_thread_only_lets_mentions_through(db, forum, make_user, make_thread, make_post):
    asker = make_user()
    asker.handle = "muet"
    db.session.commit()
    thread = make_thread(asker)
    services.set_watch(db.session, asker, thread, "muted")
    db.session.commit()
    make_post(make_user(), thread, body="Une réponse")
    assert notifications_of(db, asker) == []
    make_post(make_user(), thread, body="Et toi @muet ?")
    assert [n.kind for n in notifications_of(db, asker)] == ["mentioned"]


def test_notifications_are_dropped_on_rollback(db, forum, make_user, make_thread):
    asker = make_user()
    thread = make_thread(asker)
    services.create_post(db.session, make_user(), thread, body="Réponse annulée")
    db.session.rollback()
    assert notifications_of(db, asker) == []
    assert db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread.id)) == 1


# --- reading -----------------------------------------------------------------------------------


def test_unread_counts_and_first_unread_marker(db, forum, make_user, make_thread, make_post):
    reader = make_user()
    thread = make_thread()
    other = make_thread()
    assert services.unread_counts(db.session, reader, [thread, other]) == {thread.id: 1, other.id: 1}
    services.mark_read(db.session, reader, thread, 1)
    make_post(make_user(), thread)
    make_post(make_user(), thread)
    db.session.commit()
    assert services.unread_counts(db.session, reader, [thread])[thread.id] == 2
    page = services.thread_page(db.session, reader, thread, 1)
    assert page.first_unread_number == 2 and page.last_read_number == 1
    services.mark_read(db.session, reader, thread, 3)
    services.mark_read(db.session, reader, thread, 2)  # never goes back
    db.session.commit()
    assert services.unread_counts(db.session, reader, [thread])[thread.id] == 0


def test_thread_page_paginates_by_number(db, forum, make_user, make_thread, make_post):
    thread = make_thread()
    author = make_user()
    for i in range(24):
        make_post(author, thread, body=f"Message {i + 2}")
    page2 = services.thread_page(db.session, make_user(), thread, 2)
    assert page2.pages == 2 and [p.number for p in page2.posts] == list(range(21, 26))
    assert services.thread_page(db.session, make_user(), thread, 99).page == 2
    assert services.page_of(21) == 2


def test_post_record_copy_is_dataclass_replace(db, forum, make_user, make_thread, make_post):
    thread = make_thread()
    record = services.thread_page(db.session, make_user(), thread, 1).posts[0]
    assert record.thread is thread  # each page's records carry the request's own thread
    cached = dataclasses.replace(record, thread=None)
    copy = cached.but(thread=thread, attachment_ids=(7,))
    assert copy == dataclasses.replace(cached, thread=thread, attachment_ids=(7,))
    assert hash(copy) == hash(dataclasses.replace(cached, thread=thread, attachment_ids=(7,)))
    assert copy.fingerprint == cached.fingerprint and cached.thread is None and cached.attachment_ids == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.number = 3  # type: ignore[misc]
    with pytest.raises(TypeError, match="nope"):
        cached.but(nope=1)


def test_useful_and_bookmarks(db, forum, make_user, make_thread, make_post):
    reader = make_user()
    author = make_user()
    post = make_post(author, make_thread())
    assert services.toggle_useful(db.session, reader, post) is True and post.useful_count == 1
    with pytest.raises(services.NotAllowed):
        services.toggle_useful(db.session, author, post)
    assert services.toggle_bookmark(db.session, reader, post) is True
    db.session.commit()
    page = services.thread_page(db.session, reader, post.thread, 1)
    assert page.useful_ids == {post.id} and page.bookmarked_ids == {post.id}
    assert services.toggle_useful(db.session, reader, post) is False and post.useful_count == 0


def test_categories_overview_counts_and_last_thread(db, forum, make_user, make_thread, make_post):
    t = make_thread(title="Premier sujet du réseau")
    replier = make_user(name="Marc Lambert")
    make_post(replier, t)
    make_thread(category=forum.energy)
    rows = {r.category.slug: r for r in services.categories_overview(db.session, make_user())}
    assert [r for r in rows] == ["guichet-vert", "vie-du-reseau", "energie-et-batiment"]
    general = rows["vie-du-reseau"]
    assert (general.thread_count, general.post_count) == (1, 2)
    assert general.last_thread.title == "Premier sujet du réseau" and general.last_thread.last_author_name == "Marc Lambert"
    assert rows["guichet-vert"].last_thread is None


def test_related_and_similar(db, forum, make_user, make_thread):
    a = make_thread(title="Cantine scolaire et EGalim en zone rurale", tags=("alimentation-egalim", "mapa"))
    b = make_thread(title="Allotissement géographique pour la restauration scolaire", tags=("alimentation-egalim",))
    make_thread(title="Ordinateurs reconditionnés via une centrale", tags=("numerique-responsable",))
    assert [t.id for t in services.related_threads(db.session, a)] == [b.id]
    assert [t.id for t in services.similar_titles(db.session, "EGalim à la cantine scolaire")] == [a.id]


def test_export_lists_my_posts(app, db, forum, make_user, make_thread, make_post):
    author = make_user()
    make_thread(author, body="Mon premier message")
    exported = app.extensions["achats"].exports["forum_posts"](db.session, author)
    assert [p["body"] for p in exported] == ["Mon premier message"]


# --- demo content ------------------------------------------------------------------------------


def test_demo_seed_is_rich_and_idempotent(db):
    from achats.auth import demo as accounts
    from achats.forums.demo import seed as demo_forums
    from achats.forums.models import Category, Thread
    from achats.platform.tags import Tag

    list(accounts.seed())
    lines = list(demo_forums.seed())
    assert any("sujet(s) de démonstration créé(s)" in line for line in lines)
    threads = list(db.session.scalars(select(Thread)))
    assert len(threads) >= 30
    assert len({t.category_id for t in threads}) >= 10
    statuses = {t.desk_status for t in threads if t.desk_status}
    assert statuses >= {DeskStatus.NEW, DeskStatus.TAKEN, DeskStatus.ANSWERED, DeskStatus.SOLVED}
    assert 2 <= db.session.scalar(select(func.count(Post.id)).where(Post.needs_review.is_(True))) <= 3
    expert_answers = list(db.session.scalars(select(Post).where(Post.by_expert.is_(True), Post.number > 1)))
    assert expert_answers and all(p.up_to_date_on for p in expert_answers if p.thread.is_question)
    assert all("pas un conseil juridique" in p.body for p in expert_answers if p.thread.is_question)
    desk = db.session.scalar(select(Category).where(Category.is_desk.is_(True)))
    assert "conseil juridique" in desk.description and "fournisseur" in desk.description
    assert db.session.scalar(select(Tag).where(Tag.slug == "cpv-45")).name == "45 — Travaux de construction"
    assert db.session.scalar(select(func.count(Tag.id)).where(Tag.facet == "cpv")) == 45
    quoted = [p for p in db.session.scalars(select(Post).where(Post.body.contains("a écrit")))]
    assert quoted and services.quoted_refs(quoted[0].body)
    assert "/membres/" in db.session.scalar(select(Post.body_html).where(Post.body.contains("@nathalie.girard")))
    again = list(demo_forums.seed())
    assert any("0 sujet(s)" in line for line in again)
    assert db.session.scalar(select(func.count(Thread.id))) == len(threads)


def test_edit_notifies_only_newly_mentioned_people(db, forum, make_user, make_thread, make_post):
    first, second = make_user(), make_user()
    first.handle, second.handle = "premier", "second"
    db.session.commit()
    author = make_user()
    post = make_post(author, make_thread(), body="Bonjour @premier")
    services.edit_post(db.session, author, post, body="Bonjour @premier et @second")
    db.session.commit()
    assert [n.kind for n in notifications_of(db, first)] == ["mentioned"]
    assert [n.kind for n in notifications_of(db, second)] == ["mentioned"]


def test_account_deletion_removes_name_and_handle_from_other_posts(db, forum, make_user, make_thread, make_post):
    from achats.auth.services import delete_account
    from tests.conftest import DEFAULT_PASSWORD

    leaving = make_user(name="Nathalie Girard")
    leaving.handle = "nathalie.girard"
    db.session.commit()
    thread = make_thread(leaving, body="Ma question")
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    reply = make_post(make_user(), thread, body=services.quote_markdown(opening, None) + "Merci @nathalie.girard")
    delete_account(db.session, leaving, DEFAULT_PASSWORD, "SUPPRIMER")
    db.session.commit()
    assert "Nathalie" not in reply.body and "nathalie.girard" not in reply.body_html
    assert "Compte supprimé" in reply.body
