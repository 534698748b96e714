"""The request class of the application: text from the client never carries a NUL character.

PostgreSQL refuses NUL in text (`DataError`: a 500 on any query string, form field or JSON value
that reached a statement with one, e.g. `/membres/?q=a%00b`); no one types it, and no French text
needs it. It is dropped from query strings, forms and JSON bodies once, here, before any view or
API reads them."""

from __future__ import annotations

from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _clean_multidict(data: Any) -> Any:
    if not any("\x00" in key or "\x00" in value for key, value in data.items(multi=True)):
        return data
    return ImmutableMultiDict([(_clean(key), _clean(value)) for key, value in data.items(multi=True)])


class CleanRequest(Request):
    """Flask's request, with NUL characters removed from what the client sent as text."""

    @cached_property
    def args(self) -> Any:
        return _clean_multidict(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _clean_multidict(self.__dict__["form"])

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        return _clean(super().get_json(force=force, silent=silent, cache=cache))
