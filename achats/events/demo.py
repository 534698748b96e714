"""`achats seed-demo` for events: the coming year's four webinars (11 h – 12 h) and the October
Assises with their plenary, two rounds of four workshops, the clinique du DCE and lunch; last
year's events with their replays, slides (library documents) and attendance. Idempotent."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from achats.auth.models import User
from achats.events import services
from achats.events.models import Event, Registration
from achats.events.services.attestations import _latin1
from achats.events.vocabulary import EventKind, RegistrationStatus
from achats.platform.dates import PARIS
from achats.platform.db import utcnow
from achats.platform.extensions import db
from achats.platform.features import registry

ORGANISER = "moderatrice@achats.example"
EXPERTS = ("experte@achats.example", "expert@achats.example")
BUYERS = ("acheteuse@achats.example", "secretaire@achats.example", "acheteur@achats.example",
          "hopital@achats.example", "lycee@achats.example", "cc-jura@achats.example")

WEBINARS = [
    (4, 13, "La considération environnementale dans chaque marché depuis août 2026 : comment faire",
     "Depuis le 21 août 2026, chaque marché comporte un critère d'attribution et une condition d'exécution "
     "environnementaux. Méthode, exemples de clauses par famille d'achat et questions des participants."),
    (6, 15, "Restauration scolaire et collective : tenir EGalim en travaillant avec les producteurs locaux",
     "Compter les produits durables et de qualité, allotir pour ouvrir les marchés aux producteurs du territoire, "
     "rédiger un CCTP qui tient la route : retours de cuisines centrales et de petites cantines."),
    (9, 14, "Numérique responsable et réemploi : acheter reconditionné, exiger la réparabilité",
     "Postes reconditionnés par une centrale d'achat ou en direct, indice de réparabilité, durée de garantie, "
     "part AGEC : ce que l'on peut demander et comment le vérifier."),
    (12, 7, "Clauses sociales et marchés réservés avec les facilitateurs de la région",
     "Insertion par l'activité économique, marchés réservés aux structures du handicap et de l'ESS : "
     "les facilitateurs présentent leur accompagnement, de la rédaction au suivi des heures."),
]

WORKSHOPS = [
    ["Alimentation et EGalim", "Bâtiment bas carbone et réemploi", "Numérique responsable",
     "Insertion et marchés réservés"],
    ["Biodiversité et espaces verts", "Flottes et logistique bas carbone", "Sourcing et dialogue avec les entreprises",
     "Mesurer : indicateurs, SPASER, coût du cycle de vie"],
]
WORKSHOP_CAPACITY = [30, 25, 30, 25]

QUESTIONS = [
    "Quelle pondération minimale pour le critère environnemental d'un MAPA de fournitures ?",
    "Un marché de moins de 60 000 € HT sans publicité peut-il encore être attribué sur le seul prix ?",
    "Comment écrire un CCTP de nettoyage avec des produits écolabellisés ?",
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def present() -> bool:
    return db.session.scalar(select(Event.id).limit(1)) is not None


def _exists(title: str, starts: datetime) -> bool:
    return db.session.scalar(select(Event.id).where(Event.title == title, Event.starts_at == starts)) is not None


def _webinar(organiser: User, year: int, spec: tuple[int, int, str, str], *, past: bool) -> Event | None:
    month, day, title, description = spec
    starts = _at(date(year, month, day), 11)
    if _exists(title, starts):
        return None
    event = services.create_event(db.session, organiser, services.EventInput(
        kind="webinar", title=title, description=description, starts_at=starts, ends_at=_at(date(year, month, day), 12),
        online=True, join_url=f"https://visio.achats.example/webinaire-{year}-{month:02d}", capacity=300,
        status="published", cancellation_deadline=starts - timedelta(hours=2)))
    if past:
        event.registration_opens_at = starts - timedelta(days=45)
    return event


def _assises(organiser: User, year: int) -> Event | None:
    day = date(year, 10, 7)
    title = f"Assises de la commande publique responsable {year}"
    starts = _at(day, 9)
    if _exists(title, starts):
        return None
    event = services.create_event(db.session, organiser, services.EventInput(
        kind="assises", title=title, location="Dijon, Palais des congrès", online=False, capacity=120,
        starts_at=starts, ends_at=_at(day, 17), status="published", cancellation_deadline=starts - timedelta(days=3),
        description="Une journée pour les acheteurs publics de la région : plénière et table ronde le matin, deux "
                    "tours de quatre ateliers l'après-midi, la **clinique du DCE** avec le guichet vert, et le déjeuner."))
    plan = [("plenary", "Accueil et plénière : un an de clauses environnementales", None, (9, 0), (10, 15), None),
            ("plenary", "Table ronde : acheteurs, entreprises et facilitateurs", None, (10, 30), (12, 0), None),
            ("plenary", "Déjeuner", None, (12, 0), (13, 30), None)]
    for kind, name, slot, (h1, m1), (h2, m2), cap in plan:
        services.add_session(db.session, organiser, event, services.SessionInput(
            title=name, kind=kind, slot=slot, starts_at=_at(day, h1, m1), ends_at=_at(day, h2, m2), capacity=cap))
    for round_index, names in enumerate(WORKSHOPS):
        begin = _at(day, 13, 30) if round_index == 0 else _at(day, 15, 15)
        for name, cap in zip(names, WORKSHOP_CAPACITY, strict=True):
            services.add_session(db.session, organiser, event, services.SessionInput(
                title=name, kind="workshop", slot=f"Ateliers, tour {round_index + 1}", starts_at=begin,
                ends_at=begin + timedelta(minutes=90), capacity=cap))
    experts = [u for u in (_user(e) for e in EXPERTS) if u is not None]
    # During lunch (free for everyone), then beside the first round of workshops.
    starts = [_at(day, 12) + timedelta(minutes=20 * n) for n in range(4)]
    starts += [_at(day, 13, 30) + timedelta(minutes=20 * n) for n in range(5)]
    for n, slot_start in enumerate(starts):
        services.add_session(db.session, organiser, event, services.SessionInput(
            title="Clinique du DCE", kind="appointment", starts_at=slot_start,
            ends_at=slot_start + timedelta(minutes=20), capacity=1, room="Salle Bourgogne",
            expert_id=experts[n % len(experts)].id if experts else None))
    return event


def _slides(organiser: User, event: Event) -> int | None:
    """The slides as a library document, published by the organiser (a moderator)."""
    from fpdf import FPDF

    attachments = registry().attachments
    if attachments is None:
        return None
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _latin1(event.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, _latin1(event.description), new_x="LMARGIN", new_y="NEXT")
    upload = SimpleNamespace(stream=io.BytesIO(bytes(pdf.output())), filename=f"support-evenement-{event.id}.pdf")
    document_id = attachments.accept(db.session, organiser, upload, {
        "title": f"Support : {event.title}"[:200], "doc_type": "support_webinaire",
        "description": f"Les diapositives de « {event.title} ».", "confirm_redaction": True})
    target = registry().moderation_targets.get("document")
    if target is not None:
        target.act(db.session, organiser, SimpleNamespace(action="publish", target_id=document_id, reason=None))
    return int(document_id)


def _past_attendance(event: Event, people: list[User]) -> None:
    """Registrations written as they were at the time (the window has closed since)."""
    for n, user in enumerate(people):
        registration = Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED,
                                    answers={}, created_at=event.starts_at - timedelta(days=10 + n),
                                    confirmed_at=event.starts_at - timedelta(days=10 + n))
        if n % 3 != 2:
            registration.checked_in_at = event.starts_at + timedelta(minutes=n)
        db.session.add(registration)
        event.seats_taken += 1


def seed() -> Iterator[str]:
    organiser = _user(ORGANISER)
    if organiser is None:
        yield "  événements : pas de compte organisateur (lancez d'abord le reste de la démo)"
        return
    now = utcnow()
    year = now.astimezone(PARIS).year
    people = [u for u in (_user(e) for e in BUYERS) if u is not None]
    created = 0
    for spec in WEBINARS:
        event = _webinar(organiser, year + 1, spec, past=False)
        created += event is not None
    assises = _assises(organiser, year + 1)
    if assises is not None:
        created += 1
        db.session.flush()
        nathalie = _user(BUYERS[0])
        if nathalie is not None:
            round1 = [s for s in assises.sessions if s.slot == "Ateliers, tour 1"]
            services.register(db.session, assises, nathalie, [round1[0].id],
                              {"dietary": "Végétarien"}, actor=organiser)
    for spec in WEBINARS[:3]:
        month, day, *_ = spec
        if _at(date(year, month, day), 12) >= now:
            continue
        event = _webinar(organiser, year, spec, past=True)
        if event is None:
            continue
        created += 1
        db.session.flush()
        event.replay_url = f"https://video.achats.example/replay-{year}-{month:02d}"
        event.slides_document_id = _slides(organiser, event)
        event.materials_at = event.ends_at + timedelta(days=2)
        _past_attendance(event, people)
    past_assises = _assises(organiser, year) if date(year, 10, 7) < now.date() else None
    if past_assises is not None:
        created += 1
        db.session.flush()
        past_assises.replay_url = f"https://video.achats.example/assises-{year}"
        _past_attendance(past_assises, people)
    db.session.commit()
    yield f"  événements : {created} créé(s) (webinaires {year + 1}, Assises d'octobre, éditions {year} avec replays)"


__all__ = ["seed", "present", "EventKind", "QUESTIONS"]
