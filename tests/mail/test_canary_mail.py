"""Every email is an export: the canary suite covers every message kind.

The canary experiment is planted (every text field holds a ``ZQX7K…`` token at its
level); then each kind in ``MESSAGE_KINDS`` is produced through its real route for
canary people and organisations, sent through a real SMTP server on loopback, and
every copy — the outbox row, ``flask outbox export`` and the raw message that arrived,
headers included — must hold no token above the message's audience (account mail,
with no experiment, is read as ``public``). A kind without a case here fails the test.
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from procure.accounts.models import Organisation, User
from procure.extensions import db
from procure.mail.messages import MESSAGE_KINDS
from procure.mail.models import OutboxMessage
from procure.sensitivity import Audience
from tests.conftest import login
from tests.helpers import post_form

PREFIX = "ZQX7K"
SLUG = "canary-mail"
CODES = {"PUB": Audience.PUBLIC, "MEM": Audience.MEMBERS, "PAR": Audience.PARTICIPANTS}
TOKEN = re.compile(PREFIX + r"(PUB|MEM|PAR)\d{4}")


def _audience(message: OutboxMessage | dict) -> Audience:
    value = message.audience if isinstance(message, OutboxMessage) else message["audience"]
    return Audience.PUBLIC if value is None else next(a for a in Audience if a.slug == value)


def _forbidden(text: str, audience: Audience) -> list[str]:
    return [m.group(0) for m in TOKEN.finditer(text) if CODES[m.group(1)] > audience]


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


# One case per message kind: produce it through its route for canary records.
def _password_reset(app, client) -> None:
    post_form(client, "/forgot-password", {"email": f"lead-hackney@{SLUG}.canary.test"})


def _invitation(app, client) -> None:
    admin = app.test_client()
    login(admin, _user(f"admin@{SLUG}.canary.test"))
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name.like(f"%{PREFIX}%")))
    response = post_form(
        admin,
        "/invitations",
        {"email": "invitee@example.gov.uk", "organisation_id": org.id, "site_role": "member"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 302, re.findall(r"govuk-error-message.*?</p>", body, re.S)


CASES = {"password_reset": _password_reset, "invitation": _invitation}


def test_every_message_kind_has_a_canary_case():
    assert set(CASES) == set(MESSAGE_KINDS)


def test_no_message_holds_anything_above_its_audience(app, client, runner, smtp, quick_reset):
    planted = runner.invoke(args=["demo", "canary", "--experiment", SLUG, "--prefix", PREFIX])
    assert planted.exit_code == 0, planted.output
    # Give the canary people the names the canary gave them (MEM tokens) — they are.
    assert TOKEN.search(_user(f"lead-hackney@{SLUG}.canary.test").name)

    for kind in MESSAGE_KINDS:
        CASES[kind](app, client)

    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert {m.kind for m in messages} == set(MESSAGE_KINDS)
    assert all(m.state == "sent" for m in messages), [(m.kind, m.last_error) for m in messages]
    for message in messages:
        copy = "\n".join([message.subject, message.text_body, message.html_body])
        assert _forbidden(copy, _audience(message)) == [], message.kind

    exported = json.loads(runner.invoke(args=["outbox", "export"]).output)
    assert len(exported) == len(messages)
    for item in exported:
        assert _forbidden(json.dumps(item, ensure_ascii=False), _audience(item)) == []

    assert len(smtp.inbox.received) == len(messages)
    for received, message in zip(smtp.inbox.received, messages, strict=True):
        raw = received.message.as_string()
        decoded = "\n".join(
            part.get_content() for part in received.message.walk() if not part.is_multipart()
        )
        headers = "\n".join(f"{k}: {v}" for k, v in received.message.items())
        for text in (raw, decoded, headers):
            assert _forbidden(text, _audience(message)) == [], message.kind

    # The check can see tokens: the invitation names the (public) organisation's token.
    invitation = next(m for m in messages if m.kind == "invitation")
    assert TOKEN.search(invitation.subject)
