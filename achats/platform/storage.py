"""Where uploaded and generated files live: a small interface, local disk today.

Files get random keys (never the uploader's name) and sit outside `static/`, in
ACHATS_UPLOAD_DIR; they are served only by views that check access. Another store (an
S3-compatible one) implements the same four methods and is chosen in `storage()`."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path
from typing import IO, Protocol

from flask import Flask, current_app

_KEY = re.compile(r"[0-9a-f]{32}(\.[a-z0-9]{1,5})?")


class Storage(Protocol):
    def save(self, source: IO[bytes], suffix: str = "") -> str:
        """Copy `source` (read from where it is) into the store; return its new random key."""

    def path(self, key: str) -> Path:
        """A local file path to read the stored file from (send_file, extraction)."""

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files under one directory, two levels of random sub-directories (ab/cd/abcd…)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _file(self, key: str) -> Path:
        if not _KEY.fullmatch(key or ""):
            raise ValueError("clé de stockage invalide")
        return self.root / key[:2] / key[2:4] / key

    def save(self, source: IO[bytes], suffix: str = "") -> str:
        suffix = suffix.lower()
        key = secrets.token_hex(16) + (("." + suffix) if suffix and suffix.isalnum() and len(suffix) <= 5 else "")
        target = self._file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "wb") as out:
                shutil.copyfileobj(source, out, length=1024 * 1024)
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
        return key

    def path(self, key: str) -> Path:
        return self._file(key)

    def size(self, key: str) -> int:
        return self._file(key).stat().st_size

    def delete(self, key: str) -> None:
        path = self._file(key)
        if path.exists():
            path.unlink()


def storage(app: Flask | None = None) -> Storage:
    """The app's file store (ACHATS_UPLOAD_DIR on local disk)."""
    app = app or current_app
    found = app.extensions["achats"].state.get("storage")
    if found is None:
        found = app.extensions["achats"].state["storage"] = LocalStorage(Path(app.config["ACHATS_UPLOAD_DIR"]))
    return found
