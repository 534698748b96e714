"""Integers that come from a request: one bounded parser, one maximum id."""

from __future__ import annotations

from typing import Any

# Ids are INTEGER columns (32-bit on PostgreSQL): a larger number can name nothing, and passing
# it to the database overflows (OverflowError on SQLite, NumericValueOutOfRange on PostgreSQL).
MAX_ID = 2**31 - 1
# Page numbers are bounded too: a page past this is empty anyway, and OFFSET must stay small.
MAX_PAGE = 10_000


def valid_id(value: object) -> bool:
    """An int (not a bool) that can name a row."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def parse_int(raw: Any, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """`raw` (a query-string, form or JSON value) as an int within [minimum, maximum], else None.

    ASCII digits only, with an optional leading minus when `minimum` allows negatives: "²",
    "١٢", " 12", "+12", "1e3" and "12.0" are not integers here."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = raw if isinstance(raw, str) else None
        if not text or len(text) > 20 or not text.isascii():
            return None
        digits = text[1:] if text.startswith("-") else text
        if not digits.isdigit():
            return None
        value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(raw: Any) -> int | None:
    """A row id from a request, or None."""
    return parse_int(raw, minimum=1, maximum=MAX_ID)


def parse_page(raw: Any, default: int = 1) -> int:
    """A page number from a request: anything unusable gives `default`."""
    value = parse_int(raw, minimum=1, maximum=MAX_PAGE)
    return default if value is None else value


def parse_ids(values: Any, limit: int = 500) -> list[int]:
    """The valid ids among `values` (a list from a form or JSON), at most `limit`."""
    found: list[int] = []
    for raw in list(values or [])[:limit]:
        value = parse_id(raw)
        if value is not None and value not in found:
            found.append(value)
    return found
