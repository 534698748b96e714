"""The Guichet vert's figures: questions received, answered, time to the first expert answer."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from achats.forums.models import Category, DeskStatus, Thread, ThreadKind
from achats.forums.services.content import author_name
from achats.platform.dates import PARIS
from achats.platform.spreadsheets import csv_text


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first day 00:00, first day of next month 00:00) in Europe/Paris, as aware datetimes."""
    start = date(month.year, month.month, 1)
    end = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return datetime.combine(start, time(), PARIS), datetime.combine(end, time(), PARIS)


def _desk_questions(session: Session, month: date) -> list[Thread]:
    start, end = month_bounds(month)
    return list(session.scalars(
        select(Thread)
        .join(Category, Category.id == Thread.category_id)
        .where(Category.is_desk.is_(True), Thread.kind == ThreadKind.QUESTION, Thread.hidden.is_(False),
               Thread.created_at >= start, Thread.created_at < end)
        .options(joinedload(Thread.assigned_expert))
        .order_by(Thread.created_at, Thread.id)
    ).unique())


def minutes_to_first_answer(thread: Thread) -> float | None:
    if thread.first_expert_answer_at is None:
        return None
    return round((thread.first_expert_answer_at - thread.created_at).total_seconds() / 60, 1)


def desk_stats(session: Session, month: date) -> dict[str, Any]:
    """Questions received in `month` (Europe/Paris), how many got an expert answer, the median delay."""
    threads = _desk_questions(session, month)
    delays = [m for t in threads if (m := minutes_to_first_answer(t)) is not None]
    by_status = {s.value: 0 for s in DeskStatus}
    for t in threads:
        if t.desk_status:
            by_status[str(t.desk_status)] += 1
    return {
        "month": f"{month.year:04d}-{month.month:02d}",
        "received": len(threads),
        "answered": len(delays),
        "solved": sum(1 for t in threads if t.solved),
        "unanswered": len(threads) - len(delays),
        "median_minutes_to_first_expert_answer": statistics.median(delays) if delays else None,
        "by_status": by_status,
    }


def desk_stats_csv(session: Session, month: date) -> str:
    """One line per desk question of the month (semicolon-separated, for French spreadsheets)."""
    header = ["id", "reçue le", "titre", "statut", "expert", "prise en charge le",
              "première réponse d'expert le", "délai (minutes)", "résolue"]
    rows = []
    for t in _desk_questions(session, month):
        minutes = minutes_to_first_answer(t)
        rows.append((
            t.id,
            t.created_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
            t.title,
            DeskStatus(t.desk_status).label if t.desk_status else "",
            author_name(t.assigned_expert) if t.assigned_expert_id else "",
            t.taken_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if t.taken_at else "",
            t.first_expert_answer_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if t.first_expert_answer_at else "",
            "" if minutes is None else str(minutes).replace(".", ","),
            "oui" if t.solved else "non",
        ))
    return csv_text(header, rows)
