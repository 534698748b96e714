"""Text from people, cleaned once: NUL and control characters (PostgreSQL refuses NUL), lone
surrogates and bidi overrides go; single-line fields have their spaces folded."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(value: Any, *, multiline: bool = False) -> str:
    if value is None:
        return ""
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    return text.strip()
