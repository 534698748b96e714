"""Real files for the demo documents (and the tests): PDF with fpdf2, DOCX with python-docx, ODT
and ODS with odfpy, XLSX with openpyxl. One chapter per page."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

Section = tuple[str, Sequence[str]]

# fpdf2's core fonts are Latin-1: the few characters outside it are written the way a typewriter would.
_LATIN1 = str.maketrans({"œ": "oe", "Œ": "OE", "€": "EUR", "—": "-", "–": "-", "’": "'", "…": "...",
                         "\u202f": " ", "≥": ">=", "≤": "<=", "“": '"', "”": '"'})


def _latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def pdf_bytes(title: str, subtitle: str, sections: Sequence[Section]) -> bytes:
    from fpdf import FPDF

    class Paged(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 5, f"Page {self.page_no()}", align="C")

    pdf = Paged(format="A4")
    pdf.set_title(_latin1(title))
    pdf.set_author(_latin1(subtitle))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 20, 20)
    for index, (heading, paragraphs) in enumerate(sections):
        pdf.add_page()
        if index == 0:
            pdf.set_font("Helvetica", "B", 16)
            pdf.multi_cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 6, _latin1(subtitle), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(6)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, _latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def docx_bytes(title: str, subtitle: str, sections: Sequence[Section]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)
    for index, (heading, paragraphs) in enumerate(sections):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_bytes(title: str, subtitle: str, sections: Sequence[Section]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TextProperties
    from odf.text import H, P

    document = OpenDocumentText()
    heading_style = Style(name="Chapitre", family="paragraph")
    heading_style.addElement(ParagraphProperties(breakbefore="page"))
    heading_style.addElement(TextProperties(fontsize="14pt", fontweight="bold"))
    title_style = Style(name="Titre", family="paragraph")
    title_style.addElement(TextProperties(fontsize="18pt", fontweight="bold"))
    document.automaticstyles.addElement(heading_style)
    document.automaticstyles.addElement(title_style)
    document.text.addElement(P(stylename=title_style, text=title))
    document.text.addElement(P(text=subtitle))
    for index, (heading, paragraphs) in enumerate(sections):
        document.text.addElement(H(outlinelevel=1, stylename=heading_style if index else title_style, text=heading))
        for paragraph in paragraphs:
            document.text.addElement(P(text=paragraph))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def xlsx_bytes(table: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.title = "Bordereau"
    sheet.append([table["title"]])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(list(table["header"]))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        sheet.append(list(row))
    for column, width in zip("ABCDE", (10, 48, 48, 14, 18), strict=False):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ods_bytes(table: dict[str, Any]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    sheet = Table(name="DQE")

    def row(values: Sequence[str]) -> TableRow:
        line = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            line.addElement(cell)
        return line

    sheet.addElement(row([table["title"]]))
    sheet.addElement(row(table["header"]))
    for values in table["rows"]:
        sheet.addElement(row(values))
    document.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def file_bytes(kind: str, title: str, subtitle: str, sections: Sequence[Section] = (),
               table: dict[str, Any] | None = None) -> bytes:
    """The file of a demo document in its format."""
    if kind == "pdf":
        return pdf_bytes(title, subtitle, sections)
    if kind == "docx":
        return docx_bytes(title, subtitle, sections)
    if kind == "odt":
        return odt_bytes(title, subtitle, sections)
    if kind == "xlsx":
        return xlsx_bytes(table or {"title": title, "header": [], "rows": []})
    if kind == "ods":
        return ods_bytes(table or {"title": title, "header": [], "rows": []})
    raise ValueError(f"unknown kind {kind}")
