"""Threads related to a thread (shared tags) and threads with similar titles (duplicate hints)."""


from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import (
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, lazyload

from achats.forums.models import (
    Thread,
    ThreadTag,
)
from achats.forums.services.listing import ThreadLike
from achats.forums.services.reading import like_escape, thread_options
from achats.platform.cache import memo

PER_PAGE = 20
# A thread list filtered by words shows at most this many threads (a person refines the words).
MAX_MATCHED_THREADS = 500




@dataclass(frozen=True)
class RelatedThread:
    id: int
    title: str
    solved: bool


def related_threads(session: Session, thread: ThreadLike, limit: int = 5) -> list[RelatedThread]:
    """Visible threads sharing the most tags with `thread` (same category when it has none).

    Kept in the process's derived cache until the forums change: it groups over every thread
    carrying one of the tags, too costly to run on each view of the thread."""
    limit = max(1, min(limit, 20))
    return memo("content", ("related", thread.id, limit),
                lambda: _compute_related(session, thread, limit), ttl=600)


def _compute_related(session: Session, thread: ThreadLike, limit: int) -> list[RelatedThread]:
    tag_ids = [t.id for t in thread.tags]
    columns = (Thread.id, Thread.title, Thread.solved)
    if tag_ids:
        shared = (
            select(ThreadTag.thread_id, func.count().label("shared"))
            .where(ThreadTag.tag_id.in_(tag_ids), ThreadTag.thread_id != thread.id)
            .group_by(ThreadTag.thread_id)
            .subquery()
        )
        query = (
            select(*columns).join(shared, shared.c.thread_id == Thread.id)
            .where(Thread.hidden.is_(False))
            .order_by(shared.c.shared.desc(), Thread.last_activity_at.desc())
        )
    else:
        query = (
            select(*columns)
            .where(Thread.category_id == thread.category_id, Thread.id != thread.id, Thread.hidden.is_(False))
            .order_by(Thread.last_activity_at.desc())
        )
    return [RelatedThread(tid, title, bool(solved)) for tid, title, solved in session.execute(query.limit(limit))]


_STOP = {
    "avec", "dans", "pour", "sans", "sous", "vers", "chez", "entre", "comment", "quelle", "quelles", "quel",
    "quels", "peut", "peut-on", "faut", "faut-il", "est-ce", "marche", "marches", "public", "publics",
    "publique", "publiques", "notre", "votre", "leur", "leurs", "cette", "ces", "des", "les", "une", "que",
    "qui", "quoi", "sur", "par", "plus", "tout", "tous", "aux", "est", "sont", "question", "questions",
}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def similar_titles(session: Session, title: str, limit: int = 5) -> list[Thread]:
    """Existing visible threads whose titles share significant words with `title` (duplicate hint)."""
    words = []
    for word in re.findall(r"[\w'-]+", (title or "")[:200].lower()):
        word = word.strip("'-")
        if len(word) >= 4 and word not in _STOP and word not in words:
            words.append(word)
    words = words[:6]
    if not words:
        return []
    candidates = list(session.scalars(
        select(Thread)
        .where(Thread.hidden.is_(False), or_(*[Thread.title.ilike(f"%{like_escape(w)}%", escape="\\") for w in words]))
        .options(*thread_options(), lazyload(Thread.tags))
        .order_by(Thread.last_activity_at.desc())
        .limit(50)
    ))
    folded = [_fold(w) for w in words]

    def score(t: Thread) -> int:
        text = _fold(t.title)
        return sum(1 for w in folded if w in text)

    ranked = sorted(candidates, key=lambda t: (-score(t), -t.last_activity_at.timestamp()))
    needed = 1 if len(words) <= 2 else 2
    return [t for t in ranked if score(t) >= needed][: max(1, min(limit, 20))]
