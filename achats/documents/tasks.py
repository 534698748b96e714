"""The library's tasks (run by the task queue, never in a web worker): reading a version's text
and rendering its preview, in a child process with CPU-time and memory limits."""

from __future__ import annotations

import json
import logging
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import delete

from achats.documents.indexing import index_document
from achats.documents.models import Document, DocumentPage, DocumentVersion
from achats.documents.vocabulary import TextStatus
from achats.platform.extensions import db
from achats.platform.storage import storage

log = logging.getLogger("achats.documents")

CPU_SECONDS = 30  # CPU time of the child process
MEMORY_BYTES = 1536 * 1024 * 1024  # its address space
WALL_SECONDS = 90


def _limits(cpu: int, memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def run_extractor(path: Path, kind: str, workdir: Path, *, cpu: int = CPU_SECONDS, memory: int = MEMORY_BYTES,
                  wall: int = WALL_SECONDS, command: list[str] | None = None) -> tuple[dict | None, str | None]:
    """The child process's result ({pages, page_count, preview}) or (None, a French reason).
    `command` replaces the reader (tests: a process that never ends)."""
    out, preview = workdir / "text.json", workdir / "preview.png"
    given = command is not None
    command = command or [sys.executable, "-m", "achats.documents.extract", "--limits", f"{cpu}:{memory}",
                          str(path), kind, str(out), str(preview)]
    try:
        # The child limits itself (extract.limit_self): a preexec_fn is unsafe in a threaded
        # process such as the task consumer. `command` given (tests): limited the same way here.
        process = subprocess.run(command, timeout=wall, capture_output=True, check=False,  # noqa: S603 - our module
                                 preexec_fn=(lambda: _limits(cpu, memory)) if given else None)  # noqa: PLW1509
    except subprocess.TimeoutExpired:
        return None, "la lecture du contenu a dépassé le temps permis"
    if process.returncode != 0 or not out.exists():
        log.warning("extraction of %s failed (%s): %s", path.name, process.returncode,
                    process.stderr.decode("utf-8", "replace")[-500:])
        if process.returncode in (-9, -24, 137, 152):  # SIGKILL, SIGXCPU
            return None, "la lecture du contenu a dépassé le temps ou la mémoire permis"
        return None, "le contenu de ce fichier n'a pas pu être lu"
    data = json.loads(out.read_text(encoding="utf-8"))
    data["preview_path"] = str(preview) if data.get("preview") and preview.exists() else None
    return data, None


def extract_version(version_id: int) -> str:
    """Read the version's text (pages) and its preview; the document is indexed again. A failure
    leaves the version publishable, with a note that its content is not searchable."""
    session = db.session
    version = session.get(DocumentVersion, version_id)
    if version is None:
        return "Version introuvable."
    if version.text_status != TextStatus.PENDING:
        return f"Version {version.id} : déjà lue."  # a second copy of the task (the seed reads files itself)
    store = storage()
    config = current_app.config
    with tempfile.TemporaryDirectory(prefix="achats-extract-") as tmp:
        data, problem = run_extractor(
            store.path(version.storage_key), str(version.file_kind), Path(tmp),
            cpu=int(config.get("ACHATS_EXTRACT_CPU_SECONDS", CPU_SECONDS)),
            memory=int(config.get("ACHATS_EXTRACT_MEMORY_MB", MEMORY_BYTES // 2**20)) * 2**20,
            wall=int(config.get("ACHATS_EXTRACT_WALL_SECONDS", WALL_SECONDS)))
        session.execute(delete(DocumentPage).where(DocumentPage.version_id == version.id))
        if data is None:
            version.text_status = TextStatus.FAILED
            version.text_error = problem
            version.page_count = None
        else:
            pages = [str(p) for p in data.get("pages", [])]
            session.add_all(DocumentPage(version_id=version.id, number=n, text=text)
                            for n, text in enumerate(pages, start=1))
            version.text_status = TextStatus.DONE
            version.text_error = None
            version.page_count = int(data.get("page_count") or len(pages))
            if data.get("preview_path"):
                if version.preview_key:
                    store.delete(version.preview_key)
                with open(data["preview_path"], "rb") as image:
                    version.preview_key = store.save(image, suffix="png")
    session.flush()
    document = session.get(Document, version.document_id)
    if document is not None:
        index_document(session, document)
    session.commit()
    return f"Version {version.id} : {version.text_status}."
