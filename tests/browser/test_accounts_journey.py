"""The account journey in real Chromium: register, confirm through the mail, sign in while pending,
see the bell rise live when a moderator approves in another browser, edit the profile, sign out."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

from tests.conftest import link_in

pytestmark = pytest.mark.browser

PASSWORD = "cheval agrafe batterie correcte"


def luhn_complete(digits: str) -> str:
    """`digits` followed by the check digit that makes the whole number pass Luhn."""
    for last in "0123456789":
        candidate = digits + last
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def new_siret() -> str:
    siren = luhn_complete("2" + "".join(secrets.choice("0123456789") for _ in range(7)))
    return luhn_complete(siren + "".join(secrets.choice("0123456789") for _ in range(4)))


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_register_confirm_approve_live_bell_edit_profile_logout(live_server, new_page):
    suffix = secrets.token_hex(3)
    name = f"Camille Parcours {suffix}"
    email = f"camille.{suffix}@mairie-parcours.fr"

    # 1. Register through the form.
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="Créer un compte").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    page.get_by_label("Prénom et nom").fill(name)
    page.get_by_label("Adresse e-mail professionnelle").fill(email)
    page.get_by_label("Fonction").fill("Secrétaire de mairie")
    page.get_by_label("Nom de votre organisme").fill(f"Commune de Parcours {suffix}")
    page.get_by_label("Type d'organisme").select_option("commune")
    page.get_by_label("SIRET de votre organisme").fill(new_siret())
    page.get_by_label("Département").select_option("39")
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_label(re.compile("J'accepte la charte")).check()
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    expect(page.locator("main")).to_contain_text(email)

    # 2. Confirm through the link of the real mail.
    link = link_in(live_server.mailbox.last(email), "/compte/confirmer/")
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.locator(".flashes")).to_contain_text("Adresse confirmée")

    # 3. Sign in: pending, the account reads but waits for a moderator; the bell is at 0.
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#compte-en-attente")).to_be_visible()
    bell = page.locator("#bell-count")
    expect(bell).to_have_text("0")
    page.wait_for_function("() => window.Achats && window.Achats.socket && window.Achats.socket.connected")

    # 4. A moderator approves the account in another browser context.
    moderator = new_page("moderator")
    moderator.goto("/moderation/comptes")
    card = moderator.locator("li.card", has_text=name)
    expect(card).to_be_visible()
    card.get_by_role("button", name=f"Valider le compte de {name}").click()
    expect(moderator.locator(".flashes")).to_contain_text(f"Compte de {name} validé")

    # 5. The bell rises without a reload, and the live toast names the event.
    expect(bell).to_have_text("1")
    expect(page.locator("#bell-link")).to_have_attribute("aria-label", "Notifications, 1 non lue")
    expect(page.locator("#toasts")).to_contain_text("Votre compte a été validé")
    assert "validé" in live_server.mailbox.last(email)["Subject"]

    # 6. Edit the profile.
    page.goto("/")  # the pending banner is gone after approval
    expect(page.locator("#compte-en-attente")).to_have_count(0)
    page.locator("summary", has_text=name).click()
    page.get_by_role("link", name="Mon profil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("link", name="Modifier mon profil").click()
    page.get_by_label("Présentation courte").fill("Je passe les marchés de restauration scolaire de la commune.")
    page.get_by_label("Alimentation", exact=False).first.check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".flashes")).to_contain_text("Profil enregistré")
    expect(page.locator("main")).to_contain_text("restauration scolaire")

    # 7. Sign out.
    page.locator("summary", has_text=name).click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator(".flashes")).to_contain_text("Vous êtes déconnecté")
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    assert page.js_errors == [] and moderator.js_errors == []


def test_wrong_password_shows_an_error_tied_to_the_form(new_page):
    page = new_page()
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill("personne@nulle-part.fr")
    page.get_by_label(re.compile(r"^Mot de passe")).fill("mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Adresse e-mail ou mot de passe incorrect")


def test_registration_errors_keep_the_input_and_point_to_the_fields(new_page):
    page = new_page()
    page.goto("/compte/inscription")
    page.get_by_label("Prénom et nom").fill("Marc Lambert")
    page.get_by_label("SIRET de votre organisme").fill("123")
    page.get_by_label(re.compile(r"^Mot de passe")).fill("court")
    page.get_by_role("button", name="Créer mon compte").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(page.get_by_label("Prénom et nom")).to_have_value("Marc Lambert")
    siret = page.get_by_label("SIRET de votre organisme")
    expect(siret).to_have_attribute("aria-invalid", "true")
    described = siret.get_attribute("aria-describedby") or ""
    assert "siret-error" in described.split()
    expect(page.locator("#siret-error")).to_contain_text("14 chiffres")
    # The summary links lead to the fields.
    summary.get_by_role("link", name=re.compile("SIRET")).click()
    expect(siret).to_be_focused()
