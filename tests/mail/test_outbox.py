"""The outbox: held with no transport, sent through a real SMTP server, retried, never twice."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from procure.db import utcnow
from procure.extensions import db
from procure.mail import delivery
from procure.mail.messages import MESSAGE_KINDS, PasswordResetMail, render
from procure.mail.models import OutboxMessage
from procure.mail.outbox import queue_message
from tests.mail.conftest import free_port


def _reset_mail() -> object:
    return render(
        "password_reset",
        PasswordResetMail(
            link="http://127.0.0.1:5000/reset-password/abc",
            expires_minutes=60,
            service_url="http://127.0.0.1:5000",
        ),
    )


def test_with_no_transport_every_message_is_held_and_nothing_is_sent(app_ctx, smtp_server):
    message = queue_message("password_reset", "lead@camden.example.gov.uk", _reset_mail())
    assert message.state == "held"
    assert delivery.send_due(commit=False) == {}
    assert smtp_server.inbox.received == []


def test_smtp_delivers_both_bodies_headers_and_recipient(app_ctx, smtp):
    message = queue_message("password_reset", "lead@camden.example.gov.uk", _reset_mail())
    db.session.refresh(message)
    assert message.state == "sent", message.last_error
    assert message.attempts == 1 and message.sent_at is not None
    [got] = smtp.inbox.received
    assert got.rcpt_tos == ["lead@camden.example.gov.uk"]
    assert got.mail_from == "procure@example.gov.uk"
    mail = got.message
    assert mail["Subject"] == "Reset your Procure password"
    assert mail["To"] == "lead@camden.example.gov.uk"
    assert mail["Message-ID"].startswith(f"<outbox-{message.id}.")
    assert mail["X-Procure-Kind"] == "password_reset"
    assert mail["Auto-Submitted"] == "auto-generated"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "http://127.0.0.1:5000/reset-password/abc" in text
    assert 'href="http://127.0.0.1:5000/reset-password/abc"' in html
    assert "<img" not in html
    assert "You are getting this email because" in text


def test_a_server_that_is_down_means_retry_with_back_off_then_failed(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    message = queue_message("password_reset", "lead@camden.example.gov.uk", _reset_mail())
    db.session.refresh(message)
    assert message.state == "retrying"
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    first_wait = message.next_attempt_at - message.updated_at
    assert timedelta(seconds=59) <= first_wait <= timedelta(seconds=61)
    # Not due yet: nothing happens.
    assert delivery.send_due(commit=False) == {}
    waits = []
    now = message.next_attempt_at
    for _ in range(4):
        before = now
        assert delivery.send_due(now, commit=False)
        db.session.refresh(message)
        if message.state == "retrying":
            waits.append(message.next_attempt_at - before)
            now = message.next_attempt_at
    assert waits == [timedelta(seconds=120), timedelta(seconds=240), timedelta(seconds=480)]
    assert message.state == "failed"
    assert message.attempts == delivery.MAX_ATTEMPTS
    assert delivery.send_due(now + timedelta(days=1), commit=False) == {}


def test_a_retry_succeeds_once_the_server_is_back(app, app_ctx, monkeypatch, smtp_server):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    message = queue_message("password_reset", "lead@camden.example.gov.uk", _reset_mail())
    db.session.refresh(message)
    assert message.state == "retrying"
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    assert delivery.send_due(message.next_attempt_at, commit=False) == {"sent": 1}
    db.session.refresh(message)
    assert message.state == "sent" and message.attempts == 2 and message.last_error == ""
    assert len(smtp_server.inbox.received) == 1


def test_two_workers_never_send_one_message_twice(app, app_ctx, monkeypatch, smtp):
    monkeypatch.setitem(app.config, "MAIL_SYNC", False)  # leave it queued for the "workers"
    message = queue_message("password_reset", "lead@camden.example.gov.uk", _reset_mail())
    assert message.state == "queued"
    assert delivery.claim(message.id) is True
    assert delivery.claim(message.id) is False  # the second worker finds it taken
    assert delivery.deliver(message.id) is None
    assert smtp.inbox.received == []
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == message.id).values(state="queued")
    )
    assert delivery.deliver(message.id) == "sent"
    assert delivery.deliver(message.id) is None
    assert len(smtp.inbox.received) == 1


def test_export_prints_every_message_newest_last_with_the_agreed_names(app_ctx, runner):
    queue_message("password_reset", "first@example.gov.uk", _reset_mail())
    queue_message("password_reset", "second@example.gov.uk", _reset_mail())
    db.session.flush()
    result = runner.invoke(args=["outbox", "export"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [m["to"] for m in data][-2:] == ["first@example.gov.uk", "second@example.gov.uk"]
    assert set(data[-1]) == {
        "to", "subject", "text", "html", "kind", "state", "experiment", "audience", "created_at",
    }  # fmt: skip
    assert data[-1]["experiment"] is None and data[-1]["audience"] is None
    assert data[-1]["state"] == "held" and data[-1]["kind"] == "password_reset"
    only = runner.invoke(args=["outbox", "export", "--experiment", "no-such-experiment"])
    assert json.loads(only.output) == []


def test_send_due_command_says_what_it_did(app_ctx, runner):
    assert runner.invoke(args=["outbox", "send-due"]).output.strip() == "Nothing due"


def test_unknown_kinds_are_refused(app_ctx):
    assert "password_reset" in MESSAGE_KINDS and "invitation" in MESSAGE_KINDS
    try:
        queue_message("no_such_kind", "x@example.gov.uk", _reset_mail())
    except KeyError:
        pass
    else:
        raise AssertionError("an unknown kind was accepted")


def test_queued_state_is_recorded_before_sending(app, app_ctx, monkeypatch, smtp):
    monkeypatch.setitem(app.config, "MAIL_SYNC", False)
    message = queue_message("password_reset", "lead@camden.example.gov.uk", _reset_mail())
    assert message.state == "queued" and message.next_attempt_at <= utcnow()
    assert delivery.due_ids() == [message.id]
