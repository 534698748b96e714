"""What an uploaded file is, decided by its content and structure, and whether the library keeps it.

Accepted: PDF, DOCX, XLSX, ODT, ODS. Refused, each with a French message: other types, a name
whose extension contradicts the content, old Office (OLE/CFB) and encrypted files, macros,
PDF active content (JavaScript, launch actions, embedded files, additional actions, XFA forms —
names are compared after decoding their #xx escapes, in the raw bytes and in the parsed
structure, compressed object streams included), polyglots (a PDF that is also a ZIP), ZIP
archives with too many entries, entries that inflate past a cap (counted while reading: the
sizes in the headers may lie), names escaping the archive or symbolic links, and XML with a
DTD or entities (parsed with defusedxml). Nothing is written anywhere by this module.
"""

from __future__ import annotations

import hashlib
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse

from achats.documents.vocabulary import FileKind
from achats.platform.uploads import UploadRefused

MAX_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 2_000  # a DOCX has a few dozen; a spreadsheet with images a few hundred
MAX_INFLATED = 250 * 1024 * 1024  # bytes actually inflated while reading the whole archive
MAX_PDF_PAGES = 3_000
CHUNK = 64 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"

OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": FileKind.DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileKind.XLSX,
}
OOXML_MACRO = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-office.vbaProject",
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main",
)
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": FileKind.ODT,
    "application/vnd.oasis.opendocument.spreadsheet": FileKind.ODS,
}
EXTENSIONS = {FileKind.PDF: "pdf", FileKind.DOCX: "docx", FileKind.XLSX: "xlsx", FileKind.ODT: "odt",
              FileKind.ODS: "ods"}

# PDF names that make a file act when opened or clicked, or carry other files.
PDF_ACTIVE = frozenset({"JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA",
                        "AA", "ImportData", "SubmitForm", "GoToE", "Sound", "Movie"})
PDF_ACTIONS_REFUSED = frozenset({"JavaScript", "Launch", "ImportData", "SubmitForm", "GoToE", "RichMediaExecute",
                                 "Rendition", "Sound", "Movie"})
_PDF_NAME = re.compile(rb"/((?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2}){1,64})")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

# Characters a download name must never carry: controls (CR, LF, NUL…), bidirectional overrides
# (a name that displays "fdp.exe" for "exe.pdf"), and path separators.
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff/\\\\:*?\"<>|]")


@dataclass(frozen=True)
class CheckedFile:
    kind: FileKind
    filename: str
    size: int
    sha256: str


# --- names -----------------------------------------------------------------------------------------


