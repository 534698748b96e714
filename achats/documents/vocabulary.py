"""The library's closed vocabularies: document types (the DCE pieces and the rest), licences,
review states, audiences, reuse outcomes — each with its French label."""

from __future__ import annotations

import enum


class DocType(enum.StrEnum):
    RC = "rc"
    AE = "ae"
    CCAP = "ccap"
    CCTP = "cctp"
    BPU = "bpu"
    DQE = "dqe"
    DPGF = "dpgf"
    RAPPORT_ANALYSE = "rapport_analyse"
    CLAUSIER = "clausier"
    GUIDE = "guide"
    DELIBERATION = "deliberation"
    RETOUR_EXPERIENCE = "retour_experience"
    SUPPORT_WEBINAIRE = "support_webinaire"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return DOC_TYPE_LABELS[self]


DOC_TYPE_LABELS: dict[DocType, str] = {
    DocType.RC: "RC — règlement de la consultation",
    DocType.AE: "Acte d'engagement (AE / ATTRI1)",
    DocType.CCAP: "CCAP — clauses administratives particulières",
    DocType.CCTP: "CCTP — clauses techniques particulières",
    DocType.BPU: "BPU — bordereau des prix unitaires",
    DocType.DQE: "DQE — détail quantitatif estimatif",
    DocType.DPGF: "DPGF — décomposition du prix global et forfaitaire",
    DocType.RAPPORT_ANALYSE: "Rapport d'analyse des offres",
    DocType.CLAUSIER: "Clausier",
    DocType.GUIDE: "Guide",
    DocType.DELIBERATION: "Délibération",
    DocType.RETOUR_EXPERIENCE: "Retour d'expérience",
    DocType.SUPPORT_WEBINAIRE: "Support de webinaire",
    DocType.AUTRE: "Autre document",
}


class Licence(enum.StrEnum):
    LICENCE_OUVERTE = "licence_ouverte_2"
    CC_BY = "cc_by"
    CC_BY_NC = "cc_by_nc"
    ALL_RIGHTS = "tous_droits_reserves"

    @property
    def label(self) -> str:
        return LICENCE_LABELS[self]

    @property
    def link_only(self) -> bool:
        """All rights reserved: the library points to the source, it does not host the file."""
        return self is Licence.ALL_RIGHTS


LICENCE_LABELS: dict[Licence, str] = {
    Licence.LICENCE_OUVERTE: "Licence Ouverte 2.0 (Etalab)",
    Licence.CC_BY: "CC BY 4.0",
    Licence.CC_BY_NC: "CC BY-NC 4.0",
    Licence.ALL_RIGHTS: "Tous droits réservés (lien vers la source)",
}


class ReviewStatus(enum.StrEnum):
    PENDING = "pending_review"
    PUBLISHED = "published"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"pending_review": "En attente de vérification", "published": "Publié",
                "rejected": "Refusé"}[self.value]


class Visibility(enum.StrEnum):
    MEMBERS = "members"  # signed-in buyers (the default)
    PUBLIC = "public"  # anyone, signed in or not

    @property
    def label(self) -> str:
        return {"members": "Membres de la plateforme", "public": "Public (tout le monde)"}[self.value]


class TextStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # unreadable, or past the time or memory limit

    @property
    def label(self) -> str:
        return {"pending": "Lecture du contenu en cours", "done": "Contenu lu",
                "failed": "Contenu non lisible : la recherche ne porte que sur le titre et la description"}[self.value]


class Outcome(enum.StrEnum):
    AWARDED = "awarded"
    UNSUCCESSFUL = "unsuccessful"

    @property
    def label(self) -> str:
        return {"awarded": "Attribué", "unsuccessful": "Infructueux"}[self.value]


class Procedure(enum.StrEnum):
    MAPA = "mapa"
    APPEL_OFFRES = "appel-d-offres"
    ACCORD_CADRE = "accord-cadre"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return {"mapa": "MAPA", "appel-d-offres": "Appel d'offres", "accord-cadre": "Accord-cadre",
                "autre": "Autre procédure"}[self.value]


_PROCEDURE_ALIASES = {
    "procedure-adaptee": "mapa", "marche-a-procedure-adaptee": "mapa", "ao": "appel-d-offres",
    "aoo": "appel-d-offres", "appel-offres": "appel-d-offres", "appel-d-offres-ouvert": "appel-d-offres",
    "appel-d-offres-restreint": "appel-d-offres", "accord-cadre-a-bons-de-commande": "accord-cadre",
}


def parse_procedure(raw: str | None) -> Procedure | None:
    """A procedure as people and integrations write it: "MAPA", "appel_d_offres", "Appel d'offres"…"""
    import unicodedata

    text = unicodedata.normalize("NFKD", raw or "").encode("ascii", "ignore").decode().lower().strip()
    text = "-".join(part for part in text.replace("'", " ").replace("_", " ").replace("-", " ").split())
    text = _PROCEDURE_ALIASES.get(text, text)
    try:
        return Procedure(text)
    except ValueError:
        return None


class Famille(enum.StrEnum):
    TRAVAUX = "travaux"
    FOURNITURES = "fournitures"
    SERVICES = "services"

    @property
    def label(self) -> str:
        return {"travaux": "Travaux", "fournitures": "Fournitures", "services": "Services"}[self.value]


class Levier(enum.StrEnum):
    DEFINITION_BESOIN = "definition-du-besoin"
    SPECIFICATION = "specification-technique"
    CRITERE = "critere-d-attribution"
    CONDITION = "condition-d-execution"
    RESERVATION = "reservation"
    ALLOTISSEMENT = "allotissement"

    @property
    def label(self) -> str:
        return {
            "definition-du-besoin": "Définition du besoin", "specification-technique": "Spécification technique",
            "critere-d-attribution": "Critère d'attribution", "condition-d-execution": "Condition d'exécution",
            "reservation": "Réservation", "allotissement": "Allotissement",
        }[self.value]


class FileKind(enum.StrEnum):
    """What a file is, as its content and structure say (never its name)."""

    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    ODT = "odt"
    ODS = "ods"

    @property
    def content_type(self) -> str:
        return {
            "pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "odt": "application/vnd.oasis.opendocument.text",
            "ods": "application/vnd.oasis.opendocument.spreadsheet",
        }[self.value]

    @property
    def label(self) -> str:
        return {"pdf": "PDF", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "odt": "Texte OpenDocument (ODT)",
                "ods": "Tableur OpenDocument (ODS)"}[self.value]
