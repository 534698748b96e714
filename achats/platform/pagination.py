"""A page of something that is not a Flask-SQLAlchemy query (thread posts by number, search hits):
what the shared `pagination` macro (templates/_macros.html) reads from a Pagination."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class Pager:
    page: int
    pages: int
    per_page: int = 20

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, left_edge: int = 1, left_current: int = 1, right_current: int = 2,
                   right_edge: int = 1) -> Iterator[int | None]:
        """Page numbers to link, None where some are skipped (as Pagination.iter_pages)."""
        last = 0
        for n in range(1, self.pages + 1):
            if (n <= left_edge or self.page - left_current <= n <= self.page + right_current
                    or n > self.pages - right_edge):
                if last + 1 != n:
                    yield None
                yield n
                last = n
