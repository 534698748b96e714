"""Registration, e-mail confirmation through a real SMTP server, approval and sign-in."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, link_in

VALID_SIRET = "21390000400010"


def registration_form(csrf: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "csrf_token": csrf,
        "name": "Marc Lambert",
        "email": "marc.lambert@mairie-test.fr",
        "job_title": "Secrétaire de mairie",
        "organisation_name": "Commune de Test",
        "organisation_kind": "commune",
        "siret": "213 900 004 00010",
        "departement": "39",
        "password": DEFAULT_PASSWORD,
        "accept": "y",
    }
    data.update(overrides)
    return data


def test_registration_confirmation_approval_and_login(client, csrf, mailbox, db, make_user, login):
    from achats.auth.models import AccountStatus, User
    from achats.platform.notifications.models import Notification

    response = client.post("/compte/inscription", data=registration_form(csrf()))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/compte/inscription/envoyee")

    user = db.session.scalar(select(User).where(User.email == "marc.lambert@mairie-test.fr"))
    assert user.status == AccountStatus.UNCONFIRMED
    assert user.password_hash.startswith("scrypt:")
    assert user.organisation.siret == VALID_SIRET

    # Unconfirmed: cannot sign in yet.
    page = client.post("/compte/connexion", data={"csrf_token": csrf(), "email": user.email, "password": DEFAULT_PASSWORD})
    assert "Confirmez d&#39;abord" in page.get_data(as_text=True)

    mail = mailbox.last("marc.lambert@mairie-test.fr")
    url = link_in(mail, "/compte/confirmer/")
    path = url.replace("http://localhost", "")
    assert client.get(path).status_code == 200
    assert client.post(path, data={"csrf_token": csrf()}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).status == AccountStatus.PENDING
    # Single use.
    client.post(path, data={"csrf_token": csrf()})
    follow = client.get("/compte/connexion").get_data(as_text=True)
    assert "plus valable" in follow

    # Pending accounts can sign in (and read).
    response = client.post("/compte/connexion", data={"csrf_token": csrf(), "email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert "en attente de validation" in client.get("/").get_data(as_text=True)

    moderator = make_user(role="moderator")
    mod_client = client.application.test_client()
    login(moderator, mod_client)
    queue = mod_client.get("/moderation/comptes").get_data(as_text=True)
    assert "Marc Lambert" in queue
    token = re.search(r'name="csrf_token" value="([^"]+)"', queue).group(1)
    response = mod_client.post(f"/moderation/comptes/{user.id}/approuver", data={"csrf_token": token, "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).status == AccountStatus.ACTIVE
    notes = db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)).all()
    assert [n.kind for n in notes] == ["account_approved"]
    assert "validé" in mailbox.last("marc.lambert@mairie-test.fr")["Subject"]


def test_invalid_siret_is_refused_and_input_kept(client, csrf):
    response = client.post("/compte/inscription", data=registration_form(csrf(), siret="21390000400011"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "SIRET" in html and "pas valide" in html
    assert 'value="Marc Lambert"' in html  # nothing lost


def test_la_poste_siret_rule(client):
    from achats.platform.taxonomy import siret_error

    assert siret_error("35600000000010") is None  # digit sum 15, a multiple of 5
    assert siret_error("35600000000011") is not None


def test_short_and_common_passwords_are_refused(client, csrf):
    for password in ("court1!", "motdepasse123", "Password1234!", "azertyuiop123"):
        response = client.post("/compte/inscription", data=registration_form(csrf(), password=password))
        assert response.status_code == 400, password
    html = client.post("/compte/inscription", data=registration_form(csrf(), password="court")).get_data(as_text=True)
    assert "au moins 12 caractères" in html


def test_long_passphrase_is_accepted(client, csrf, mailbox):
    phrase = "le marché public de la cantine bio de Saint-Aubin " * 3
    response = client.post("/compte/inscription", data=registration_form(csrf(), password=phrase.strip()))
    assert response.status_code == 302


def test_registration_does_not_reveal_known_addresses(client, csrf, make_user, mailbox):
    make_user(email="connu@mairie-test.fr")
    known = client.post("/compte/inscription", data=registration_form(csrf(), email="connu@mairie-test.fr"))
    unknown = client.post("/compte/inscription", data=registration_form(csrf(), email="inconnu@mairie-test.fr"))
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert "déjà un compte" in mailbox.last("connu@mairie-test.fr")["Subject"]


def test_approval_can_be_switched_off(app_factory, mailbox):
    from achats.auth.models import AccountStatus, User
    from achats.platform.extensions import db

    app = app_factory(ACHATS_REQUIRE_APPROVAL=False)
    with app.app_context():
        client = app.test_client()
        from tests.conftest import csrf_token_from

        client.post("/compte/inscription", data=registration_form(csrf_token_from(client)))
        url = link_in(mailbox.last("marc.lambert@mairie-test.fr"), "/compte/confirmer/")
        client.post(url.replace("http://localhost", ""), data={"csrf_token": csrf_token_from(client)})
        user = db.session.scalar(select(User).where(User.email == "marc.lambert@mairie-test.fr"))
        assert user.status == AccountStatus.ACTIVE
