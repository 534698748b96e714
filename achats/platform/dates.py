"""French, Europe/Paris display of UTC datetimes (Babel).

Babel formats from its locale data on every call (20-40 µs each); a page showing 20 posts asks
for 60 formatted dates. The formatted strings are memoised per value (a datetime's text never
changes; relative times per minute of age), which keeps the same output at a fraction of the cost.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_timedelta

PARIS = ZoneInfo("Europe/Paris")


def to_paris(value: datetime | date) -> datetime | date:
    """A datetime in Paris time (naive ones are UTC); a plain date (a calendar day) as it is."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS)


def french_time(value: datetime) -> str:
    """'14 h 30', '11 h' — French typography for a time of day."""
    local = _paris_datetime(value)
    return f"{local.hour} h" if local.minute == 0 else f"{local.hour} h {local.minute:02d}"


def french_datetime(value: datetime | None) -> str:
    """'mardi 14 avril 2027 à 11 h' in Europe/Paris."""
    if value is None:
        return ""
    return _french_datetime(value)


@lru_cache(maxsize=50_000)
def _french_datetime(value: datetime) -> str:
    local = _paris_datetime(value)
    day = format_date(local, "EEEE d MMMM y", locale="fr_FR")
    if local.day == 1:
        day = day.replace(" 1 ", " 1er ", 1)
    return f"{day} à {french_time(value)}"


def _paris_datetime(value: datetime) -> datetime:
    local = to_paris(value)
    assert isinstance(local, datetime)
    return local


def french_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    return _french_date(value)


@lru_cache(maxsize=20_000)
def _french_date(value: datetime | date) -> str:
    local = to_paris(value)
    text = format_date(local, "d MMMM y", locale="fr_FR")
    return "1er" + text[1:] if local.day == 1 else text


def short_date(value: datetime | date | None) -> str:
    """'12/03/2026'."""
    return "" if value is None else to_paris(value).strftime("%d/%m/%Y")


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """'il y a 3 heures'."""
    if value is None:
        return ""
    seconds = ((now or datetime.now(UTC)) - value).total_seconds()
    if seconds < 60:
        return "à l'instant"
    return _ago(int(seconds) // 60)


@lru_cache(maxsize=20_000)
def _ago(minutes: int) -> str:
    return "il y a " + format_timedelta(timedelta(minutes=minutes), locale="fr_FR", granularity="minute")


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


@lru_cache(maxsize=50_000)
def machine(value: datetime) -> str:
    """For <time datetime=…>."""
    return format_datetime(_paris_datetime(value), "yyyy-MM-dd'T'HH:mmxxx", locale="fr_FR")


def human_size(size: int) -> str:
    """A file size in French units: "850 o", "12 ko", "1,2 Mo"."""
    if size < 1024:
        return f"{size} o"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} ko"
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
