"""Events in a real browser: a buyer registers for the Assises with two workshops in different
slots and a clinique slot, and gets the mail with the .ics; a full webinar waitlists the next
buyer, whom a cancellation promotes live on the page; an organiser checks a participant in and
a second organiser's screen shows the count change; the organiser exports the list. Then axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser


def report(violations: list[dict]) -> str:
    return "\n".join(f"- {v['impact']} {v['id']}: {v['help']} -> {v['nodes']}" for v in violations)


def _assises_id(live_server) -> int:
    from sqlalchemy import select

    from achats.events.models import Event
    from achats.platform.extensions import db

    with live_server.app.app_context():
        return max(db.session.scalars(select(Event).where(Event.kind == "assises")), key=lambda e: e.starts_at).id


def _full_webinar(live_server) -> int:
    """A one-seat webinar, as Sophie would create it."""
    from sqlalchemy import select

    from achats.auth.models import User
    from achats.events import services
    from achats.platform.db import utcnow
    from achats.platform.extensions import db

    with live_server.app.app_context():
        sophie = db.session.scalar(select(User).where(User.email == "moderatrice@achats.example"))
        starts = (utcnow() + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
        event = services.create_event(db.session, sophie, services.EventInput(
            kind="webinar", title="Webinaire complet : achats de mobilier réemployé", starts_at=starts,
            ends_at=starts + timedelta(hours=1), online=True, join_url="https://visio.achats.example/mobilier",
            capacity=1, status="published"))
        db.session.commit()
        return event.id


def test_register_for_the_assises_with_workshops_and_a_clinique_slot(new_page, live_server):
    event_id = _assises_id(live_server)
    julien = new_page("acheteur@achats.example")
    julien.get_by_role("navigation").get_by_role("link", name="Événements").first.click()
    julien.get_by_role("link", name=re.compile("Assises de la commande publique")).first.click()
    julien.get_by_role("link", name="S'inscrire").click()
    julien.get_by_label(re.compile("^Numérique responsable")).check()
    julien.get_by_label(re.compile("^Mesurer : indicateurs")).check()
    julien.get_by_label("Heure du rendez-vous").select_option(index=1)
    julien.get_by_label("Votre question en une phrase").fill(
        "Comment calculer la part AGEC art. 58 pour du mobilier de bureau ?")
    julien.get_by_label(re.compile("Régime alimentaire")).fill("Végétarien")
    julien.get_by_role("button", name="Confirmer mon inscription").click()
    julien.wait_for_url(re.compile(rf"/evenements/{event_id}/confirmation$"))
    assert "Votre inscription est confirmée" in julien.content()
    assert julien.get_by_role("link", name="Ajouter à mon agenda").get_attribute("href") == f"/events/{event_id}.ics"
    mail = live_server.mailbox.last("acheteur@achats.example")
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert parts and b"BEGIN:VTIMEZONE" in parts[0].get_payload(decode=True)
    text = julien.content()
    assert "Numérique responsable" in text and "Mesurer" in text and "Clinique du DCE" in text


def test_full_webinar_waitlists_then_a_cancellation_promotes_live(new_page, live_server):
    event_id = _full_webinar(live_server)
    claire = new_page("hopital@achats.example")
    claire.goto(f"/evenements/{event_id}")
    claire.get_by_role("link", name="S'inscrire").click()
    claire.get_by_role("button", name="Confirmer mon inscription").click()
    claire.wait_for_url(re.compile("/confirmation$"))

    thomas = new_page("lycee@achats.example")
    thomas.goto(f"/evenements/{event_id}")
    thomas.get_by_role("link", name="M'inscrire sur la liste d'attente").click()
    thomas.get_by_role("button", name="M'inscrire sur la liste d'attente").click()
    thomas.wait_for_url(re.compile("/confirmation$"))
    assert "Liste d'attente, position 1" in thomas.locator("#statut-inscription").inner_text()
    assert "visio.achats.example/mobilier" not in thomas.content()
    thomas.goto(f"/evenements/{event_id}")
    thomas.wait_for_function("() => window.Achats && Achats.socket && Achats.socket.connected")

    claire.goto(f"/evenements/{event_id}")
    claire.get_by_role("button", name="Annuler mon inscription").click()
    assert "Votre inscription est annulée" in claire.locator(".flashes").inner_text()
    thomas.locator("#statut-inscription").get_by_text("Inscription confirmée").wait_for(timeout=10_000)
    thomas.reload()
    assert thomas.get_by_role("link", name="Rejoindre le webinaire").get_attribute("href").endswith("/mobilier")


def test_check_in_count_reaches_the_second_organiser_and_the_list_exports(new_page, live_server, tmp_path):
    event_id = _assises_id(live_server)
    sophie = new_page("moderator")
    aurelie = new_page("admin")
    aurelie.goto(f"/evenements/{event_id}/pointage")
    aurelie.wait_for_function("() => document.getElementById('pointage').dataset.live === 'joined'")
    before = int(aurelie.locator("#presents").inner_text())
    sophie.goto(f"/evenements/{event_id}/pointage")
    sophie.get_by_label("Chercher un nom ou un organisme").fill("Nathalie")
    sophie.get_by_role("button", name="Chercher").click()
    sophie.get_by_role("button", name=re.compile("Présent\\(e\\) : Nathalie")).click()
    assert sophie.locator("#presents").inner_text() == str(before + 1)
    aurelie.wait_for_function(f"() => document.getElementById('presents').textContent === '{before + 1}'")

    sophie.goto(f"/evenements/{event_id}/inscrits")
    with sophie.expect_download() as info:
        sophie.get_by_role("link", name="Exporter en CSV").click()
    saved = tmp_path / "inscrits.csv"
    info.value.save_as(saved)
    assert "Nathalie Girard" in saved.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("who, path", [
    (None, "/evenements/"), ("member", "/evenements/{id}"), ("member", "/evenements/{id}/inscription"),
    ("member", "/evenements/mes-inscriptions"), ("moderator", "/evenements/{id}/inscrits"),
    ("moderator", "/evenements/{id}/pointage"), ("moderator", "/evenements/{id}/modifier"),
    ("moderator", "/evenements/nouveau"), ("moderator", "/evenements/{id}/clinique"),
])
def test_event_pages_have_no_serious_violation(new_page, axe, live_server, who, path):
    page = new_page(who) if who else new_page()
    page.goto(path.format(id=_assises_id(live_server)))
    violations = axe(page)
    assert not violations, f"{path}:\n{report(violations)}"
    assert page.js_errors == []
