"""Demo content for `achats seed-demo`: idempotent, in the product's own words."""

from __future__ import annotations

from collections.abc import Iterator


def seed_all() -> Iterator[str]:
    from achats.demo import accounts

    yield from accounts.seed()
    try:
        from achats.demo import forums
    except ImportError:
        return
    yield from forums.seed()
