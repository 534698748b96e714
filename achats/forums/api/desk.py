"""Forum API: @mention autocompletion and the Guichet vert's monthly figures."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select

from achats.auth.models import AccountStatus, User
from achats.forums import permissions as perms
from achats.forums import services
from achats.forums.api.blueprint import (
    _me,
    api,
)
from achats.forums.api.schemas import (
    DeskStatsOut,
    DeskStatsQuery,
    MentionList,
    MentionQuery,
)
from achats.platform.api import ApiError
from achats.platform.downloads import attachment
from achats.platform.extensions import db

# --- mentions ----------------------------------------------------------------------------------


@api.operation("/mentions", "GET", "Comptes à mentionner (@identifiant), pour l'autocomplétion",
               query=MentionQuery, response=MentionList)
def mention_candidates(query: MentionQuery) -> dict[str, Any]:
    from sqlalchemy import or_
    from sqlalchemy.orm import joinedload, lazyload

    text = query.q.lstrip("@").strip().lower()
    if not text:
        return {"items": [], "next_cursor": None}
    like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    users = db.session.scalars(
        select(User)
        .where(User.status == AccountStatus.ACTIVE, User.handle.is_not(None),
               or_(User.handle.like(like, escape="\\"), User.name.ilike(like, escape="\\"),
                   User.name.ilike("% " + like, escape="\\")))
        .options(joinedload(User.organisation), lazyload(User.theme_rows))
        .order_by(User.handle)
        .limit(8)
    )
    return {"items": [
        {"id": u.id, "name": u.name, "handle": u.handle,
         "organisation": u.organisation.name if u.organisation else None}
        for u in users
    ], "next_cursor": None}


# --- the desk's figures ------------------------------------------------------------------------


def _month(raw: str | None) -> date:
    if not raw:
        return services.stats.today_paris().replace(day=1)
    match = re.fullmatch(r"(\d{4})-(\d{2})", raw)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ApiError(400, "Mois invalide : AAAA-MM attendu, par exemple 2026-11.",
                       errors={"month": ["Format AAAA-MM attendu."]})
    return date(int(match.group(1)), int(match.group(2)), 1)


def _require_desk_reader() -> None:
    if not perms.can_view_desk_stats(_me()):
        raise ApiError(403, "Les chiffres du guichet vert sont réservés aux experts et à l'équipe de l'agence.")


@api.operation("/desk/stats", "GET", "Chiffres mensuels du guichet vert (experts, modération)",
               query=DeskStatsQuery, response=DeskStatsOut)
def desk_stats(query: DeskStatsQuery) -> dict[str, Any]:
    _require_desk_reader()
    return services.desk_stats(db.session, _month(query.month))


@api.operation("/desk/stats.csv", "GET", "Questions du guichet vert d'un mois, en CSV (experts, modération)",
               query=DeskStatsQuery, response={"type": "string"}, content_type="text/csv")
def desk_stats_csv(query: DeskStatsQuery) -> Any:
    _require_desk_reader()
    month = _month(query.month)
    text = "\ufeff" + services.desk_stats_csv(db.session, month)
    return attachment(text, "text/csv", f"guichet-vert-{month.year:04d}-{month.month:02d}.csv", cache_control=None)
