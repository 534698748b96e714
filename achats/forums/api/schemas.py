"""What the forum API reads and writes: pydantic models (for the OpenAPI document) and serialisers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from flask import current_app
from pydantic import BaseModel, Field, field_validator

from achats.auth.models import User
from achats.forums import services
from achats.forums.models import Post, Thread
from achats.platform.api import ListQuery, StrictBody

MAX_INT = 2**31 - 1


# --- schemas -----------------------------------------------------------------------------------


class AuthorOut(BaseModel):
    id: int | None
    name: str


class LastThreadOut(BaseModel):
    id: int
    title: str
    last_activity_at: datetime
    last_author_name: str | None


class CategoryOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    position: int
    is_desk: bool
    thread_count: int
    post_count: int
    last_thread: LastThreadOut | None


class CategoryList(BaseModel):
    items: list[CategoryOut]
    next_cursor: str | None = None


class TagOut(BaseModel):
    slug: str
    name: str
    facet: str


class TagList(BaseModel):
    items: list[TagOut]
    next_cursor: str | None = None


class ThreadState(BaseModel):
    open: bool
    locked: bool
    pinned: bool
    archived: bool
    hidden: bool


class ThreadOut(BaseModel):
    id: int
    url: str
    title: str
    kind: Literal["discussion", "question"]
    category_id: int
    tags: list[str]
    author: AuthorOut | None
    state: ThreadState
    solved: bool
    accepted_post_ids: list[int]
    post_count: int
    created_at: datetime
    last_activity_at: datetime
    desk_status: Literal["nouvelle", "prise_en_charge", "repondue", "resolue"] | None
    assigned_expert: AuthorOut | None
    taken_at: datetime | None
    first_expert_answer_at: datetime | None


class AttachmentOut(BaseModel):
    id: int
    title: str
    filename: str
    url: str | None  # None: not open to the reader (yet): a document under review
    note: str


class PostOut(BaseModel):
    id: int
    thread_id: int
    number: int
    url: str
    author: AuthorOut | None
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    reply_to_id: int | None
    attachments: list[AttachmentOut]
    accepted: bool
    by_expert: bool
    useful_count: int
    up_to_date_on: date | None
    needs_review: bool
    deleted: bool
    hidden: bool


class ThreadCreated(ThreadOut):
    posts: list[PostOut]
    first_post: PostOut


class ThreadList(BaseModel):
    items: list[ThreadOut]
    next_cursor: str | None


class PostList(BaseModel):
    items: list[PostOut]
    next_cursor: str | None


class RevisionOut(BaseModel):
    number: int
    body: str
    editor: AuthorOut | None
    reason: str | None
    created_at: datetime


class RevisionList(BaseModel):
    items: list[RevisionOut] = Field(description="Les versions antérieures, la plus ancienne d'abord.")
    next_cursor: str | None = None
    current: RevisionOut | None = Field(description="La version actuelle (avec le motif de la dernière modification).")


class FlagOut(BaseModel):
    id: int
    post_id: int
    reason: str
    status: str
    created_at: datetime


class WatchOut(BaseModel):
    thread_id: int
    level: Literal["watching", "tracking", "normal", "muted"]


class ToggleOut(BaseModel):
    post_id: int
    active: bool
    useful_count: int


class ReadOut(BaseModel):
    thread_id: int
    last_read_number: int


class MentionOut(BaseModel):
    id: int
    name: str
    handle: str
    organisation: str | None


class MentionList(BaseModel):
    items: list[MentionOut]
    next_cursor: str | None = None


class SimilarOut(BaseModel):
    id: int
    title: str
    url: str
    solved: bool
    post_count: int


class SimilarList(BaseModel):
    items: list[SimilarOut]
    next_cursor: str | None = None


class DeskStatsOut(BaseModel):
    month: str
    received: int
    answered: int
    solved: int
    unanswered: int
    median_minutes_to_first_expert_answer: float | None
    by_status: dict[str, int]


# --- requests ----------------------------------------------------------------------------------

Slug = Field(default=None, max_length=60)


def _no_nul(value: Any) -> Any:
    if isinstance(value, str):
        return services.clean_text(value, multiline=False)
    return value


class ThreadsQuery(ListQuery):
    category: str | None = Field(default=None, max_length=60, description="Identifiant ou slug de la catégorie")
    tag: str | None = Slug
    theme: str | None = Slug
    famille: str | None = Slug
    kind: Literal["discussion", "question"] | None = None
    solved: bool | None = None
    unanswered: bool = False
    author_id: int | None = Field(default=None, ge=1, le=MAX_INT)
    q: str | None = Field(default=None, max_length=200)

    _clean = field_validator("category", "tag", "theme", "famille", "q", mode="before")(_no_nul)


class SimilarQuery(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    _clean = field_validator("title", mode="before")(_no_nul)


class MentionQuery(BaseModel):
    q: str = Field(default="", max_length=40)
    _clean = field_validator("q", mode="before")(_no_nul)


class DeskStatsQuery(BaseModel):
    month: str | None = Field(default=None, max_length=7, pattern=r"^\d{4}-\d{2}$",
                              description="Le mois, AAAA-MM (par défaut le mois en cours)")


class ThreadCreate(StrictBody):
    category_id: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=30_000)
    kind: Literal["discussion", "question"] = "discussion"
    tags: list[str] = Field(default_factory=list, max_length=10)
    up_to_date_on: date | None = None


class PostCreate(StrictBody):
    body: str = Field(min_length=1, max_length=30_000)
    reply_to_id: int | None = Field(default=None, ge=1)
    up_to_date_on: date | None = None


class PostPatch(StrictBody):
    body: str | None = Field(default=None, min_length=1, max_length=30_000)
    reason: str | None = Field(default=None, max_length=300)
    up_to_date_on: date | None = None
    needs_review: bool | None = None


class FlagBody(StrictBody):
    reason: Literal["spam", "off_topic", "inappropriate", "confidential", "other"]
    detail: str | None = Field(default=None, max_length=1000)


class WatchBody(StrictBody):
    level: Literal["watching", "tracking", "normal", "muted"]


class ReadPositionBody(StrictBody):
    last_read_number: int = Field(ge=1, le=MAX_INT)


# --- serialising -------------------------------------------------------------------------------


def author_out(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": services.author_name(user)}


def thread_url(thread_id: int) -> str:
    return current_app.config.get("ACHATS_BASE_URL", "") + services.thread_path(thread_id)


def thread_payload(thread: Thread, accepted_ids: list[int]) -> dict[str, Any]:
    return ThreadOut.model_validate({
        "id": thread.id,
        "url": thread_url(thread.id),
        "title": thread.title,
        "kind": str(thread.kind),
        "category_id": thread.category_id,
        "tags": [t.slug for t in thread.tags],
        "author": author_out(thread.author),
        "state": {
            "open": not thread.locked and not thread.archived,
            "locked": thread.locked,
            "pinned": thread.pinned,
            "archived": thread.archived,
            "hidden": thread.hidden,
        },
        "solved": thread.solved,
        "accepted_post_ids": accepted_ids,
        "post_count": thread.post_count,
        "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at,
        "desk_status": str(thread.desk_status) if thread.desk_status else None,
        "assigned_expert": author_out(thread.assigned_expert) if thread.assigned_expert_id else None,
        "taken_at": thread.taken_at,
        "first_expert_answer_at": thread.first_expert_answer_at,
    }).model_dump(mode="json")


def attachments_payload(posts: list[Post], viewer: Any) -> dict[int, list[dict[str, Any]]]:
    """The attachments of each post as `viewer` is shown them (the feature keeping files says)."""
    from achats.forums.services.thread_page import attachments_of
    from achats.platform.extensions import db
    from achats.platform.features import registry

    ids = attachments_of(db.session, [p.id for p in posts])
    keeper = registry().attachments if ids else None
    if keeper is None:
        return {}
    infos = keeper.describe(db.session, [i for found in ids.values() for i in found], viewer)
    base = current_app.config.get("ACHATS_BASE_URL", "")
    return {post_id: [{"id": info.id, "title": info.title, "filename": info.filename, "note": info.note,
                       "url": base + info.url if info.url else None}
                      for info in (infos.get(i) for i in found) if info is not None]
            for post_id, found in ids.items()}


def post_payload(post: Post, *, can_moderate: bool = False,
                 attachments: dict[int, list[dict[str, Any]]] | None = None, viewer: Any = None) -> dict[str, Any]:
    """The JSON of a post, as GET /threads/{id}/posts lists it (and `post_created` carries it).
    `attachments` as attachments_payload gives them (computed for `viewer` when not given)."""
    withdrawn = post.deleted_at is not None
    masked = (withdrawn or post.hidden) and not can_moderate
    body_html = post.body_html
    if masked:
        body_html = services.WITHDRAWN_HTML if withdrawn else services.HIDDEN_HTML
    data = {
        "id": post.id,
        "thread_id": post.thread_id,
        "number": post.number,
        "url": current_app.config.get("ACHATS_BASE_URL", "") + services.post_path(post),
        "author": author_out(post.author),
        "body": "" if masked else post.body,
        "body_html": body_html,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "reply_to_id": post.reply_to_id,
        "attachments": [] if masked else (attachments if attachments is not None
                                          else attachments_payload([post], viewer)).get(post.id, []),
        "accepted": post.accepted,
        "by_expert": post.by_expert,
        "useful_count": post.useful_count,
        "up_to_date_on": post.up_to_date_on,
        "needs_review": post.needs_review,
        "deleted": withdrawn,
        "hidden": post.hidden,
    }
    return PostOut.model_validate(data).model_dump(mode="json")
