"""The 45 divisions of the Common Procurement Vocabulary (CPV 2008), with their French labels.

A CPV code is 8 digits, a hyphen and a check digit (`45000000-7`); its first two digits are the
division. No public formula for the check digit fits the official list, so codes are validated
on format and division only.
"""

from __future__ import annotations

import re

CPV_DIVISIONS: dict[str, str] = {
    "03": "Produits agricoles, de l'élevage, de la pêche, de la sylviculture et produits connexes",
    "09": "Produits pétroliers, combustibles, électricité et autres sources d'énergie",
    "14": "Produits d'exploitation minière, métaux de base et produits connexes",
    "15": "Denrées alimentaires, boissons, tabac et produits connexes",
    "16": "Machines agricoles",
    "18": "Vêtements, articles chaussants, bagages et accessoires",
    "19": "Cuir et textiles, matériaux en plastique et en caoutchouc",
    "22": "Imprimés et produits connexes",
    "24": "Produits chimiques",
    "30": "Machines de bureau et de calcul, matériel et fournitures informatiques (hors meubles et logiciels)",
    "31": "Machines, appareils, équipements et consommables électriques ; éclairage",
    "32": "Équipements de radio, de télévision, de communication et de télécommunication",
    "33": "Matériel médical, pharmaceutique et produits de soins personnels",
    "34": "Équipements de transport et produits auxiliaires pour le transport",
    "35": "Équipements de sécurité, de lutte contre l'incendie, de police et de défense",
    "37": "Instruments de musique, articles de sport, jeux, jouets, articles d'artisanat et d'art",
    "38": "Équipements de laboratoire, d'optique et de précision (hors lunettes)",
    "39": "Meubles, aménagements, appareils électroménagers (hors éclairage) et produits de nettoyage",
    "41": "Eau collectée et purifiée",
    "42": "Machines industrielles",
    "43": "Machines pour l'exploitation minière et les carrières, matériel de construction",
    "44": "Structures et matériaux de construction ; produits auxiliaires pour la construction",
    "45": "Travaux de construction",
    "48": "Logiciels et systèmes d'information",
    "50": "Services de réparation et d'entretien",
    "51": "Services d'installation (hors logiciels)",
    "55": "Services d'hôtellerie, de restauration et de commerce de détail",
    "60": "Services de transport (hors transport des déchets)",
    "63": "Services de transport complémentaires et auxiliaires ; agences de voyages",
    "64": "Services des postes et télécommunications",
    "65": "Services publics (eau, énergie)",
    "66": "Services financiers et d'assurance",
    "70": "Services immobiliers",
    "71": "Services d'architecture, de construction, d'ingénierie et d'inspection",
    "72": "Services de technologies de l'information : conseil, développement de logiciels, internet et appui",
    "73": "Services de recherche et développement et services de conseil connexes",
    "75": "Services de l'administration publique, de la défense et de la sécurité sociale",
    "76": "Services relatifs à l'industrie du pétrole et du gaz",
    "77": "Services agricoles, sylvicoles, horticoles, d'aquaculture et d'apiculture",
    "79": "Services aux entreprises : droit, marketing, conseil, recrutement, impression et sécurité",
    "80": "Services d'enseignement et de formation",
    "85": "Services de santé et services sociaux",
    "90": "Services d'assainissement, de gestion des déchets, de nettoyage et services environnementaux",
    "92": "Services récréatifs, culturels et sportifs",
    "98": "Autres services communautaires, sociaux et personnels",
}

_CPV_CODE = re.compile(r"^(\d{2})\d{6}-\d$")


def division_family(division: str) -> str:
    """"travaux" for 45, "fournitures" for 03–44 and 48, "services" for 50–98."""
    if division == "45":
        return "travaux"
    if division == "48" or int(division) < 45:
        return "fournitures"
    return "services"


def cpv_error(code: str) -> str | None:
    """A French message when `code` is not a well-formed CPV code of a known division, else None."""
    match = _CPV_CODE.match(code.strip())
    if not match:
        return "Un code CPV s'écrit avec 8 chiffres, un tiret et un chiffre de contrôle (45000000-7)."
    if match.group(1) not in CPV_DIVISIONS:
        return f"La division {match.group(1)} n'existe pas dans la nomenclature CPV."
    return None