def safe_filename(raw: str | None, kind: FileKind) -> str:
    """The uploader's file name, made safe to show and to send back: no directory, no control or
    bidi character, no leading dot, at most 150 characters, the extension of the real type."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    stem, dot, _ = name.rpartition(".")
    if not dot:
        stem = name
    stem = stem.strip()[:140] or "document"
    return f"{stem}.{EXTENSIONS[kind]}"


def _extension(raw: str | None) -> str:
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name.rpartition(".")[2].lower() if "." in name else ""


# --- the entry point ---------------------------------------------------------------------------------


def check_upload(stream: IO[bytes], original_name: str | None, max_bytes: int = MAX_BYTES) -> CheckedFile:
    """Inspect the whole file (from its start) and say what it is; raise UploadRefused otherwise."""
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRefused(f"Le fichier dépasse la taille autorisée ({max_bytes // (1024 * 1024)} Mo).", 413)
        digest.update(chunk)
    if size == 0:
        raise UploadRefused("Le fichier est vide.", 400)
    stream.seek(0)
    head = stream.read(1024)
    stream.seek(0)
    if head.startswith(OLE_MAGIC):
        raise UploadRefused("Ancien format Office (.doc, .xls) ou fichier chiffré : enregistrez-le en PDF, DOCX, "
                            "XLSX, ODT ou ODS, sans mot de passe, puis déposez-le.")
    if head.startswith(PDF_MAGIC):
        kind = _check_pdf(stream)
    elif head.startswith(ZIP_MAGIC):
        if PDF_MAGIC in head:
            raise UploadRefused("Fichier hybride (à la fois archive et PDF) : il n'est pas accepté.", 422)
        kind = _check_zip(stream)
    else:
        raise UploadRefused("Ce type de fichier n'est pas accepté : déposez un PDF, un DOCX, un XLSX, un ODT "
                            "ou un ODS.")
    extension = _extension(original_name)
    if extension and extension != EXTENSIONS[kind]:
        raise UploadRefused(f"Le nom du fichier annonce « .{extension[:10]} » mais son contenu est un "
                            f"{kind.label} : renommez-le ou déposez le bon fichier.")
    stream.seek(0)
    return CheckedFile(kind=kind, filename=safe_filename(original_name, kind), size=size, sha256=digest.hexdigest())


# --- PDF ---------------------------------------------------------------------------------------------


def _decoded_names(stream: IO[bytes]) -> Iterator[str]:
    """Every /Name of the raw file, #xx escapes decoded, read in chunks (with an overlap longer
    than any name we look for, so that none is cut between two chunks)."""
    stream.seek(0)
    tail = b""
    while chunk := stream.read(1024 * 1024):
        data = tail + chunk
        for match in _PDF_NAME.finditer(data):
            raw = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
            yield raw.decode("latin-1")
        tail = data[-256:]


def _check_pdf(stream: IO[bytes]) -> FileKind:
    stream.seek(0)
    if zipfile.is_zipfile(stream):
        raise UploadRefused("Fichier hybride (à la fois PDF et archive) : il n'est pas accepté.", 422)
    found = {name for name in _decoded_names(stream) if name in PDF_ACTIVE or name == "Encrypt"}
    if "Encrypt" in found:
        raise UploadRefused("Ce PDF est protégé ou chiffré : enregistrez-le sans mot de passe, puis déposez-le.")
    if found - {"AA"}:
        raise UploadRefused("Ce PDF contient du contenu actif (script, lancement d'application ou fichier "
                            "incorporé) : il n'est pas accepté. Enregistrez-le de nouveau en PDF simple.", 422)
    if "AA" in found:
        raise UploadRefused("Ce PDF déclenche des actions automatiques à l'ouverture : il n'est pas accepté. "
                            "Enregistrez-le de nouveau en PDF simple.", 422)
    _check_pdf_structure(stream)
    return FileKind.PDF


def _check_pdf_structure(stream: IO[bytes]) -> None:
    """What raw bytes cannot show (objects inside compressed object streams): the parsed catalog,
    pages and annotations."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise UploadRefused("Ce PDF est protégé ou chiffré : enregistrez-le sans mot de passe, puis déposez-le.")
        root: Any = reader.trailer["/Root"]
        _refuse_actions(root.get("/OpenAction"), "à l'ouverture", only_goto=True)
        if "/AA" in root:
            raise UploadRefused("Ce PDF déclenche des actions automatiques : il n'est pas accepté.", 422)
        names: Any = root.get("/Names")
        if names is not None:
            names = names.get_object()
            if "/JavaScript" in names or "/EmbeddedFiles" in names:
                raise UploadRefused("Ce PDF contient des scripts ou des fichiers incorporés : il n'est pas accepté.",
                                    422)
        form: Any = root.get("/AcroForm")
        if form is not None and "/XFA" in form.get_object():
            raise UploadRefused("Ce PDF contient un formulaire XFA actif : il n'est pas accepté.", 422)
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UploadRefused(f"Ce PDF compte plus de {MAX_PDF_PAGES} pages : il n'est pas accepté.", 422)
        for page in reader.pages:
            if "/AA" in page:
                raise UploadRefused("Ce PDF déclenche des actions automatiques : il n'est pas accepté.", 422)
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if annotation.get("/Subtype") in ("/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"):
                    raise UploadRefused("Ce PDF contient un fichier ou un média incorporé : il n'est pas accepté.", 422)
                _refuse_actions(annotation.get("/A"), "au clic")
                if "/AA" in annotation:
                    raise UploadRefused("Ce PDF déclenche des actions automatiques : il n'est pas accepté.", 422)
    except UploadRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise UploadRefused("Ce PDF est illisible ou endommagé : enregistrez-le de nouveau, puis déposez-le.",
                            422) from exc


