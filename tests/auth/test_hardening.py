"""What the black-box probe found on accounts (issue 11), each with the test that holds it:
reset links, lock-outs, timing, mail bombing, deletion in search, approval, the export."""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, csrf_token_from, link_in
from tests.forums.helpers import *  # noqa: F403  (forum, make_thread, make_post)

NEW_PASSWORD = "une toute nouvelle phrase de passe solide"


def sign_in(client: Any, email: str, password: str = DEFAULT_PASSWORD, ip: str = "127.0.0.1") -> Any:
    data = {"csrf_token": csrf_token_from(client), "email": email, "password": password}
    return client.post("/compte/connexion", data=data, environ_base={"REMOTE_ADDR": ip})


def ask_reset(client: Any, email: str, ip: str = "127.0.0.1") -> Any:
    return client.post("/compte/mot-de-passe-oublie", data={"csrf_token": csrf_token_from(client), "email": email},
                       environ_base={"REMOTE_ADDR": ip})


def reset_path(mailbox: Any, email: str) -> str:
    return link_in(mailbox.last(email), "/compte/reinitialiser/").replace("http://localhost", "")


# --- 2. reset links die when they should --------------------------------------------------------


def test_a_reset_link_dies_when_the_password_changes_in_the_settings(client, app, mailbox, make_user, login):
    user = make_user()
    ask_reset(client, user.email)
    path = reset_path(mailbox, user.email)
    owner = login(user, app.test_client())
    response = owner.post("/compte/parametres/mot-de-passe", data={
        "csrf_token": csrf_token_from(owner), "current_password": DEFAULT_PASSWORD, "password": NEW_PASSWORD})
    assert response.status_code == 302
    late = client.post(path, data={"csrf_token": csrf_token_from(client), "password": "encore une autre phrase longue"})
    assert late.headers["Location"].endswith("/compte/mot-de-passe-oublie")
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_a_newer_reset_link_kills_the_older_one_at_once(client, mailbox, make_user):
    user = make_user()
    ask_reset(client, user.email)
    first = reset_path(mailbox, user.email)
    ask_reset(client, user.email)
    second = reset_path(mailbox, user.email)
    assert first != second
    assert client.get(first).status_code == 302  # refused before the newer one is even used
    assert client.post(second, data={"csrf_token": csrf_token_from(client), "password": NEW_PASSWORD}).status_code == 302


def test_sent_mails_keep_no_readable_link(client, db, mailbox, make_user):
    from achats.platform.mail import REDACTED, OutgoingMail

    user = make_user()
    ask_reset(client, user.email)
    secret_path = reset_path(mailbox, user.email)
    token = secret_path.rsplit("/", 1)[-1]
    db.session.expire_all()
    stored = db.session.scalars(select(OutgoingMail).where(OutgoingMail.recipient == user.email)).all()
    assert stored and all(m.sent_at is not None for m in stored)
    assert all(token not in m.body_text and token not in (m.body_html or "") for m in stored)
    assert any(REDACTED in m.body_text for m in stored)
    assert all(m.sensitive is None for m in stored)


def test_an_unsent_mail_keeps_its_link_for_the_retry_and_loses_it_once_sent(app, db, smtp_server, make_user):
    from achats.auth import services
    from achats.platform.mail import OutgoingMail, deliver

    user = make_user()
    app.config["ACHATS_SMTP_URL"] = "smtp://127.0.0.1:1"  # nobody listens: the first attempt fails
    services.request_password_reset(db.session, user.email)
    db.session.commit()
    mail = db.session.scalars(select(OutgoingMail).where(OutgoingMail.recipient == user.email)).one()
    assert mail.sent_at is None and mail.sensitive and mail.sensitive in mail.body_text
    app.config["ACHATS_SMTP_URL"] = smtp_server[0]
    mail.next_attempt_at = mail.created_at
    db.session.commit()
    assert deliver(app) == 1
    db.session.expire_all()
    mail = db.session.get(OutgoingMail, mail.id)
    assert mail.sent_at is not None and mail.sensitive is None and "/compte/reinitialiser/" not in mail.body_text


