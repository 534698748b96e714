"""A document's description as a person fills it: checked, with a French message per field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from achats.auth.models import Organisation
from achats.documents.services.errors import InvalidInput
from achats.documents.vocabulary import (
    DocType,
    Famille,
    Levier,
    Licence,
    Procedure,
    Visibility,
    parse_procedure,
)
from achats.platform.cpv import cpv_error
from achats.platform.tags import Tag, TagFacet

TITLE_MIN, TITLE_MAX = 5, 200
DESCRIPTION_MAX = 5_000
MAX_THEMES = 6
MAX_CPV = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class DocumentInput:
    """What the upload form and the API send (strings as typed; `check` converts them)."""

    title: str = ""
    description: str = ""
    doc_type: str = ""
    themes: Sequence[str] = ()
    famille: str | None = None
    cpv_codes: Sequence[str] = ()
    levier: str | None = None
    procedure: str | None = None
    organisation_id: int | None = None
    year: int | None = None
    licence: str = Licence.LICENCE_OUVERTE.value
    source_url: str | None = None
    up_to_date_on: date | None = None
    visibility: str = Visibility.MEMBERS.value


@dataclass
class CheckedInput:
    title: str
    description: str
    doc_type: DocType
    themes: list[Tag]
    famille: Famille | None
    cpv_codes: list[str]
    levier: Levier | None
    procedure: Procedure | None
    organisation: Organisation | None
    year: int | None
    licence: Licence
    source_url: str | None
    up_to_date_on: date | None
    visibility: Visibility
    errors: dict[str, str] = field(default_factory=dict)


def clean_text(value: str | None, *, multiline: bool = True) -> str:
    value = _CONTROL.sub("", (value or "").replace("\r\n", "\n"))
    if not multiline:
        value = re.sub(r"\s+", " ", value)
    return value.strip()


def _enum(cls: type, raw: str | None, name: str, label: str, *, required: bool = False) -> Any:
    if not raw:
        if required:
            raise InvalidInput(f"Choisissez {label}.", name)
        return None
    try:
        return cls(raw)
    except ValueError:
        raise InvalidInput(f"{label[0].upper()}{label[1:]} inconnu(e) : choisissez dans la liste.", name) from None


def check_input(session: Session, data: DocumentInput, *, today: date) -> CheckedInput:
    """Every field checked; the first problem raises InvalidInput naming its field."""
    title = clean_text(data.title, multiline=False)
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise InvalidInput(f"Le titre compte de {TITLE_MIN} à {TITLE_MAX} caractères.", "title")
    description = clean_text(data.description)
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(f"La description ne doit pas dépasser {DESCRIPTION_MAX} caractères.", "description")
    doc_type = _enum(DocType, data.doc_type, "doc_type", "le type de document", required=True)
    famille = _enum(Famille, data.famille, "famille", "la famille d'achat")
    levier = _enum(Levier, data.levier, "levier", "le levier juridique")
    procedure = parse_procedure(data.procedure) if data.procedure else None
    if data.procedure and procedure is None:
        raise InvalidInput("Procédure inconnue : MAPA, appel d'offres, accord-cadre ou autre.", "procedure")
    licence = _enum(Licence, data.licence, "licence", "la licence", required=True)
    visibility = _enum(Visibility, data.visibility or Visibility.MEMBERS.value, "visibility", "la visibilité",
                       required=True)
    slugs = list(dict.fromkeys(s.strip() for s in data.themes if s and s.strip()))
    if len(slugs) > MAX_THEMES:
        raise InvalidInput(f"{MAX_THEMES} thèmes au plus.", "themes")
    themes: list[Tag] = []
    if slugs:
        found = {t.slug: t for t in session.scalars(select(Tag).where(Tag.slug.in_(slugs), Tag.facet == TagFacet.THEME))}
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise InvalidInput("Thème inconnu : " + ", ".join(u[:40] for u in unknown[:3]) + ".", "themes")
        themes = [found[s] for s in slugs]
    codes = list(dict.fromkeys(c.strip() for c in data.cpv_codes if c and c.strip()))
    if len(codes) > MAX_CPV:
        raise InvalidInput(f"{MAX_CPV} codes CPV au plus.", "cpv_codes")
    for code in codes:
        problem = cpv_error(code)
        if problem:
            raise InvalidInput(f"{code[:20]} : {problem}", "cpv_codes")
    organisation = None
    if data.organisation_id is not None:
        organisation = session.get(Organisation, data.organisation_id)
        if organisation is None:
            raise InvalidInput("Organisme inconnu.", "organisation_id")
    if data.year is not None and not 1990 <= data.year <= today.year + 1:
        raise InvalidInput(f"L'année est comprise entre 1990 et {today.year + 1}.", "year")
    source_url = clean_text(data.source_url, multiline=False) or None
    if source_url:
        parts = urlsplit(source_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(source_url) > 500:
            raise InvalidInput("Le lien vers la source commence par https:// (500 caractères au plus).", "source_url")
    if licence is Licence.ALL_RIGHTS and not source_url:
        raise InvalidInput("Un document « tous droits réservés » n'est pas diffusé ici : indiquez le lien vers "
                           "sa source.", "source_url")
    if data.up_to_date_on is not None and data.up_to_date_on > today:
        raise InvalidInput("La date « à jour au » ne peut pas être dans le futur.", "up_to_date_on")
    return CheckedInput(title=title, description=description, doc_type=doc_type, themes=themes, famille=famille,
                        cpv_codes=codes, levier=levier, procedure=procedure, organisation=organisation,
                        year=data.year, licence=licence, source_url=source_url, up_to_date_on=data.up_to_date_on,
                        visibility=visibility)
