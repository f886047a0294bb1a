"""Every kind of message Procure sends, and how each is built.

A message is an export: it is rendered from read models (plain dataclasses, never ORM
models), and anything from an experiment is redacted at the recipient's audience before
the template runs. Account mail (invitations, password resets) names no person and no
experiment, only the organisation and the service. ``MESSAGE_KINDS`` lists every kind;
the canary suite builds each one and a test fails for a kind it does not cover.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template


@dataclass(frozen=True)
class MessageKind:
    name: str
    description: str
    # True when the message carries experiment content (redacted at the recipient's audience).
    experiment_scoped: bool = False


MESSAGE_KINDS: dict[str, MessageKind] = {
    k.name: k
    for k in (
        MessageKind("password_reset", "A link to set a new password, asked for at sign-in"),
        MessageKind("invitation", "An invitation to join an organisation in Procure"),
    )
}


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class PasswordResetMail:
    """What a reset email says: the link and how long it lasts."""

    link: str
    expires_minutes: int
    service_url: str


@dataclass(frozen=True)
class InvitationMail:
    """What an invitation says: which organisation, in which role, who asked, and the link."""

    organisation: str
    role: str
    invited_by_organisation: str
    link: str
    expires_on: str
    service_url: str


def render(kind: str, model: object) -> RenderedMessage:
    """Render ``kind`` from its read model: a subject line, a plain-text and an HTML body."""
    if kind not in MESSAGE_KINDS:
        raise KeyError(f"Unknown message kind {kind!r}")
    subject = render_template(f"email/{kind}.subject.txt", m=model).strip()
    text = render_template(f"email/{kind}.txt", m=model, subject=subject)
    html = render_template(f"email/{kind}.html", m=model, subject=subject)
    return RenderedMessage(subject=" ".join(subject.split()), text=text, html=html)
