"""Transports: SMTP through Flask-Mailman, GOV.UK Notify, or none (messages are held).

Chosen by configuration: ``NOTIFY_API_KEY`` selects Notify, else ``MAIL_SERVER`` selects
SMTP, else nothing is sent and every message stays in the outbox as ``held``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from notifications_python_client.notifications import NotificationsAPIClient

from procure.extensions import mail


class TransportError(RuntimeError):
    """Sending failed; the outbox records the reason and retries later."""


def transport_name(config: Any = None) -> str:
    config = config if config is not None else current_app.config
    if config.get("NOTIFY_API_KEY"):
        return "notify"
    if config.get("MAIL_SERVER"):
        return "smtp"
    return "held"


def send(message: Any) -> None:
    """Send one outbox message by the configured transport (raises ``TransportError``)."""
    name = transport_name()
    try:
        if name == "smtp":
            _send_smtp(message)
        elif name == "notify":
            _send_notify(message)
        else:
            raise TransportError("No mail transport is configured")
    except TransportError:
        raise
    except Exception as exc:  # network, protocol and API errors alike: record and retry
        raise TransportError(f"{type(exc).__name__}: {exc}") from exc


def _send_smtp(message: Any) -> None:
    config = current_app.config
    connection = mail.get_connection(
        backend="smtp",
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config.get("MAIL_USERNAME"),
        password=config.get("MAIL_PASSWORD"),
        use_tls=config.get("MAIL_USE_TLS", False),
        use_ssl=config.get("MAIL_USE_SSL", False),
        timeout=config.get("MAIL_TIMEOUT"),
    )
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=config["MAIL_DEFAULT_SENDER"],
        to=[message.to_address],
        connection=connection,
        headers={
            # The same id on every attempt, so a receiving server can spot a repeat.
            "Message-ID": f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@procure>",
            "X-Procure-Kind": message.kind,
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(message.html_body, "text/html")
    if email.send() != 1:
        raise TransportError("The mail server did not accept the message")


def _send_notify(message: Any) -> None:
    config = current_app.config
    if not config.get("NOTIFY_TEMPLATE_ID"):
        raise TransportError("NOTIFY_TEMPLATE_ID is not set")
    client = NotificationsAPIClient(config["NOTIFY_API_KEY"])
    # One generic Notify template with ((subject)) and ((body)) placeholders.
    client.send_email_notification(
        email_address=message.to_address,
        template_id=config["NOTIFY_TEMPLATE_ID"],
        personalisation={"subject": message.subject, "body": message.text_body},
        reference=f"outbox-{message.id}",
    )