def _refuse_actions(action: Any, when: str, *, only_goto: bool = False) -> None:
    """An action dictionary (and the chain of its /Next actions) that runs something: refused.
    A destination (an array: "open at page 1, fit") is harmless; at opening (`only_goto`), so is
    only a move inside the document — a link opened by itself is not."""
    seen = 0
    while action is not None and seen < 50:
        seen += 1
        action = action.get_object()
        if not hasattr(action, "get"):
            return
        kind = str(action.get("/S", "")).lstrip("/")
        if kind in PDF_ACTIONS_REFUSED or (only_goto and kind != "GoTo"):
            raise UploadRefused(f"Ce PDF lance une action {when} (script ou application) : il n'est pas accepté.",
                                422)
        action = action.get("/Next")
        if isinstance(action, list):
            for item in action:
                _refuse_actions(item, when, only_goto=only_goto)
            return


# --- ZIP-based formats --------------------------------------------------------------------------------


def _safe_entry_name(name: str) -> bool:
    if not name or len(name) > 400 or "\x00" in name or "\\" in name or name.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", name):
        return False
    return all(part not in ("..",) for part in name.split("/"))


_BOMB = "Ce fichier se décompresse en un volume démesuré (bombe de décompression) : il n'est pas accepté."


class _Inflated:
    """An archive entry read through a budget of bytes really inflated (headers may lie)."""

    def __init__(self, entry: IO[bytes], budget: list[int]) -> None:
        self.entry = entry
        self.budget = budget

    def read(self, size: int = CHUNK) -> bytes:
        chunk = self.entry.read(min(size if size and size > 0 else CHUNK, CHUNK))
        self.budget[0] -= len(chunk)
        if self.budget[0] < 0:
            raise UploadRefused(_BOMB, 422)
        return chunk


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], limit: int = 1024 * 1024) -> bytes:
    """A small entry (a manifest, the content types), inflated through the budget."""
    kept = bytearray()
    with archive.open(info) as entry:
        reader = _Inflated(entry, budget)
        while chunk := reader.read(CHUNK):
            if len(kept) + len(chunk) > limit:
                raise UploadRefused("Une partie de ce document est démesurée : il n'est pas accepté.", 422)
            kept += chunk
    return bytes(kept)


