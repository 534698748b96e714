"""The shared vocabulary of DOMAIN.md: themes, organisation types, départements, CPV divisions."""

from __future__ import annotations

import enum

THEMES: dict[str, str] = {
    "energie-batiment": "Énergie et bâtiment",
    "construction-bas-carbone": "Construction bas-carbone et biosourcés",
    "economie-circulaire": "Économie circulaire et réemploi",
    "dechets": "Déchets",
    "biodiversite": "Biodiversité et espaces verts",
    "eau": "Eau",
    "alimentation-egalim": "Alimentation durable et EGalim",
    "mobilite": "Mobilité et véhicules",
    "numerique-responsable": "Numérique responsable",
    "textile-epi": "Textile et EPI",
    "mobilier-fournitures": "Mobilier, fournitures et papier",
    "produits-entretien": "Produits d'entretien et santé environnementale",
    "clauses-sociales": "Clauses sociales d'insertion",
    "marches-reserves-ess": "Marchés réservés et ESS",
    "droits-humains": "Égalité et droits humains dans la chaîne d'approvisionnement",
    "tpe-pme-sourcage": "Accès des TPE/PME, allotissement et sourçage",
    "cout-global": "Coût global et cycle de vie",
    "pilotage-spaser": "Pilotage (SPASER, indicateurs, données essentielles)",
}


class OrganisationKind(enum.StrEnum):
    COMMUNE = "commune"
    EPCI = "epci"
    DEPARTEMENT = "departement"
    REGION = "region"
    HOPITAL = "hopital"
    EPLE = "eple"
    SYNDICAT = "syndicat"
    BAILLEUR = "bailleur"
    AGENCE = "agence"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS: dict[OrganisationKind, str] = {
    OrganisationKind.COMMUNE: "Commune",
    OrganisationKind.EPCI: "Intercommunalité (EPCI)",
    OrganisationKind.DEPARTEMENT: "Département",
    OrganisationKind.REGION: "Région",
    OrganisationKind.HOPITAL: "Établissement hospitalier",
    OrganisationKind.EPLE: "Lycée, collège (EPLE)",
    OrganisationKind.SYNDICAT: "Syndicat",
    OrganisationKind.BAILLEUR: "Bailleur social",
    OrganisationKind.AGENCE: "Agence, établissement public",
    OrganisationKind.AUTRE: "Autre organisme public",
}

# Bourgogne-Franche-Comté first; any French département code is accepted.
DEPARTEMENTS_BFC: dict[str, str] = {
    "21": "Côte-d'Or",
    "25": "Doubs",
    "39": "Jura",
    "58": "Nièvre",
    "70": "Haute-Saône",
    "71": "Saône-et-Loire",
    "89": "Yonne",
    "90": "Territoire de Belfort",
}


def is_departement_code(code: str) -> bool:
    code = code.strip().upper()
    if code in {"2A", "2B"}:
        return True
    if code.isdigit() and len(code) == 2:
        return 1 <= int(code) <= 95 and code != "20"
    if code.isdigit() and len(code) == 3:
        return 971 <= int(code) <= 976
    return False


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


LA_POSTE_SIREN = "356000000"


def normalise_siret(raw: str) -> str:
    return "".join(ch for ch in raw if not ch.isspace())


def siret_error(raw: str) -> str | None:
    """A French message when `raw` is not a valid SIRET, else None (Luhn; La Poste's rule)."""
    siret = normalise_siret(raw)
    if not siret.isdigit() or len(siret) != 14:
        return "Le SIRET compte 14 chiffres."
    if siret.startswith(LA_POSTE_SIREN):
        if sum(int(c) for c in siret) % 5 != 0:
            return "Ce SIRET n'est pas valide (clé de contrôle incorrecte)."
        return None
    if not luhn_ok(siret[:9]):
        return "Le SIREN (9 premiers chiffres) n'est pas valide."
    if not luhn_ok(siret):
        return "Ce SIRET n'est pas valide (clé de contrôle incorrecte)."
    return None
