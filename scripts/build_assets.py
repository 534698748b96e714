#!/usr/bin/env python3
"""Copy the vendored front-end files from node_modules into achats/static/vendor (idempotent)."""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "achats" / "static" / "vendor"

# (source under node_modules, target name under vendor, required)
FILES: list[tuple[str, str, bool]] = [
    ("socket.io-client/dist/socket.io.min.js", "socket.io.min.js", True),
    ("socket.io-client/dist/socket.io.min.js.map", "socket.io.min.js.map", False),
    ("axe-core/axe.min.js", "axe.min.js", True),
]


def copy_if_changed(source: Path, target: Path) -> bool:
    """Copy only when the content differs, so reruns leave mtimes alone."""
    if target.exists() and filecmp.cmp(source, target, shallow=False):
        return False
    tmp = target.with_suffix(target.suffix + ".tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(target)
    return True


def main() -> int:
    if not NODE_MODULES.is_dir():
        print("node_modules/ is missing: run `npm install` (or `npm ci`) first.", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    missing = []
    for rel, name, required in FILES:
        source = NODE_MODULES / rel
        if not source.is_file():
            if required:
                missing.append(rel)
            continue
        changed = copy_if_changed(source, VENDOR / name)
        print(f"{'copied' if changed else 'unchanged'}: {VENDOR.relative_to(ROOT) / name}")
    if missing:
        print("missing in node_modules: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
