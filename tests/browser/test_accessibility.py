"""axe-core on the key account pages: no serious or critical violation (RGAA 4.1.2 baseline)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ANONYMOUS_PAGES = [
    ("accueil", "/"),
    ("connexion", "/compte/connexion"),
    ("inscription", "/compte/inscription"),
    ("mot de passe oublié", "/compte/mot-de-passe-oublie"),
]


def report(violations: list[dict]) -> str:
    return "\n".join(f"- {v['impact']} {v['id']}: {v['help']} -> {v['nodes']}" for v in violations)


@pytest.mark.parametrize("name, path", ANONYMOUS_PAGES, ids=[n for n, _ in ANONYMOUS_PAGES])
def test_public_pages_have_no_serious_violation(new_page, axe, name, path):
    page = new_page()
    page.goto(path)
    violations = axe(page)
    assert not violations, f"{name} ({path}):\n{report(violations)}"
    assert page.js_errors == []


def test_registration_page_with_errors_has_no_serious_violation(new_page, axe):
    page = new_page()
    page.goto("/compte/inscription")
    page.get_by_role("button", name="Créer mon compte").click()
    page.locator("[data-error-summary]").wait_for()
    violations = axe(page)
    assert not violations, report(violations)


@pytest.mark.parametrize("path", ["/", "/compte/profil", "/compte/parametres", "/membres/", "/notifications/"])
def test_signed_in_pages_have_no_serious_violation(new_page, axe, live_server, path):
    page = new_page("member")
    page.goto(path)
    violations = axe(page)
    assert not violations, f"{path}:\n{report(violations)}"


def test_own_profile_page_has_no_serious_violation(new_page, axe):
    page = new_page("expert")
    page.locator("summary").filter(has_text="menu du compte").click()
    page.get_by_role("link", name="Mon profil").click()
    page.get_by_role("heading", level=1).wait_for()
    violations = axe(page)
    assert not violations, report(violations)


def test_moderation_queue_has_no_serious_violation(new_page, axe):
    page = new_page("moderator")
    page.goto("/moderation/comptes")
    violations = axe(page)
    assert not violations, report(violations)


def test_pages_reflow_on_a_phone_without_horizontal_scrolling(new_page):
    page = new_page(viewport={"width": 320, "height": 640})
    for path in ("/", "/compte/connexion", "/compte/inscription"):
        page.goto(path)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at 320px"


def test_skip_link_moves_focus_to_the_content(new_page):
    page = new_page()
    page.goto("/compte/connexion")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    from playwright.sync_api import expect

    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"


def test_the_axe_check_itself_catches_a_planted_violation(new_page, axe):
    """Guards the helper: a script blocked by the CSP would make every check above pass vacuously."""
    page = new_page()
    page.goto("/compte/connexion")
    page.evaluate("() => document.querySelector('main').appendChild(document.createElement('button'))")
    assert [v["id"] for v in axe(page)] == ["button-name"]
