"""The tag taxonomy shared by every feature: themes and the facets of DOMAIN.md, as `tag` rows.

Threads, documents and events are tagged with these rows (each feature has its own link table),
so the vocabulary lives here and no feature imports another to tag its content.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from achats.platform.cpv import CPV_DIVISIONS
from achats.platform.db import Base, str_enum
from achats.platform.taxonomy import THEMES


class TagFacet(enum.StrEnum):
    THEME = "theme"
    FAMILLE = "famille"
    CPV = "cpv"
    LEVIER = "levier"
    PROCEDURE = "procedure"
    PIECE = "piece"
    ACHETEUR = "acheteur"

    @property
    def label(self) -> str:
        return {
            "theme": "Thème",
            "famille": "Famille d'achat",
            "cpv": "Division CPV",
            "levier": "Levier juridique",
            "procedure": "Procédure",
            "piece": "Type de pièce",
            "acheteur": "Type d'acheteur",
        }[self.value]


class Tag(Base):
    __cache_namespace__ = "content"  # see achats.platform.cache
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    facet: Mapped[TagFacet] = mapped_column(str_enum(TagFacet, "facet"), index=True)
    position: Mapped[int] = mapped_column(default=0)


FAMILLES = [("travaux", "Travaux"), ("fournitures", "Fournitures"), ("services", "Services")]
LEVIERS = [
    ("definition-du-besoin", "Définition du besoin"),
    ("specification-technique", "Spécification technique"),
    ("critere-d-attribution", "Critère d'attribution"),
    ("condition-d-execution", "Condition d'exécution"),
    ("reservation", "Réservation"),
    ("allotissement", "Allotissement"),
]
PROCEDURES = [("mapa", "MAPA"), ("appel-d-offres", "Appel d'offres"), ("accord-cadre", "Accord-cadre")]
PIECES = [
    ("rc", "RC — règlement de la consultation"), ("ccap", "CCAP"), ("cctp", "CCTP"), ("ae", "Acte d'engagement"),
    ("bpu", "BPU"), ("dqe", "DQE"), ("dpgf", "DPGF"), ("rapport-analyse", "Rapport d'analyse des offres"),
    ("clausier", "Clausier"), ("guide", "Guide"), ("deliberation", "Délibération"),
    ("support-webinaire", "Support de webinaire"),
]
ACHETEURS = [
    ("commune", "Commune"), ("epci", "EPCI"), ("departement", "Département"), ("region", "Région"),
    ("hopital", "Hôpital"), ("eple", "Lycée, collège (EPLE)"), ("syndicat", "Syndicat"), ("bailleur", "Bailleur social"),
]


def cpv_slug(division: str) -> str:
    return f"cpv-{division}"


def vocabulary() -> list[tuple[str, str, TagFacet, int]]:
    """Every tag of the taxonomy: (slug, name, facet, position)."""
    rows: list[tuple[str, str, TagFacet, int]] = [
        (slug, name, TagFacet.THEME, i) for i, (slug, name) in enumerate(THEMES.items())
    ]
    for facet, items in ((TagFacet.FAMILLE, FAMILLES), (TagFacet.LEVIER, LEVIERS), (TagFacet.PROCEDURE, PROCEDURES),
                         (TagFacet.PIECE, PIECES), (TagFacet.ACHETEUR, ACHETEURS)):
        rows.extend((slug, name, facet, i) for i, (slug, name) in enumerate(items))
    rows.extend((cpv_slug(code), f"{code} — {label}", TagFacet.CPV, int(code)) for code, label in CPV_DIVISIONS.items())
    return rows


def ensure_tags(session: Session) -> int:
    """Create the taxonomy's missing tags (idempotent); returns how many were created. Flushes."""
    known = set(session.scalars(select(Tag.slug)))
    created = 0
    for slug, name, facet, position in vocabulary():
        if slug not in known:
            session.add(Tag(slug=slug, name=name, facet=facet, position=position))
            created += 1
    session.flush()
    return created


def tags_by_slug(session: Session, slugs: list[str]) -> dict[str, Tag]:
    if not slugs:
        return {}
    return {t.slug: t for t in session.scalars(select(Tag).where(Tag.slug.in_(slugs)))}


def taxonomy_part() -> Any:
    """The taxonomy's rows, created by `achats init` and, first of all, by `achats seed-demo`."""
    from achats.platform.extensions import db
    from achats.platform.features import DemoSeeder, Feature

    def seed() -> Iterator[str]:
        created = ensure_tags(db.session)
        db.session.commit()
        yield f"Taxonomie : {created} étiquette(s) créée(s)."

    return Feature(name="platform.taxonomy", demo_seeders=[DemoSeeder("taxonomy", seed)])
