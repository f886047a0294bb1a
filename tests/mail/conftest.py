"""A real SMTP server on a loopback port (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage


@dataclass
class Inbox:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def smtp(app, monkeypatch, smtp_server) -> SmtpServer:
    """The app configured to send through the loopback SMTP server."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", smtp_server.host)
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Procure <procure@example.gov.uk>")
    return smtp_server


@pytest.fixture
def quick_reset(app, monkeypatch) -> None:
    """A short response floor keeps reset tests quick (the timing test uses the real one)."""
    monkeypatch.setitem(app.config, "RESET_RESPONSE_FLOOR", 0.01)
