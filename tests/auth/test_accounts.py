"""Accounts after registration: sign-in, reset, profile, directory, roles, tokens, personal data, CLI."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, csrf_token_from, link_in

NEW_PASSWORD = "une toute nouvelle phrase de passe solide"


def sign_in(client, email, password=DEFAULT_PASSWORD, remember=False, follow=False):
    data = {"csrf_token": csrf_token_from(client), "email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/compte/connexion", data=data, follow_redirects=follow)


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


# --- sign-in, sign-out, remember-me -----------------------------------------------------------


def test_login_then_logout(client, make_user):
    user = make_user(name="Julien Perrin")
    response = sign_in(client, user.email, follow=True)
    html = response.get_data(as_text=True)
    assert "Bienvenue, Julien Perrin" in html
    assert client.get("/api/v1/me").json["id"] == user.id
    response = client.post("/compte/deconnexion", data={"csrf_token": csrf_token_from(client)}, follow_redirects=True)
    assert "Vous êtes déconnecté" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_login_is_case_insensitive_on_the_address(client, make_user):
    user = make_user(email="claire.dumont@ch-chalon.fr")
    assert sign_in(client, "  Claire.Dumont@CH-Chalon.fr ").status_code == 302
    assert client.get("/api/v1/me").json["id"] == user.id


@pytest.mark.parametrize("status, message", [
    ("suspended", "suspendu"), ("rejected", "Adresse e-mail ou mot de passe incorrect"),
    ("deleted", "Adresse e-mail ou mot de passe incorrect"), ("unconfirmed", "Confirmez d&#39;abord"),
])
def test_inactive_accounts_cannot_sign_in(client, make_user, status, message):
    user = make_user(status=status)
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_remember_me_cookie_outlives_the_session(app, client, make_user):
    user = make_user()
    sign_in(client, user.email, remember=True)
    remember = client.get_cookie("achats_remember")
    assert remember is not None and remember.http_only
    fresh = app.test_client()
    fresh.set_cookie("achats_remember", remember.value, domain="localhost")
    assert fresh.get("/api/v1/me").json["id"] == user.id


def test_without_remember_me_no_long_lived_cookie(client, make_user):
    sign_in(client, make_user().email)
    assert client.get_cookie("achats_remember") is None
    session_cookie = client.get_cookie("achats_session")
    assert session_cookie.http_only and session_cookie.same_site == "Lax"


def test_expired_suspension_is_lifted_at_login(client, make_user, db):
    from achats.auth.models import AccountStatus
    from achats.platform.db import utcnow

    user = make_user(status="suspended")
    user.suspended_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert sign_in(client, user.email).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(user), user.id).status == AccountStatus.ACTIVE


# --- password reset through the mailbox -------------------------------------------------------


def request_reset(client, mailbox, email):
    response = client.post("/compte/mot-de-passe-oublie", data={"csrf_token": csrf_token_from(client), "email": email})
    assert response.status_code == 302
    mail = mailbox.last(email)
    assert "Réinitialisation" in mail["Subject"]
    return link_in(mail, "/compte/reinitialiser/").replace("http://localhost", "")


def test_password_reset_link_works_once(client, mailbox, make_user, app):
    user = make_user()
    path = request_reset(client, mailbox, user.email)
    page = client.get(path)
    assert page.status_code == 200 and "nouveau mot de passe" in page.get_data(as_text=True).lower()
    response = client.post(path, data={"csrf_token": csrf_token_from(client), "password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/compte/connexion")
    assert "modifié" in mailbox.last(user.email)["Subject"]

    other = app.test_client()
    assert sign_in(other, user.email, DEFAULT_PASSWORD).status_code == 200  # old one refused
    assert sign_in(other, user.email, NEW_PASSWORD).status_code == 302

    # Used once: both showing and posting the link again are refused.
    again = client.get(path, follow_redirects=True)
    assert "plus valable" in again.get_data(as_text=True)
    reuse = client.post(path, data={"csrf_token": csrf_token_from(client), "password": "encore une autre phrase secrete"})
    assert reuse.status_code == 302 and reuse.headers["Location"].endswith("/compte/mot-de-passe-oublie")
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_expired_reset_link_is_refused(client, mailbox, make_user, db):
    from achats.auth.models import EmailToken
    from achats.platform.db import utcnow

    user = make_user()
    path = request_reset(client, mailbox, user.email)
    for token in db.session.scalars(select(EmailToken)):
        token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 302
    response = client.post(path, data={"csrf_token": csrf_token_from(client), "password": NEW_PASSWORD})
    assert response.headers["Location"].endswith("/compte/mot-de-passe-oublie")
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 200


def test_a_refused_new_password_does_not_spend_the_link(client, mailbox, make_user):
    user = make_user()
    path = request_reset(client, mailbox, user.email)
    weak = client.post(path, data={"csrf_token": csrf_token_from(client), "password": "azerty"})
    assert weak.status_code == 200 and "au moins 12" in weak.get_data(as_text=True)
    assert client.post(path, data={"csrf_token": csrf_token_from(client), "password": NEW_PASSWORD}).status_code == 302


def test_a_new_reset_link_kills_the_previous_one_once_used(client, mailbox, make_user):
    user = make_user()
    first = request_reset(client, mailbox, user.email)
    second = request_reset(client, mailbox, user.email)
    assert first != second
    assert client.post(second, data={"csrf_token": csrf_token_from(client), "password": NEW_PASSWORD}).status_code == 302
    response = client.post(first, data={"csrf_token": csrf_token_from(client), "password": "yet another long passphrase here"})
    assert response.headers["Location"].endswith("/compte/mot-de-passe-oublie")


def test_reset_ends_existing_sessions(client, mailbox, make_user, app, login):
    user = make_user()
    elsewhere = login(user, app.test_client())
    assert elsewhere.get("/api/v1/me").status_code == 200
    path = request_reset(client, mailbox, user.email)
    client.post(path, data={"csrf_token": csrf_token_from(client), "password": NEW_PASSWORD})
    assert elsewhere.get("/api/v1/me").status_code == 401


def test_reset_for_an_unknown_address_sends_nothing(client, mailbox):
    client.post("/compte/mot-de-passe-oublie", data={"csrf_token": csrf_token_from(client), "email": "personne@x.fr"})
    assert mailbox.to("personne@x.fr") == []


# --- profile, directory, organisation --------------------------------------------------------


def test_profile_edit(client, login, make_user, csrf):
    user = make_user(name="Thomas Roche")
    login(user)
    page = client.get("/compte/profil").get_data(as_text=True)
    assert 'value="Thomas Roche"' in page
    response = client.post("/compte/profil", data={
        "csrf_token": csrf(), "name": "Thomas Roche-Martin", "job_title": "Gestionnaire", "bio": "Cantine <b>bio</b>",
        "themes": ["alimentation-egalim", "dechets"]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/membres/{user.id}")
    html = client.get(f"/membres/{user.id}").get_data(as_text=True)
    assert "Thomas Roche-Martin" in html and "Gestionnaire" in html
    assert "Cantine &lt;b&gt;bio&lt;/b&gt;" in html  # shown as text
    assert client.get("/api/v1/me").json["themes"] == ["alimentation-egalim", "dechets"]


def test_profile_edit_refuses_unknown_themes_and_empty_names(client, login, make_user, csrf):
    login(make_user())
    response = client.post("/compte/profil", data={"csrf_token": csrf(), "name": "", "themes": ["n-importe-quoi"]})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "error-summary" in html


def test_profile_edit_cannot_change_role_or_email(client, login, make_user, csrf, db):
    from achats.auth.models import User

    user = make_user(email="moi@x.fr")
    login(user)
    client.post("/compte/profil", data={"csrf_token": csrf(), "name": "Nom Valide", "role": "admin",
                                        "email": "autre@x.fr", "status": "active"})
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh.role == "member" and fresh.email == "moi@x.fr"


def test_directory_search_and_filters(client, login, make_user, make_organisation):
    dijon = make_organisation(name="Ville de Dijon")
    make_user(name="Nathalie Girard", organisation=dijon, themes=("produits-entretien",))
    make_user(name="Karim Benali", role="expert", themes=("energie-batiment",))
    make_user(name="Paul Attente", status="pending")
    make_user(name="Sam Suspendu", status="suspended")
    login(make_user(name="Lectrice"))

    def names(query: str = "") -> list[str]:
        html = client.get("/membres/" + query).get_data(as_text=True)
        return re.findall(r'class="user-link" href="/membres/\d+">([^<]+)</a>', html)

    everyone = names()
    assert "Nathalie Girard" in everyone and "Karim Benali" in everyone
    assert "Paul Attente" not in everyone and "Sam Suspendu" not in everyone
    assert names("?q=girard") == ["Nathalie Girard"]
    assert names("?q=dijon") == ["Nathalie Girard"]  # by organisation
    assert names("?role=expert") == ["Karim Benali"]
    assert names("?theme=energie-batiment") == ["Karim Benali"]
    assert names("?q=zzzz") == []
    assert client.get("/membres/?role=inconnu&theme=inconnu&q=" + "x" * 500).status_code == 200


def test_directory_and_profiles_are_for_signed_in_users(client, make_user):
    user = make_user()
    for path in ("/membres/", f"/membres/{user.id}", f"/organisations/{user.organisation_id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


def test_organisation_page_lists_its_active_members(client, login, make_user, make_organisation):
    org = make_organisation(name="Syndicat des eaux", kind="syndicat", siret="25890000000013")
    make_user(name="Agent Un", organisation=org)
    make_user(name="Agent Deux", organisation=org, status="pending")
    make_user(name="Ailleurs")
    login(make_user())
    html = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Syndicat des eaux" in html and "25890000000013" in html
    assert "Agent Un" in html and "Agent Deux" not in html and "Ailleurs" not in html
    assert client.get("/organisations/999999").status_code == 404


# --- roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_role, allowed", [("member", False), ("expert", False), ("moderator", False),
                                                 ("admin", True)])
def test_only_admins_change_roles(client, login, make_user, csrf, db, actor_role, allowed):
    from achats.auth.models import User
    from achats.platform.notifications.models import Notification

    target = make_user()
    actor = make_user(role=actor_role)
    login(actor)
    page = client.get(f"/membres/{target.id}").get_data(as_text=True)
    assert ("Changer le rôle" in page) is allowed
    response = client.post(f"/membres/{target.id}/role", data={"csrf_token": csrf(), "role": "expert"})
    db.session.expire_all()
    if allowed:
        assert response.status_code == 302
        assert db.session.get(User, target.id).role == "expert"
        note = db.session.scalar(select(Notification).where(Notification.recipient_id == target.id))
        assert note.kind == "role_changed" and "Expert" in note.text and note.actor_id == actor.id
    else:
        assert response.status_code == 403
        assert db.session.get(User, target.id).role == "member"


def test_admins_cannot_change_their_own_role(client, login, make_user, csrf):
    admin = make_user(role="admin")
    login(admin)
    assert client.post(f"/membres/{admin.id}/role", data={"csrf_token": csrf(), "role": "member"}).status_code == 403


def test_unknown_role_is_refused(client, login, make_user, csrf, db):
    from achats.auth.models import User

    target = make_user()
    login(make_user(role="admin"))
    client.post(f"/membres/{target.id}/role", data={"csrf_token": csrf(), "role": "superadmin"})
    db.session.expire_all()
    assert db.session.get(User, target.id).role == "member"


# --- API tokens through the settings page ------------------------------------------------------


def test_tokens_create_list_revoke_in_settings(client, login, make_user, csrf, app):
    user = make_user()
    login(user)
    response = client.post("/compte/parametres/jetons", data={"csrf_token": csrf(), "name": "tableau-compta"})
    html = response.get_data(as_text=True)
    secret = re.search(r'<code id="new-token">([^<]+)</code>', html).group(1)
    assert secret.startswith("ach_")
    listing = client.get("/compte/parametres").get_data(as_text=True)
    assert "tableau-compta" in listing and secret not in listing  # shown once only
    token_id = re.search(r"/compte/parametres/jetons/(\d+)/revoquer", listing).group(1)

    bearer = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 200
    assert client.post(f"/compte/parametres/jetons/{token_id}/revoquer", data={"csrf_token": csrf()}).status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    assert "tableau-compta" not in client.get("/compte/parametres").get_data(as_text=True)


def test_someone_elses_token_cannot_be_revoked_from_settings(client, login, make_user, make_token, csrf, db):
    from achats.auth.models import ApiToken

    victim = make_user()
    make_token(victim)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == victim.id))
    login(make_user())
    assert client.post(f"/compte/parametres/jetons/{token_id}/revoquer", data={"csrf_token": csrf()}).status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is None


def test_tokens_created_through_the_api_appear_in_settings(client, login, make_user, api):
    user = make_user()
    api(user).post("/tokens", json={"name": "script de synchro"})
    login(user)
    assert "script de synchro" in client.get("/compte/parametres").get_data(as_text=True)


# --- personal data ----------------------------------------------------------------------------


def test_export_contains_my_data_and_no_secret(client, login, make_user, make_token, db):
    from achats.platform.notifications.services import Target, notify

    user = make_user(name="Valérie Martin", email="valerie@cc-jura.fr", themes=("tpe-pme-sourcage",))
    make_token(user, "mon jeton")
    notify(db.session, user, "role_changed", make_user(), Target("user", user.id, "/"), "Votre rôle a changé.")
    db.session.commit()
    login(user)
    response = client.get("/compte/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "valerie@cc-jura.fr"
    assert data["account"]["name"] == "Valérie Martin"
    assert data["account"]["themes"] == ["tpe-pme-sourcage"]
    assert data["organisation"]["id"] == user.organisation_id
    assert [t["name"] for t in data["api_tokens"]] == ["mon jeton"]
    assert [n["text"] for n in data["notifications"]] == ["Votre rôle a changé."]
    raw = response.get_data(as_text=True)
    assert "scrypt" not in raw and "password" not in raw and "token_hash" not in raw and "ach_" not in raw


def delete_my_account(client, password=DEFAULT_PASSWORD, confirm="SUPPRIMER"):
    return client.post("/compte/supprimer", data={"csrf_token": csrf_token_from(client), "password": password,
                                                  "confirm": confirm})


def test_account_deletion_needs_the_password_and_the_word(client, login, make_user, db):
    from achats.auth.models import User

    user = make_user()
    login(user)
    assert delete_my_account(client, password="mauvais mot de passe").status_code == 400
    assert delete_my_account(client, confirm="oui").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).status == "active"


def test_account_deletion_removes_name_and_email_everywhere(app, client, login, make_user, make_token, db, mailbox,
                                                            csrf):
    from achats.auth import services
    from achats.auth.models import ApiToken, User
    from achats.platform.mail import OutgoingMail
    from achats.platform.moderation.audit import AuditEntry
    from achats.platform.notifications.models import Notification
    from achats.platform.notifications.services import Target, notify

    name, email = "Marc Lambert", "marc.lambert@saint-aubin.fr"
    user = make_user(name=name, email=email, themes=("dechets",))
    admin = make_user(role="admin")
    colleague = make_user(name="Collègue")
    secret = make_token(user)
    # Traces that carry the name or the address: a moderator's free text, a mail, a notification
    # that someone else received about this user's action.
    services.suspend_account(db.session, admin, user, f"Compte de {name} <{email}> à vérifier")
    services.reinstate_account(db.session, admin, user, f"{name} rétabli")
    notify(db.session, colleague, "mentioned", user, Target("post", 1, "/"), f"{name} vous a mentionné")
    db.session.commit()
    sign_in(client, email)  # queues nothing, but audits a login
    client.post("/compte/mot-de-passe-oublie", data={"csrf_token": csrf(), "email": email})
    assert mailbox.to(email)

    assert delete_my_account(client).status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401

    db.session.expire_all()
    gone = db.session.get(User, user.id)
    assert gone.status == "deleted" and gone.email is None and gone.name != name and gone.handle is None
    assert gone.password_hash is None and gone.themes == [] and gone.organisation_id is None
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []

    # Profile 404, absent from the directory, the login refuses.
    viewer = login(colleague, app.test_client())
    assert viewer.get(f"/membres/{user.id}").status_code == 404
    assert name not in viewer.get("/membres/?q=lambert").get_data(as_text=True)
    assert sign_in(app.test_client(), email).status_code == 200

    # Nowhere in the database: users, audit details, notifications, the mail outbox.
    for entry in db.session.scalars(select(AuditEntry)):
        assert name not in (entry.detail or "") and email not in (entry.detail or ""), entry.detail
    for note in db.session.scalars(select(Notification)):
        assert name not in note.text, note.text
    for mail in db.session.scalars(select(OutgoingMail)):
        assert email != mail.recipient and name not in mail.body_text, mail.subject
    assert db.session.scalar(select(User).where(User.name == name)) is None
    actions = [e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == user.id))]
    assert "account.delete" in actions  # the fact stays, without the person


def test_pending_account_reads_but_cannot_write(client, login, make_user, api, db, csrf):
    from achats.forums.models import Category

    category = Category(slug="essai", name="Essai", description="")
    db.session.add(category)
    db.session.commit()
    pending = make_user(status="pending")
    login(pending)
    home = client.get("/").get_data(as_text=True)
    assert "en attente de validation" in home
    assert client.get("/membres/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/categories").status_code == 200
    response = api(pending).post("/threads", json={"category_id": category.id, "title": "Une question",
                                                   "body": "Bonjour à tous", "kind": "question"})
    assert response.status_code == 403, response.get_data(as_text=True)
    response = client.post("/api/v1/threads", json={"category_id": category.id, "title": "Une question",
                                                    "body": "Bonjour", "kind": "question"},
                           headers={"X-CSRFToken": csrf()})
    assert response.status_code == 403


def test_approval_turns_a_pending_account_into_a_writer(db, make_user):
    from achats.auth import services
    from achats.auth.permissions import can_write

    pending = make_user(status="pending")
    assert not can_write(pending) and not pending.can_write
    services.approve_account(db.session, make_user(role="moderator"), pending)
    db.session.commit()
    assert can_write(pending) and pending.can_write


# --- the command line -------------------------------------------------------------------------


def test_cli_create_user_with_password_from_stdin(app, db):
    from achats.auth.models import User

    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "Nouvelle.Agente@Mairie.fr", "--name", "Nouvelle Agente", "--role",
                                 "expert", "--organisation", "Mairie de Test", "--password-stdin"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user_id = int(result.output.strip())
    user = db.session.get(User, user_id)
    assert user.email == "nouvelle.agente@mairie.fr" and user.role == "expert" and user.status == "active"
    assert user.organisation.name == "Mairie de Test"
    assert user.password_hash.startswith("scrypt:")
    assert sign_in(app.test_client(), "nouvelle.agente@mairie.fr", NEW_PASSWORD).status_code == 302


def test_cli_create_user_pending_and_errors(app, db):
    from achats.auth.models import User

    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "attente@x.fr", "--name", "En Attente", "--pending"])
    assert result.exit_code == 0
    assert db.session.get(User, int(result.output.strip())).status == "pending"
    again = runner.invoke(args=["create-user", "attente@x.fr", "--name", "Doublon"])
    assert again.exit_code != 0 and "existe déjà" in again.output
    weak = runner.invoke(args=["create-user", "faible@x.fr", "--name", "Faible", "--password-stdin"], input="azerty\n")
    assert weak.exit_code != 0 and "12" in weak.output
    bad_role = runner.invoke(args=["create-user", "r@x.fr", "--name", "R", "--role", "superadmin"])
    assert bad_role.exit_code != 0


def test_cli_create_token_prints_only_the_token(app, make_user, client):
    user = make_user()
    result = app.test_cli_runner().invoke(args=["create-token", user.email, "--name", "cron"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert result.output == token + "\n"
    assert re.fullmatch(r"ach_[A-Za-z0-9_-]{40,}", token)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["id"] == user.id
    unknown = app.test_cli_runner().invoke(args=["create-token", "personne@x.fr"])
    assert unknown.exit_code != 0


def test_cli_init_is_idempotent(app):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "à jour" in result.output


def test_cli_seed_demo_is_idempotent(app, db):
    from sqlalchemy import func

    from achats.auth.demo import ACCOUNTS, DEMO_PASSWORDS, PENDING
    from achats.auth.models import Organisation, User

    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (db.session.scalar(select(func.count(User.id))), db.session.scalar(select(func.count(Organisation.id))))
    assert counts[0] == len(ACCOUNTS) + len(PENDING)
    for password in DEMO_PASSWORDS.values():
        assert password in first.output  # printed, demo-only
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "0 créé(s)" in second.output
    assert (db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Organisation.id)))) == counts
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert skipped.exit_code == 0 and "non rechargée" in skipped.output
    assert sign_in(app.test_client(), "admin@achats.example", DEMO_PASSWORDS["admin"]).status_code == 302
