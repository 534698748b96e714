"""Demo organisations of the region and one account per role (demo-only passwords)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from achats.auth.models import AccountStatus, Organisation, User, UserTheme
from achats.auth.passwords import hash_password
from achats.auth.services import make_handle
from achats.platform.db import utcnow
from achats.platform.extensions import db
from achats.platform.security import Role
from achats.platform.taxonomy import OrganisationKind

# SIRETs below are Luhn-valid but fictitious (demo data).
ORGANISATIONS = [
    ("Agence régionale du numérique BFC", OrganisationKind.AGENCE, "13002000100017", "21"),
    ("Grand Besançon Métropole (démo)", OrganisationKind.EPCI, "24250000700016", "25"),
    ("Commune de Saint-Aubin-sur-Loue (démo)", OrganisationKind.COMMUNE, "21390000400010", "39"),
    ("Département de la Nièvre (démo)", OrganisationKind.DEPARTEMENT, "22580000200019", "58"),
    ("Centre hospitalier de Chalon (démo)", OrganisationKind.HOPITAL, "26710000600019", "71"),
    ("Lycée Les Arcades, Dijon (démo)", OrganisationKind.EPLE, "19210000600019", "21"),
    ("Communauté de communes du Haut-Jura (démo)", OrganisationKind.EPCI, "24390000800018", "39"),
    ("Syndicat des eaux de l'Yonne (démo)", OrganisationKind.SYNDICAT, "25890000000013", "89"),
]

# email, name, role, organisation index, job title, themes
ACCOUNTS = [
    ("admin@achats.example", "Aurélie Admin", Role.ADMIN, 0, "Administratrice de la plateforme", []),
    ("moderatrice@achats.example", "Sophie Morel", Role.MODERATOR, 0, "Animatrice de communauté",
     ["pilotage-spaser"]),
    ("experte@achats.example", "Élise Fournier", Role.EXPERT, 0, "Conseillère du guichet vert",
     ["alimentation-egalim", "economie-circulaire", "dechets"]),
    ("expert@achats.example", "Karim Benali", Role.EXPERT, 0, "Conseiller du guichet vert",
     ["energie-batiment", "construction-bas-carbone", "numerique-responsable", "clauses-sociales"]),
    ("acheteuse@achats.example", "Nathalie Girard", Role.MEMBER, 1, "Responsable de la commande publique",
     ["produits-entretien", "cout-global"]),
    ("secretaire@achats.example", "Marc Lambert", Role.MEMBER, 2, "Secrétaire de mairie", []),
    ("acheteur@achats.example", "Julien Perrin", Role.MEMBER, 3, "Acheteur", ["mobilite", "numerique-responsable"]),
    ("hopital@achats.example", "Claire Dumont", Role.MEMBER, 4, "Cheffe du service achats",
     ["alimentation-egalim", "textile-epi"]),
    ("lycee@achats.example", "Thomas Roche", Role.MEMBER, 5, "Gestionnaire", ["alimentation-egalim"]),
    ("cc-jura@achats.example", "Valérie Martin", Role.MEMBER, 6, "Directrice générale des services",
     ["tpe-pme-sourcage"]),
]
PENDING = [("nouveau@achats.example", "Paul Nouveau", 7, "Technicien")]

DEMO_PASSWORDS = {
    Role.ADMIN: "demo-admin-Achats-2026",
    Role.MODERATOR: "demo-moderation-Achats-2026",
    Role.EXPERT: "demo-expert-Achats-2026",
    Role.MEMBER: "demo-membre-Achats-2026",
}


def seed() -> Iterator[str]:
    session = db.session
    orgs: list[Organisation] = []
    for name, kind, siret, dep in ORGANISATIONS:
        org = session.scalar(select(Organisation).where(Organisation.siret == siret))
        if org is None:
            org = Organisation(name=name, kind=kind, siret=siret, departement=dep, verified=True)
            session.add(org)
        orgs.append(org)
    session.flush()
    hashes = {role: hash_password(pw) for role, pw in DEMO_PASSWORDS.items()}
    created = 0
    now = utcnow()
    for email, name, role, org_index, job, themes in ACCOUNTS:
        if session.scalar(select(User).where(User.email == email)) is not None:
            continue
        user = User(email=email, name=name, handle=make_handle(session, name), role=role,
                    status=AccountStatus.ACTIVE, organisation=orgs[org_index],
                    job_title=job, password_hash=hashes[role], email_confirmed_at=now, approved_at=now)
        user.theme_rows = [UserTheme(theme=t) for t in themes]
        session.add(user)
        session.flush()
        created += 1
    for email, name, org_index, job in PENDING:
        if session.scalar(select(User).where(User.email == email)) is None:
            session.add(User(email=email, name=name, handle=make_handle(session, name), role=Role.MEMBER,
                             status=AccountStatus.PENDING,
                             organisation=orgs[org_index], job_title=job, password_hash=hashes[Role.MEMBER],
                             email_confirmed_at=now))
            created += 1
    session.commit()
    yield f"Comptes de démonstration : {created} créé(s), {len(ACCOUNTS) + len(PENDING) - created} déjà présent(s)."
    yield "Mots de passe de démonstration (à ne jamais utiliser en production) :"
    for email, _name, role, *_ in ACCOUNTS[:4] + ACCOUNTS[4:5]:
        yield f"  {email:32} {role.value:10} {DEMO_PASSWORDS[role]}"
    yield f"  (autres membres : {DEMO_PASSWORDS[Role.MEMBER]})"


def present() -> bool:
    """Any account at all: `seed-demo --if-empty` leaves a used database alone."""
    return (db.session.scalar(select(func.count(User.id))) or 0) > 0
