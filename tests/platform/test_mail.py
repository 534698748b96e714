"""E-mail: sent after commit through real SMTP, kept and retried when SMTP is down, .eml files in dev."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy

from sqlalchemy import select

from tests.auth.test_registration import registration_form
from tests.conftest import body_of, csrf_token_from, free_port, link_in

ADDRESS = "marc.lambert@mairie-test.fr"


def test_mail_is_sent_after_commit_and_dropped_on_rollback(app, db, mailbox):
    from achats.platform.mail import OutgoingMail, queue_mail

    class Someone:
        name = "Marc Lambert"

    queue_mail(db.session, "annule@x.fr", "Annulé", "password_changed", user=Someone(), reset_url="http://x")
    db.session.rollback()
    assert db.session.scalars(select(OutgoingMail)).all() == []

    queue_mail(db.session, "envoye@x.fr", "Envoyé", "password_changed", user=Someone(), reset_url="http://x")
    assert mailbox.to("envoye@x.fr") == []  # not inside the transaction
    db.session.commit()
    message = mailbox.last("envoye@x.fr")
    assert message["Subject"] == "Envoyé"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "Marc Lambert" in body_of(message)
    assert mailbox.to("annule@x.fr") == []
    db.session.expire_all()
    row = db.session.scalar(select(OutgoingMail))
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None


def test_smtp_down_registration_commits_and_the_mail_is_retried(app_factory, smtp_server, mailbox):
    from achats.auth.models import User
    from achats.platform.db import utcnow
    from achats.platform.extensions import db
    from achats.platform.mail import OutgoingMail

    dead = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    app = app_factory(ACHATS_SMTP_URL=dead)
    with app.app_context():
        client = app.test_client()
        response = client.post("/compte/inscription", data=registration_form(csrf_token_from(client)))
        assert response.status_code == 302  # the visitor is not punished for our SMTP outage
        assert db.session.scalar(select(User).where(User.email == ADDRESS)) is not None
        mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.recipient == ADDRESS))
        assert mail.sent_at is None
        assert mail.attempts == 1
        assert mail.last_error and "Connection" in mail.last_error
        assert mail.next_attempt_at > utcnow()  # backed off, not hammering
        assert mailbox.to(ADDRESS) == []

        runner = app.test_cli_runner()
        assert "0 message(s)" in runner.invoke(args=["send-mail"]).output  # not due yet

        # SMTP is back and the back-off has passed.
        app.config["ACHATS_SMTP_URL"] = smtp_server[0]
        mail.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        result = runner.invoke(args=["send-mail"])
        assert result.exit_code == 0 and "1 message(s) envoyé(s)" in result.output
        message = mailbox.last(ADDRESS)
        url = link_in(message, "/compte/confirmer/")
        assert client.get(url.replace("http://localhost", "")).status_code == 200  # a working link
        db.session.expire_all()
        mail = db.session.get(OutgoingMail, mail.id)
        assert mail.sent_at is not None and mail.attempts == 2 and mail.last_error is None

        # Sent once: running the job again sends nothing more.
        assert "0 message(s)" in runner.invoke(args=["send-mail"]).output
        assert len(mailbox.to(ADDRESS)) == 1


def test_scheduled_jobs_also_retry_the_outbox(app_factory, smtp_server, mailbox):
    from achats.platform.db import utcnow
    from achats.platform.extensions import db
    from achats.platform.mail import OutgoingMail

    app = app_factory(ACHATS_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    with app.app_context():
        client = app.test_client()
        client.post("/compte/inscription", data=registration_form(csrf_token_from(client)))
        app.config["ACHATS_SMTP_URL"] = smtp_server[0]
        for mail in db.session.scalars(select(OutgoingMail)):
            mail.next_attempt_at = utcnow()
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["send-digests"])
        assert result.exit_code == 0, result.output
        assert mailbox.last(ADDRESS)


def test_a_mail_that_keeps_failing_is_given_up_after_max_attempts(app_factory):
    from achats.platform.db import utcnow
    from achats.platform.extensions import db
    from achats.platform.mail import MAX_ATTEMPTS, OutgoingMail, deliver

    app = app_factory(ACHATS_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    with app.app_context():
        db.session.add(OutgoingMail(recipient="x@y.fr", subject="s", body_text="b"))
        db.session.commit()
        for _ in range(MAX_ATTEMPTS + 3):
            for mail in db.session.scalars(select(OutgoingMail)):
                mail.next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
            deliver(app)
        db.session.expire_all()
        assert db.session.scalar(select(OutgoingMail)).attempts == MAX_ATTEMPTS


def test_without_smtp_mails_are_written_to_the_instance_outbox(app_factory, tmp_path):
    from achats.platform.extensions import db
    from achats.platform.mail import OutgoingMail

    app = app_factory(ACHATS_SMTP_URL=None)
    outbox = tmp_path / "instance" / "outbox"
    assert app.config["ACHATS_OUTBOX_DIR"] == str(outbox)
    with app.app_context():
        client = app.test_client()
        assert client.post("/compte/inscription", data=registration_form(csrf_token_from(client))).status_code == 302
        files = sorted(outbox.glob("*.eml"))
        assert len(files) == 1
        message = message_from_bytes(files[0].read_bytes(), policy=email_policy.default)
        assert message["To"] == ADDRESS
        assert "Confirmez" in message["Subject"]
        url = link_in(message, "/compte/confirmer/")
        assert client.get(url.replace("http://localhost", "")).status_code == 200
        assert db.session.scalar(select(OutgoingMail)).sent_at is not None


def test_mail_headers_cannot_be_injected_through_a_name(app, db, mailbox):
    from achats.platform.mail import queue_mail

    class Someone:
        name = "Eve\r\nBcc: victime@x.fr"

    queue_mail(db.session, "cible@x.fr", "Objet", "password_changed", user=Someone(), reset_url="http://x")
    db.session.commit()
    message = mailbox.last("cible@x.fr")
    assert message["Bcc"] is None
    assert mailbox.to("victime@x.fr") == []


def test_outside_tests_a_consumer_process_delivers_and_the_request_does_not_wait(
        app_factory, smtp_server, mailbox, tmp_path):
    """The mail of a registration is committed to the outbox and handed to the task queue; a real
    `achats worker` process (another program, as in production) delivers it."""
    import os
    import subprocess
    import sys
    import time

    from achats.platform.extensions import db
    from achats.platform.mail import OutgoingMail

    tasks_db = tmp_path / "tasks.db"
    app = app_factory(ACHATS_TASKS_IMMEDIATE=False, ACHATS_TASKS_DB=str(tasks_db))
    with app.app_context():
        client = app.test_client()
        assert client.post("/compte/inscription", data=registration_form(csrf_token_from(client))).status_code == 302
        assert db.session.scalar(select(OutgoingMail)).sent_at is None  # queued, not sent by the request
        assert mailbox.to(ADDRESS) == []
        env = {**os.environ, "ACHATS_ENV": "development", "ACHATS_TASKS_DB": str(tasks_db),
               "ACHATS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "ACHATS_REDIS_URL": ""}
        worker = subprocess.Popen([sys.executable, "-m", "achats", "worker", "--no-periodic"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            assert mailbox.wait_for(ADDRESS, timeout=30)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                db.session.expire_all()
                if db.session.scalar(select(OutgoingMail)).sent_at is not None:
                    break
                time.sleep(0.1)
            assert db.session.scalar(select(OutgoingMail)).sent_at is not None
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
