"""The audit log: who did what, to what, when; stored and logged as one JSON line; no secrets."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, csrf_token_from


@pytest.fixture
def audit_lines(caplog):
    """The formatted lines the `achats.audit` logger wrote."""
    caplog.set_level(logging.INFO, logger="achats.audit")
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")

    def lines() -> list[str]:
        text = "\n".join(formatter.format(r) for r in caplog.records if r.name == "achats.audit")
        return text.splitlines()

    return lines


def entries(db, action: str | None = None) -> list:
    from achats.platform.moderation.audit import AuditEntry

    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def test_logins_and_failures_are_recorded_with_who_when_and_where(client, db, make_user, audit_lines):
    user = make_user()
    token = csrf_token_from(client)
    client.post("/compte/connexion", data={"csrf_token": token, "email": user.email, "password": "mauvais mot"})
    client.post("/compte/connexion", data={"csrf_token": token, "email": "inconnu@x.fr", "password": "mauvais mot"})
    client.post("/compte/connexion", data={"csrf_token": token, "email": user.email, "password": DEFAULT_PASSWORD})

    failures = entries(db, "auth.login_failed")
    assert [(e.target_type, e.target_id) for e in failures] == [("user", user.id), ("user", None)]
    assert all(e.ip == "127.0.0.1" and e.created_at is not None for e in failures)
    login = entries(db, "auth.login")[0]
    assert (login.actor_id, login.target_id, login.ip) == (user.id, user.id, "127.0.0.1")
    assert login.created_at.tzinfo is not None

    logged = [json.loads(line.split(" achats.audit ", 1)[1]) for line in audit_lines()]
    assert [e["action"] for e in logged] == ["auth.login_failed", "auth.login_failed", "auth.login"]
    assert logged[-1]["actor"] == user.id and logged[-1]["ip"] == "127.0.0.1"


def test_registration_confirmation_and_approval_are_recorded(client, db, make_user, mailbox, login):
    from tests.auth.test_registration import registration_form
    from tests.conftest import link_in

    client.post("/compte/inscription", data=registration_form(csrf_token_from(client)))
    url = link_in(mailbox.last("marc.lambert@mairie-test.fr"), "/compte/confirmer/")
    client.post(url.replace("http://localhost", ""), data={"csrf_token": csrf_token_from(client)})
    applicant = entries(db, "account.register")[0].target_id
    assert entries(db, "account.confirm")[0].target_id == applicant

    moderator = make_user(role="moderator")
    mod_client = login(moderator, client.application.test_client())
    mod_client.post(f"/moderation/comptes/{applicant}/approuver",
                    data={"csrf_token": csrf_token_from(mod_client), "reason": "SIRET vérifié"})
    approval = entries(db, "account.approve")[0]
    assert (approval.actor_id, approval.target_type, approval.target_id) == (moderator.id, "user", applicant)
    assert json.loads(approval.detail) == {"reason": "SIRET vérifié"}


def test_role_changes_suspensions_and_tokens_are_recorded(db, make_user, make_token):
    from achats.auth import services

    admin, member = make_user(role="admin"), make_user()
    services.change_role(db.session, admin, member, "expert")
    services.suspend_account(db.session, admin, member, "propos injurieux")
    db.session.commit()
    make_token(admin)
    role = entries(db, "account.role_change")[0]
    assert role.actor_id == admin.id and json.loads(role.detail) == {"old": "member", "new": "expert"}
    suspension = entries(db, "account.suspend")[0]
    assert json.loads(suspension.detail)["reason"] == "propos injurieux"
    assert entries(db, "token.create")[0].actor_id == admin.id


def test_a_newline_in_user_input_does_not_forge_a_log_line(client, db, make_user, login, audit_lines):
    forged = 'Eve\n2026-01-01 00:00:00,000 INFO achats.audit {"action": "account.role_change", "actor": 1}'
    applicant = make_user(status="pending", name=forged)
    moderator = make_user(role="moderator")
    login(moderator)
    client.post(f"/moderation/comptes/{applicant.id}/refuser",
                data={"csrf_token": csrf_token_from(client), "reason": forged + "\r\nINFO faux"})
    from achats.platform.moderation.audit import audit

    audit(db.session, "test.free_text", actor=moderator, name=forged, other="a\u2028b\x1b[31mrouge")
    db.session.commit()

    lines = audit_lines()
    assert len(lines) == 2  # one line per record, whatever the input
    for line in lines:
        assert not line.startswith("2026-01-01")
        payload = json.loads(line.split(" achats.audit ", 1)[1])
        assert payload["action"] in ("account.reject", "test.free_text")
        assert "\x1b" not in line and "\u2028" not in line
    stored = entries(db, "account.reject")[0]
    assert json.loads(stored.detail)["reason"].startswith("Eve\n")  # stored faithfully, escaped in the log


def test_the_log_holds_no_secrets(client, db, make_user, mailbox, audit_lines, caplog, api):
    caplog.set_level(logging.DEBUG)
    user = make_user()
    token = csrf_token_from(client)
    client.post("/compte/connexion", data={"csrf_token": token, "email": user.email, "password": DEFAULT_PASSWORD})
    secret = api(user).post("/tokens", json={"name": "secret"}).json["token"]
    client.post("/compte/mot-de-passe-oublie", data={"csrf_token": csrf_token_from(client), "email": user.email})
    from tests.conftest import link_in

    reset_path = link_in(mailbox.last(user.email), "/compte/reinitialiser/").rsplit("/", 1)[1]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    stored = "\n".join(e.detail or "" for e in entries(db))
    for needle in (DEFAULT_PASSWORD, secret, reset_path, user.password_hash):
        assert needle not in everything
        assert needle not in stored
