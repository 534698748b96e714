"""Post text: cleaning and validation, Markdown rendering with @mentions, quote blocks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.auth.models import AccountStatus, User
from achats.forums.services.errors import InvalidInput
from achats.forums.services.stats import today_paris
from achats.platform.accounts import DELETED_ACCOUNT_NAME
from achats.platform.markdown import render_markdown
from achats.platform.security import sanitize_html

TITLE_MIN, TITLE_MAX = 8, 200
BODY_MIN, BODY_MAX = 2, 30_000
MAX_MENTIONS = 20
DELETED_AUTHOR = DELETED_ACCOUNT_NAME

# Control characters other than tab and newline, lone surrogates and NUL (PostgreSQL refuses it).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
# `@handle` where a handle is lower-case letters, digits and inner dots (auth.services.make_handle).
MENTION_RE = re.compile(r"(?<![\w@/.])@([a-z0-9](?:[a-z0-9.]*[a-z0-9])?)")
# The quote header the UI inserts: > **Nom** a écrit ([message n°N](/forums/sujets/T#message-N)) :
QUOTE_RE = re.compile(
    r"^>\s*\*\*(?P<name>[^*\n]{1,120})\*\* a écrit \(\[message n°(?P<number>\d{1,9})\]"
    r"\(/forums/sujets/(?P<thread>\d{1,9})#message-\d{1,9}\)\)\s*:",
    re.MULTILINE,
)
_TAG = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z0-9]+)")
_SKIP_TAGS = {"a", "code", "pre"}


def clean_text(value: str | None, *, multiline: bool = True) -> str:
    """Drop what no database or reader wants: NUL and control characters, lone surrogates."""
    if not value:
        return ""
    value = value.encode("utf-8", "replace").decode("utf-8")
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    if not multiline:
        value = _SPACES.sub(" ", value)
    return value.strip()


def clean_title(raw: str | None) -> str:
    title = clean_text(raw, multiline=False)
    if len(title) < TITLE_MIN:
        raise InvalidInput("title", f"Le titre doit compter au moins {TITLE_MIN} caractères : précisez votre sujet.")
    if len(title) > TITLE_MAX:
        raise InvalidInput("title", f"Le titre ne doit pas dépasser {TITLE_MAX} caractères.")
    return title


def clean_body(raw: str | None) -> str:
    body = clean_text(raw)
    if len(body) < BODY_MIN:
        raise InvalidInput("body", "Le message est vide : écrivez quelques mots.")
    if len(body) > BODY_MAX:
        raise InvalidInput("body", f"Le message ne doit pas dépasser {BODY_MAX:,} caractères.".replace(",", "\u202f"))
    return body


@dataclass
class Rendered:
    html: str
    mentioned: list[User] = field(default_factory=list)


def render_post(session: Session, body: str) -> Rendered:
    """Markdown → sanitised HTML, then `@handle` of existing accounts → a link to their profile.

    Mentions are linked in the text nodes of the already sanitised HTML (never inside links or
    code), and the result goes through the sanitiser again, so no path yields unsafe markup.
    """
    html = render_markdown(body)
    parts = _TAG.split(html)
    candidates: set[str] = set()
    depth = 0
    for i, part in enumerate(parts):
        if i % 2 == 1:
            depth = _skip_depth(part, depth)
        elif depth == 0 and "@" in part:
            candidates.update(m.group(1) for m in MENTION_RE.finditer(part))
    if not candidates:
        return Rendered(html)
    candidates = set(sorted(candidates)[: MAX_MENTIONS * 2])
    users = {
        u.handle: u
        for u in session.scalars(
            select(User).where(User.handle.in_(candidates), User.status != AccountStatus.DELETED)
        )
        if u.handle
    }
    if not users:
        return Rendered(html)
    mentioned: dict[int, User] = {}

    def link(match: re.Match[str]) -> str:
        user = users.get(match.group(1))
        if user is None:
            return match.group(0)
        if len(mentioned) < MAX_MENTIONS:
            mentioned[user.id] = user
        return f'<a href="/membres/{int(user.id)}">@{match.group(1)}</a>'

    depth = 0
    for i, part in enumerate(parts):
        if i % 2 == 1:
            depth = _skip_depth(part, depth)
        elif depth == 0 and "@" in part:
            parts[i] = MENTION_RE.sub(link, part)
    return Rendered(sanitize_html("".join(parts)), list(mentioned.values()))


def _skip_depth(tag: str, depth: int) -> int:
    match = _TAG_NAME.match(tag)
    if not match or match.group(1).lower() not in _SKIP_TAGS or tag.endswith("/>"):
        return depth
    return max(0, depth - 1) if tag.startswith("</") else depth + 1


def quoted_refs(body: str) -> list[tuple[int, int]]:
    """(thread id, post number) of each quote block header in a Markdown source."""
    refs: list[tuple[int, int]] = []
    for match in QUOTE_RE.finditer(body):
        ref = (int(match.group("thread")), int(match.group("number")))
        if ref not in refs:
            refs.append(ref)
    return refs[:MAX_MENTIONS]


def author_name(user: Any) -> str:
    return user.name if user is not None and user.name else DELETED_AUTHOR


def quote_markdown(post: Any, selection: str | None = None) -> str:
    """The quote block the editor inserts; the backend recognises it to notify the quoted author."""
    name = re.sub(r"[*\[\]\n]", "", author_name(post.author)).strip() or DELETED_AUTHOR
    text = clean_text(selection) if selection and selection.strip() else post.body
    lines = [f"> **{name}** a écrit ([message n°{post.number}](/forums/sujets/{post.thread_id}"
             f"#message-{post.number})) :"]
    for line in text.split("\n"):
        lines.append(f"> {line}" if line.strip() else ">")
    return "\n".join(lines) + "\n\n"


def excerpt(body: str, length: int = 200) -> str:
    """A plain-text excerpt of a Markdown source (notifications, queues, search hints)."""
    text = QUOTE_RE.sub("", body)
    text = re.sub(r"^>.*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"[`*_#>\[\]]", "", text)
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def check_up_to_date(on: date | None) -> None:
    if on is None:
        return
    if on > today_paris() + timedelta(days=1):
        raise InvalidInput("up_to_date_on", "La date « à jour au » ne peut pas être dans le futur.")
    if on.year < 2000:
        raise InvalidInput("up_to_date_on", "Cette date n'est pas plausible.")