def test_a_reset_revokes_the_personal_api_tokens_and_says_so(client, api, mailbox, make_user):
    user = make_user()
    caller = api(user)
    assert caller.get("/me").status_code == 200
    ask_reset(client, user.email)
    client.post(reset_path(mailbox, user.email), data={"csrf_token": csrf_token_from(client), "password": NEW_PASSWORD})
    assert caller.get("/me").status_code == 401
    from tests.conftest import body_of

    assert "jeton d'API personnel a été révoqué" in body_of(mailbox.last(user.email))


# --- 3. nobody can lock the owner out -----------------------------------------------------------


def test_failures_from_many_addresses_do_not_lock_the_owner_out(app, make_user):
    user = make_user()
    attacker = app.test_client()
    for n in range(51):
        assert sign_in(attacker, user.email, "mauvais mot de passe", ip=f"10.0.{n // 200}.{n % 200 + 1}").status_code == 200
    assert sign_in(app.test_client(), user.email, ip="192.0.2.7").status_code == 302


def test_one_address_is_slowed_and_the_owner_elsewhere_is_not(app, make_user):
    user = make_user()
    attacker = app.test_client()
    codes = [sign_in(attacker, user.email, "mauvais mot de passe", ip="10.9.9.9").status_code for _ in range(12)]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    assert sign_in(attacker, user.email, ip="10.9.9.9").status_code == 429  # even the right one, from there
    assert sign_in(app.test_client(), user.email, ip="192.0.2.8").status_code == 302


def test_the_account_ceiling_is_lifted_by_a_password_reset(app, client, mailbox, make_user, monkeypatch):
    from achats.auth import views

    monkeypatch.setattr(views, "LOGIN_PER_ACCOUNT", "15 per hour")  # the ceiling, reached faster
    user = make_user()
    for n in range(15):
        sign_in(app.test_client(), user.email, "mauvais mot de passe", ip=f"10.1.1.{n + 1}")
    response = sign_in(app.test_client(), user.email, ip="192.0.2.9")
    assert response.status_code == 429 and "réinitialisez" in response.get_data(as_text=True)
    ask_reset(client, user.email, ip="192.0.2.9")
    client.post(reset_path(mailbox, user.email), data={"csrf_token": csrf_token_from(client), "password": NEW_PASSWORD},
                environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD, ip="192.0.2.9").status_code == 302


# --- 5. response time reveals nothing -------------------------------------------------------------