def _drain(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> None:
    with archive.open(info) as entry:
        reader = _Inflated(entry, budget)
        while reader.read(CHUNK):
            pass


def _xml_refused(part: str, exc: Exception) -> UploadRefused:
    if isinstance(exc, DefusedXmlException):
        return UploadRefused(f"Le document contient du XML dangereux (déclarations d'entités) dans « {part[:60]} » : "
                             "il n'est pas accepté.", 422)
    return UploadRefused(f"Le document est endommagé (XML illisible dans « {part[:60]} »).", 422)


def _xml(data: bytes, part: str) -> Any:
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception as exc:  # noqa: BLE001 - malformed or hostile XML of any kind
        raise _xml_refused(part, exc) from exc


def _parse_streaming(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> None:
    """An XML part parsed as it inflates (memory stays small whatever its size), with defusedxml."""
    try:
        with archive.open(info) as entry:
            for _event, element in iterparse(_Inflated(entry, budget), events=("end",), forbid_dtd=True,
                                             forbid_entities=True, forbid_external=True):
                element.clear()
    except UploadRefused:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _xml_refused(info.filename, exc) from exc


def _check_zip(stream: IO[bytes]) -> FileKind:
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise UploadRefused("Cette archive est endommagée : enregistrez le document de nouveau.", 422) from exc
    if len(infos) > MAX_ENTRIES:
        raise UploadRefused(f"Ce fichier contient plus de {MAX_ENTRIES} éléments : il n'est pas accepté.", 422)
    names = set()
    for info in infos:
        if not _safe_entry_name(info.filename):
            raise UploadRefused("Ce fichier contient un chemin interdit (il sortirait de l'archive) : "
                                "il n'est pas accepté.", 422)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UploadRefused("Ce fichier contient un lien symbolique : il n'est pas accepté.", 422)
        if info.flag_bits & 0x1:
            raise UploadRefused("Ce document est chiffré : enregistrez-le sans mot de passe, puis déposez-le.")
        lowered = info.filename.lower()
        if lowered.endswith("vbaproject.bin") or lowered.startswith(("basic/", "scripts/")) and not info.is_dir():
            raise UploadRefused("Ce document contient des macros : enregistrez-le sans macros (DOCX, XLSX, ODT ou "
                                "ODS), puis déposez-le.", 422)
        names.add(info.filename)
    if len(names) != len(infos):
        raise UploadRefused("Cette archive contient deux fois le même élément : elle n'est pas acceptée.", 422)

    budget = [MAX_INFLATED]
    kind: FileKind | None = None
    first = infos[0] if infos else None
    try:
        if first is not None and first.filename == "mimetype":
            mimetype = _read_entry(archive, first, budget, limit=200).decode("ascii", "replace").strip()
            if first.compress_type != zipfile.ZIP_STORED or mimetype not in ODF_TYPES:
                raise UploadRefused("Ce document OpenDocument n'est pas valide (type annoncé inconnu).", 422)
            kind = ODF_TYPES[mimetype]
            if "META-INF/manifest.xml" in names:
                manifest = _read_entry(archive, archive.getinfo("META-INF/manifest.xml"), budget)
                if b"encryption-data" in manifest:
                    raise UploadRefused("Ce document est chiffré : enregistrez-le sans mot de passe, puis déposez-le.")
                _xml(manifest, "META-INF/manifest.xml")
            if "content.xml" not in names:
                raise UploadRefused("Ce document OpenDocument n'a pas de contenu.", 422)
        elif "[Content_Types].xml" in names:
            types = _xml(_read_entry(archive, archive.getinfo("[Content_Types].xml"), budget),
                         "[Content_Types].xml")
            declared = {el.get("ContentType", "") for el in types.iter() if el.get("ContentType")}
            if any(t in declared for t in OOXML_MACRO):
                raise UploadRefused("Ce document contient des macros : enregistrez-le sans macros (DOCX, XLSX, ODT "
                                    "ou ODS), puis déposez-le.", 422)
            mains = {OOXML_MAIN[t] for t in declared if t in OOXML_MAIN}
            if len(mains) != 1:
                raise UploadRefused("Cette archive n'est pas un document Word ou Excel valide.", 422)
            kind = mains.pop()
            main_part = "word/document.xml" if kind is FileKind.DOCX else "xl/workbook.xml"
            if main_part not in names:
                raise UploadRefused("Ce document Office est incomplet (partie principale absente).", 422)
        else:
            raise UploadRefused("Cette archive n'est pas un document Office (DOCX, XLSX) ni OpenDocument (ODT, ODS).")
        # Every part is inflated (the budget is the bytes really produced), every XML part parsed.
        for info in infos:
            if info.is_dir():
                continue
            if info.filename.lower().endswith((".xml", ".rels")):
                _parse_streaming(archive, info, budget)
            else:
                _drain(archive, info, budget)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise UploadRefused("Cette archive est endommagée : enregistrez le document de nouveau.", 422) from exc
    return kind
