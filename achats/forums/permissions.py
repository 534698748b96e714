"""Who may do what in the forums: predicates shared by the services, views, API and templates.

They read only the objects given, except who moderates a category: a map kept in the derived cache."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from achats.forums.models import CategoryModerator, DeskStatus, ThreadKind
from achats.platform.cache import memo, per_request
from achats.platform.db import utcnow
from achats.platform.extensions import db
from achats.platform.security import Role, has_role

# An author may withdraw a post for this long after writing it (a typo, a wrong thread).
GRACE = timedelta(minutes=15)


def is_reader(user: Any) -> bool:
    # Every signed-in account reads the forums, pending ones included: they are public buyers
    # waiting for approval, and reading helps them before they can write.
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_writer(user: Any) -> bool:
    # Pending accounts read but do not write until a moderator has approved them.
    return is_reader(user) and user.status == "active"


def is_expert(user: Any) -> bool:
    # Experts answer for the desk; moderators and admins hold at least the same powers.
    return has_role(user, Role.EXPERT)


def is_moderator(user: Any) -> bool:
    # The agency's moderators (and admins) moderate every category.
    return has_role(user, Role.MODERATOR)


def moderates_something(user: Any) -> bool:
    # The flags of the review queue concern the agency's moderators and every category moderator.
    if is_moderator(user):
        return True
    if not is_writer(user):
        return False
    return any(user.id in ids for ids in category_moderator_ids().values())


def can_moderate_category(user: Any, category: Any) -> bool:
    # The agency's moderators act everywhere; a category may also name its own moderators.
    if user is None or category is None or not getattr(user, "is_authenticated", False):
        return False
    return per_request(("moderates", user.id, category.id), lambda: _moderates(user, category))


def _moderates(user: Any, category: Any) -> bool:
    if has_role(user, Role.MODERATOR):
        return True
    if not is_writer(user):
        return False
    return user.id in category_moderator_ids().get(category.id, frozenset())


def category_moderator_ids() -> dict[int, frozenset[int]]:
    """Who moderates which category (asked on every page a member opens; kept until it changes)."""
    def compute() -> dict[int, frozenset[int]]:
        found: dict[int, set[int]] = {}
        for category_id, user_id in db.session.execute(select(CategoryModerator.category_id,
                                                               CategoryModerator.user_id)):
            found.setdefault(category_id, set()).add(user_id)
        return {k: frozenset(v) for k, v in found.items()}

    return memo("content", "category_moderators", compute)


def can_move_thread(user: Any, thread: Any, destination: Any) -> bool:
    # Moving takes a thread out of one category into another: one must moderate both.
    return (thread is not None and destination is not None and can_moderate_category(user, thread.category)
            and can_moderate_category(user, destination))


def can_read_thread(user: Any, thread: Any) -> bool:
    # Hidden threads stay reachable by those who can restore them, and by nobody else.
    if not is_reader(user) or thread is None:
        return False
    return not thread.hidden or can_moderate_category(user, thread.category)


def can_create_thread(user: Any, category: Any) -> bool:
    # Any approved account may open a thread in any category (the desk included: that is its purpose).
    return is_writer(user) and category is not None


def can_post(user: Any, thread: Any) -> bool:
    # Archived threads are read-only for everyone; a locked thread only takes moderators' posts.
    if not is_writer(user) or not can_read_thread(user, thread) or thread.archived:
        return False
    return not thread.locked or can_moderate_category(user, thread.category)


def can_edit_post(user: Any, post: Any) -> bool:
    # Authors fix their own words while the thread is open; moderators correct anything.
    if not is_writer(user) or post is None:
        return False
    if can_moderate_category(user, post.thread.category):
        return True
    thread = post.thread
    return (
        post.author_id == user.id
        and post.deleted_at is None
        and not post.hidden
        and not thread.locked
        and not thread.archived
        and not thread.hidden
    )


def within_grace(post: Any) -> bool:
    return post.created_at is not None and utcnow() - post.created_at <= GRACE


def can_delete_post(user: Any, post: Any) -> bool:
    # Withdrawing is for second thoughts right after posting; later, others may have relied on it
    # (quoted it, accepted it): only a moderator removes it then.
    if not is_writer(user) or post is None or post.deleted_at is not None:
        return False
    if can_moderate_category(user, post.thread.category):
        return True
    return post.author_id == user.id and within_grace(post) and not post.thread.archived


def can_accept(user: Any, post: Any) -> bool:
    # The asker knows what solved the problem; experts and moderators can vouch for an answer too.
    if not is_writer(user) or post is None:
        return False
    thread = post.thread
    if thread.kind != ThreadKind.QUESTION or post.number == 1 or not post.visible or thread.archived:
        return False
    return thread.author_id == user.id or is_expert(user) or can_moderate_category(user, thread.category)


POST_ACTIONS = ("react", "accept", "edit_post", "delete_post", "flag", "mark_review")


def post_actions(user: Any, post: Any) -> tuple[bool, ...]:
    """What `user` may do with `post`, in POST_ACTIONS order: the thread page asks it for every
    post. The answers are the predicates' own; a predicate is skipped only when a condition it
    requires is already false (tests/forums/test_permissions.py checks both agree)."""
    if post is None or not is_writer(user):
        return (False,) * len(POST_ACTIONS)
    own = post.author_id == user.id
    moderates = can_moderate_category(user, post.thread.category)
    expert = is_expert(user)
    return (
        can_react(user, post),
        (post.thread.author_id == user.id or expert or moderates) and can_accept(user, post),
        (own or moderates) and can_edit_post(user, post),
        (own or moderates) and can_delete_post(user, post),
        can_flag(user, post),
        expert and can_mark_review(user, post),
    )


def can_take_question(user: Any, thread: Any) -> bool:
    # Only desk experts take a desk question, once it is new or taken by someone else.
    if not (is_writer(user) and is_expert(user)) or thread is None or not thread.category.is_desk:
        return False
    if thread.kind != ThreadKind.QUESTION or thread.hidden or thread.archived:
        return False
    return thread.desk_status in (DeskStatus.NEW, DeskStatus.TAKEN, None) and thread.assigned_expert_id != user.id


def can_mark_review(user: Any, post: Any) -> bool:
    # The law changes: experts and moderators flag answers "à revoir" and date-stamp them.
    return is_writer(user) and is_expert(user) and post is not None and post.deleted_at is None


def can_set_up_to_date(user: Any, post: Any) -> bool:
    # Experts maintain the desk's answers together; the date says when the law was last checked.
    return can_mark_review(user, post)


def can_flag(user: Any, post: Any) -> bool:
    # Any approved account may report a post it can see, except its own.
    return is_writer(user) and post is not None and post.author_id != user.id and post.visible


def can_react(user: Any, post: Any) -> bool:
    # "Utile" is a peer's signal: not on one's own post, not on withdrawn or hidden ones.
    return is_writer(user) and post is not None and post.author_id != user.id and post.visible


def can_bookmark(user: Any, post: Any) -> bool:
    # A bookmark is private but still a write: approved accounts only.
    return is_writer(user) and post is not None


def can_watch(user: Any, thread: Any) -> bool:
    # Notification preferences on a thread one can read; approved accounts only (no write for pending).
    return is_writer(user) and can_read_thread(user, thread)


def can_view_post(user: Any, post: Any) -> bool:
    # Hidden posts are for moderators; withdrawn ones show as a placeholder to others.
    if post is None or not can_read_thread(user, post.thread):
        return False
    return not post.hidden or can_moderate_category(user, post.thread.category)


def can_view_revisions(user: Any, post: Any) -> bool:
    # The edit history is public to readers, except for withdrawn or hidden posts.
    if not can_view_post(user, post):
        return False
    return post.deleted_at is None or can_moderate_category(user, post.thread.category)


def can_view_desk_stats(user: Any) -> bool:
    # The desk's figures are reported by the agency: experts, moderators and admins.
    return is_reader(user) and is_expert(user)


PREDICATES: dict[str, Callable[..., bool]] = {
    "read_thread": can_read_thread,
    "post": can_post,
    "create_thread": can_create_thread,
    "edit_post": can_edit_post,
    "delete_post": can_delete_post,
    "accept": can_accept,
    "take_question": can_take_question,
    "mark_review": can_mark_review,
    "set_up_to_date": can_set_up_to_date,
    "moderate_category": can_moderate_category,
    "move_thread": can_move_thread,
    "flag": can_flag,
    "react": can_react,
    "bookmark": can_bookmark,
    "watch": can_watch,
    "view_post": can_view_post,
    "view_revisions": can_view_revisions,
    "view_desk_stats": can_view_desk_stats,
}