def _medians_ms(first: Any, second: Any, runs: int = 9) -> tuple[float, float]:
    """Both calls' median durations, interleaved so that the machine's ups and downs hit both."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, bucket in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            bucket.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def test_a_wrong_password_takes_as_long_for_a_known_and_an_unknown_account(app, make_user):
    user = make_user()
    client = app.test_client()
    sign_in(client, "chauffe@x.fr", "mauvais")  # first call: templates compiled
    counter = iter(range(1000))
    known, unknown = _medians_ms(
        lambda: sign_in(client, user.email, "mauvais mot de passe", ip=f"10.2.0.{next(counter)}"),
        lambda: sign_in(client, "personne@x.fr", "mauvais mot de passe", ip=f"10.3.0.{next(counter)}"))
    assert abs(known - unknown) / max(known, unknown) < 0.2, (known, unknown)


def test_registering_a_known_address_takes_as_long_as_a_new_one(app, make_user, make_organisation):
    from tests.auth.test_registration import registration_form

    existing = make_user(email="deja@commune-test.fr")
    client = app.test_client()
    counter = iter(range(1000))

    def register(email: str) -> None:
        n = next(counter)
        data = {**registration_form(csrf_token_from(client)), "email": email.format(n=n)}
        assert client.post("/compte/inscription", data=data, environ_base={"REMOTE_ADDR": f"10.4.{n}.1"}).status_code == 302

    register("chauffe{n}@commune-test.fr")
    new, known = _medians_ms(lambda: register("nouveau{n}@commune-test.fr"), lambda: register(existing.email))
    assert abs(known - new) / max(known, new) < 0.2, (known, new)


# --- 6. no mail bombing of one address ------------------------------------------------------------


def test_reset_requests_from_many_addresses_send_a_few_mails(app, mailbox, make_user):
    user = make_user()
    answers = set()
    for n in range(25):
        response = ask_reset(app.test_client(), user.email, ip=f"10.5.0.{n + 1}")
        answers.add((response.status_code, response.headers["Location"]))
    assert len(answers) == 1  # the same answer every time
    assert 1 <= len(mailbox.to(user.email)) <= 3


def test_registrations_with_a_known_address_send_a_few_mails(app, mailbox, make_user):
    from tests.auth.test_registration import registration_form

    user = make_user(email="deja.inscrit@commune-test.fr")
    for n in range(15):
        client = app.test_client()
        data = {**registration_form(csrf_token_from(client)), "email": user.email}
        assert client.post("/compte/inscription", data=data, environ_base={"REMOTE_ADDR": f"10.6.0.{n + 1}"}).status_code == 302
    assert 1 <= len(mailbox.to(user.email)) <= 3


# --- 7. deleted means deleted in search too ---------------------------------------------------------


def test_after_a_deletion_the_name_is_not_found_in_search(db, api, make_user, forum, make_thread, make_post):
    from achats.auth import services

    person = make_user(name="Gaëlle Quintard")
    person.handle = "gaelle.quintard"
    db.session.commit()
    thread = make_thread(title="Clauses de réemploi du mobilier", body="Qui a un exemple ?")
    make_post(make_user(), thread, body=(
        f"> **Gaëlle Quintard** a écrit ([message n°1](/forums/sujets/{thread.id}#message-1)) :\n> Qui a un exemple ?\n\n"
        "Merci @gaelle.quintard pour la question."))
    reader = api(make_user())
    assert reader.get("/search?q=quintard").get_json()["items"]
    services.delete_account(db.session, person, DEFAULT_PASSWORD, "SUPPRIMER")
    db.session.commit()
    assert reader.get("/search?q=quintard").get_json()["items"] == []
    assert reader.get("/search?q=gaelle").get_json()["items"] == []


# --- 10. approval needs a confirmed address ---------------------------------------------------------


def test_an_unconfirmed_account_cannot_be_approved(client, login, csrf, api, make_user, db):
    from achats.auth.models import AccountStatus, User

    moderator, unconfirmed = make_user(role="moderator"), make_user(status="unconfirmed")
    login(moderator)
    response = client.post(f"/moderation/comptes/{unconfirmed.id}/approuver", data={"csrf_token": csrf(), "reason": ""},
                           follow_redirects=True)
    assert "pas encore confirmé son adresse" in response.get_data(as_text=True)
    answer = api(moderator).post("/moderation/actions", json={"action": "approve", "target_type": "user",
                                                              "target_id": unconfirmed.id})
    assert answer.status_code == 409 and "confirmé" in answer.get_json()["detail"]
    db.session.expire_all()
    assert db.session.get(User, unconfirmed.id).status == AccountStatus.UNCONFIRMED


# --- 12. the personal-data export is complete -------------------------------------------------------


def test_the_export_holds_flags_watch_levels_bookmarks_and_useful_votes(db, make_user, make_thread, make_post):
    from achats.auth import services as auth_services
    from achats.forums import services

    me, other = make_user(), make_user()
    thread = make_thread(make_user())
    post = make_post(other, thread, body="Une réponse à signaler.")
    services.flag_post(db.session, me, post, "off_topic", "Hors sujet ici.")
    services.set_watch(db.session, me, thread, "muted")
    services.toggle_bookmark(db.session, me, post)
    services.toggle_useful(db.session, me, post)
    db.session.commit()
    data = auth_services.export_user_data(db.session, me)
    assert data["forum_flags"][0]["reason"] == "off_topic" and data["forum_flags"][0]["detail"] == "Hors sujet ici."
    assert {"thread_id": thread.id, "level": "muted"}.items() <= data["forum_watches"][0].items()
    assert data["forum_bookmarks"][0]["post_id"] == post.id
    assert data["forum_useful"][0]["post_id"] == post.id
    assert "notifications" in data and "api_tokens" in data
