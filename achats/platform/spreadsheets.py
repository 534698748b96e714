"""Exports opened in spreadsheets (CSV and XLSX): cells that would run as formulas are neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# A cell starting with one of these is read as a formula (or a DDE payload) by Excel and LibreOffice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: Any) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Semicolon-separated CSV for French spreadsheets, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutral_cell(h) for h in header])
    for row in rows:
        writer.writerow([neutral_cell(v) for v in row])
    return out.getvalue()


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One worksheet, every text cell neutralised and stored as a string (never a formula)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append([neutral_cell(h) for h in header])
    for row in rows:
        sheet.append([v if isinstance(v, int | float) and not isinstance(v, bool) else neutral_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
