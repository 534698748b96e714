"""The "attestation de participation": a PDF for each participant checked in at an event."""

from __future__ import annotations

from typing import Any

from achats.events.models import Registration
from achats.platform.dates import french_date, french_time, to_paris

# fpdf2's core fonts are Latin-1: the few characters outside it are written as a typewriter would.
_LATIN1 = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                         "\u0153": "oe", "\u0152": "OE", "\u00a0": " ", "\u202f": " ", "\u2026": "..."})


def _latin1(text: str) -> str:
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def duration_text(registration: Registration) -> str:
    minutes = int((registration.event.ends_at - registration.event.starts_at).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest:02d}"
    return f"{hours} h" if hours else f"{rest} min"


def attestation_pdf(registration: Registration, issued_by: str = "L'agence régionale de la commande publique") -> bytes:
    from fpdf import FPDF

    event = registration.event
    user: Any = registration.user
    organisation = user.organisation.name if user.organisation else ""
    start = to_paris(event.starts_at)
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Attestation de participation - {event.title}"))
    pdf.set_author(_latin1(issued_by))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 20, _latin1("Attestation de participation"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("Helvetica", "", 12)
    pdf.ln(10)
    lines = [
        f"{issued_by} atteste que",
        "",
        f"{user.name}",
        organisation,
        "",
        "a participé à",
        f"« {event.title} »",
        f"le {french_date(event.starts_at)}, de {french_time(event.starts_at)} à {french_time(event.ends_at)}",
        f"Durée : {duration_text(registration)}",
        "",
        f"Fait le {french_date(start)}." if registration.checked_in_at is None
        else f"Présence constatée le {french_date(registration.checked_in_at)}.",
    ]
    for line in lines:
        pdf.multi_cell(0, 8, _latin1(line), new_x="LMARGIN", new_y="NEXT", align="C")
    return bytes(pdf.output())
