"""Files for the library's tests: good ones made by the same libraries as the demo, and the
malicious uploads of SECURITY.md, each built here byte by byte."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from collections.abc import Sequence

from achats.documents.demo.files import docx_bytes, ods_bytes, odt_bytes, pdf_bytes, xlsx_bytes


def pdf(*pages: str, title: str = "CCTP de test") -> bytes:
    """A real PDF with one page per argument (fpdf2)."""
    return pdf_bytes(title, "Commune test - 2026", [(f"Chapitre {i + 1}", [text]) for i, text in enumerate(pages)])


def docx(*paragraphs: str, title: str = "Clause de test") -> bytes:
    return docx_bytes(title, "Commune test", [("Clause", list(paragraphs))])


def odt(*paragraphs: str, title: str = "Délibération de test") -> bytes:
    return odt_bytes(title, "Commune test", [("Article 1", list(paragraphs))])


def xlsx(rows: Sequence[Sequence[str]]) -> bytes:
    return xlsx_bytes({"title": "BPU de test", "header": ["Réf.", "Désignation"], "rows": rows})


def ods(rows: Sequence[Sequence[str]]) -> bytes:
    return ods_bytes({"title": "DQE de test", "header": ["N°", "Désignation"], "rows": rows})


# --- hand-made PDFs --------------------------------------------------------------------------------


def raw_pdf(catalog_extra: bytes = b"", extra_objects: Sequence[bytes] = (), page_text: bytes = b"Bonjour") -> bytes:
    """A minimal, valid PDF (with a correct xref) whose catalog may carry extra entries."""
    stream = b"BT /F1 12 Tf 72 720 Td (" + page_text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra_objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    return raw_pdf(b"/OpenAction 6 0 R", [b"<< /Type /Action /S /JavaScript /JS (app.alert('x')) >>"])


def pdf_with_escaped_javascript() -> bytes:
    # /J#61vaScript is /JavaScript once the #xx escape is decoded.
    return raw_pdf(b"/OpenAction 6 0 R", [b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert(1)) >>"])


def pdf_with_launch() -> bytes:
    return raw_pdf(b"/OpenAction 6 0 R", [b"<< /Type /Action /S /Launch /F (calc.exe) >>"])


def pdf_with_open_action_uri() -> bytes:
    return raw_pdf(b"/OpenAction << /S /URI /URI (https://example.org/) >>")


def pdf_with_additional_actions() -> bytes:
    return raw_pdf(b"/AA << /WC 6 0 R >>", [b"<< /S /JavaScript /JS (1) >>"])


def pdf_with_embedded_file() -> bytes:
    return raw_pdf(b"/Names << /EmbeddedFiles << /Names [(a.exe) 6 0 R] >> >>",
                   [b"<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>", b"<< /Length 2 >>\nstream\nMZ\nendstream"])


def pdf_zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "bonjour")
    return raw_pdf() + archive.getvalue()


# --- archives --------------------------------------------------------------------------------------


def zip_bytes(entries: Sequence[tuple[str, bytes]], *, compression: int = zipfile.ZIP_DEFLATED,
              first_stored: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for index, (name, data) in enumerate(entries):
            z.writestr(zipfile.ZipInfo(name) if not (first_stored and index == 0) else name, data,
                       compress_type=zipfile.ZIP_STORED if first_stored and index == 0 else compression)
    return out.getvalue()


CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml"'
    b' ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
DOCUMENT_XML = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Bonjour</w:t></w:r></w:p></w:body></w:document>')


def docx_parts(document_xml: bytes = DOCUMENT_XML, content_types: bytes = CONTENT_TYPES_DOCX,
               extra: Sequence[tuple[str, bytes]] = ()) -> bytes:
    return zip_bytes([("[Content_Types].xml", content_types), ("word/document.xml", document_xml), *extra])


def docx_zip_bomb(megabytes: int = 300) -> bytes:
    """`megabytes` of XML text that compress to a few hundred kilobytes (written in chunks)."""
    out = io.BytesIO()
    head, tail = DOCUMENT_XML.split(b"Bonjour")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES_DOCX)
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(head)
            chunk = b"a" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(chunk)
            part.write(tail)
    return out.getvalue()


def docx_lying_sizes() -> bytes:
    """A 60 MB entry whose headers claim 1 KB: the reader must count what it inflates."""
    good = docx_parts(document_xml=DOCUMENT_XML.replace(b"Bonjour", b"b" * (60 * 1024 * 1024)))
    data = bytearray(good)
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo("word/document.xml")
        true_size = info.file_size
    lie = struct.pack("<I", 1024)
    true = struct.pack("<I", true_size)
    data = bytearray(bytes(data).replace(true, lie))  # local header and central directory alike
    return bytes(data)


def docx_many_entries(count: int = 5_000) -> bytes:
    return docx_parts(extra=[(f"word/media/image{n}.xml", b"<a/>") for n in range(count)])


def docx_zip_slip() -> bytes:
    return docx_parts(extra=[("../../../../tmp/evil.xml", b"<a/>")])


def docx_absolute_path() -> bytes:
    return docx_parts(extra=[("/etc/cron.d/evil", b"* * * * * root id")])


def docx_symlink() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES_DOCX)
        z.writestr("word/document.xml", DOCUMENT_XML)
        link = zipfile.ZipInfo("word/link.xml")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
    return out.getvalue()


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><w:document xmlns:w="http://schemas.openxmlformats.org/'
                  b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:document '
       b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;'
       b'</w:t></w:r></w:p></w:body></w:document>')


def docx_xml_bomb() -> bytes:
    return docx_parts(document_xml=BILLION_LAUGHS)


def docx_xxe() -> bytes:
    return docx_parts(document_xml=XXE)


def docx_xxe_in_content_types() -> bytes:
    return docx_parts(content_types=XXE.replace(b"w:document", b"Types"))


def docm_with_macros() -> bytes:
    types = CONTENT_TYPES_DOCX.replace(b"wordprocessingml.document.main+xml",
                                       b"x").replace(b"application/vnd.openxmlformats-officedocument.x",
                                                     b"application/vnd.ms-word.document.macroEnabled.main+xml")
    return docx_parts(content_types=types, extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")])


def docx_with_vba_part() -> bytes:
    # A DOCX content type but a VBA project inside, declared as such.
    types = CONTENT_TYPES_DOCX.replace(b"</Types>", b'<Override PartName="/word/vbaProject.bin" '
                                       b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    return docx_parts(content_types=types, extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")])


def ole_file() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000


def zip_without_office_structure() -> bytes:
    return zip_bytes([("readme.txt", b"bonjour")])


def docx_without_main_part() -> bytes:
    return zip_bytes([("[Content_Types].xml", CONTENT_TYPES_DOCX)])


def odt_with_wrong_mimetype() -> bytes:
    return zip_bytes([("mimetype", b"application/x-evil"), ("content.xml", b"<a/>")], first_stored=True)


def encrypted_zip_entry() -> bytes:
    data = bytearray(docx_parts())
    # Set the "encrypted" flag (bit 0) of every local and central header.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (index := data.find(signature, start)) != -1:
            data[index + offset] |= 0x01
            start = index + 4
    return bytes(data)
