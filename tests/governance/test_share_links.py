"""Share links: long random tokens stored hashed, one file, expiry, revocation, every use logged."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.db import utcnow
from procure.extensions import db
from procure.governance.models import ShareLink
from procure.governance.services import ShareError, create_share_link, resolve_share_token
from procure.sensitivity import Audience
from tests.factories import (
    AdminFactory,
    ExperimentFactory,
    ReportExportFactory,
    RequirementFactory,
    SpecificationVersionFactory,
    UserFactory,
)
from tests.helpers import post_form


def _version(exp):
    req = RequirementFactory(experiment=exp, title="Repairs online ZQX7KPUB0301", status="agreed")
    secret = RequirementFactory(
        experiment=exp,
        title="Pricing cap ZQX7KPAR0302",
        status="agreed",
        sensitivity="participants",
    )
    snapshot_req = {
        "id": req.id,
        "reference": "REQ-001",
        "number": 1,
        "title": req.title,
        "statement": req.statement,
        "acceptance_criteria": req.acceptance_criteria,
        "category": "Functional",
        "priority": "must",
        "status": "agreed",
        "sensitivity": "public",
        "revision": 1,
        "source": None,
    }
    return SpecificationVersionFactory(
        experiment=exp,
        number="1.0",
        major=1,
        minor=0,
        snapshot={
            "requirements": [
                snapshot_req,
                {
                    **snapshot_req,
                    "id": secret.id,
                    "reference": "REQ-002",
                    "number": 2,
                    "title": secret.title,
                    "sensitivity": "participants",
                },
            ],
            "endorsements": [],
        },
    )


def test_token_is_long_random_and_stored_hashed(app_ctx):
    exp = ExperimentFactory()
    admin = AdminFactory()
    version = SpecificationVersionFactory(experiment=exp)
    link, token = create_share_link(
        exp,
        audience=Audience.PUBLIC,
        expires_on=date.today() + timedelta(days=7),
        label="Brent",
        creator=admin,
        creator_audience=Audience.PARTICIPANTS,
        specification_version_id=version.id,
        spec_format="csv",
    )
    lookup, secret = token.split(".")
    assert len(secret) >= 40
    assert secret not in link.secret_hash and link.lookup == lookup
    assert resolve_share_token(token).id == link.id
    with pytest.raises(ShareError, match="not valid"):
        resolve_share_token(lookup + "." + secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    with pytest.raises(ShareError, match="not valid"):
        resolve_share_token("garbage")


def test_cannot_share_above_own_audience_or_too_far_ahead(app_ctx):
    exp = ExperimentFactory()
    version = SpecificationVersionFactory(experiment=exp)
    kwargs = dict(
        label="x", creator=AdminFactory(), specification_version_id=version.id, spec_format="csv"
    )
    with pytest.raises(ShareError, match="above your own audience"):
        create_share_link(
            exp,
            audience=Audience.PARTICIPANTS,
            creator_audience=Audience.MEMBERS,
            expires_on=date.today() + timedelta(days=1),
            **kwargs,
        )
    with pytest.raises(ShareError, match="in the future"):
        create_share_link(
            exp,
            audience=Audience.PUBLIC,
            creator_audience=Audience.PARTICIPANTS,
            expires_on=date.today(),
            **kwargs,
        )
    with pytest.raises(ShareError, match="at most 90 days"):
        create_share_link(
            exp,
            audience=Audience.PUBLIC,
            creator_audience=Audience.PARTICIPANTS,
            expires_on=date.today() + timedelta(days=91),
            **kwargs,
        )


def test_admin_creates_a_public_spec_link_that_downloads_only_public_content(client, as_user):
    exp = ExperimentFactory()
    version = _version(exp)
    as_user(AdminFactory())
    url = f"/experiments/{exp.slug}/share"
    expires = date.today() + timedelta(days=10)
    response = post_form(
        client,
        url,
        {
            "target": f"spec:{version.id}:csv",
            "audience": "public",
            "label": "Brent procurement team",
            "expires_on": [str(expires.day), str(expires.month), str(expires.year)],
        },
    )
    text = response.get_data(as_text=True)
    assert "Link created" in text
    share_url = text.split('class="procure-share-url">')[1].split("</code>")[0]
    path = share_url.split("localhost", 1)[1]

    client.post("/logout")  # anyone with the link: no sign-in needed
    anon = client.application.test_client()
    download = anon.get(path)
    assert download.status_code == 200
    body = download.get_data(as_text=True)
    assert "ZQX7KPUB0301" in body
    assert "ZQX7KPAR0302" not in body
    link = db.session.scalar(sa.select(ShareLink))
    db.session.refresh(link)
    assert link.use_count == 1
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "share.use"))


def test_expired_revoked_and_forged_links_are_refused_and_audited(client, as_user, app):
    exp = ExperimentFactory()
    version = SpecificationVersionFactory(experiment=exp)
    admin = AdminFactory()
    link, token = create_share_link(
        exp,
        audience=Audience.PUBLIC,
        expires_on=date.today() + timedelta(days=3),
        label="x",
        creator=admin,
        creator_audience=Audience.PARTICIPANTS,
        specification_version_id=version.id,
        spec_format="json",
    )
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    expired = client.get(f"/share/{token}")
    assert expired.status_code == 404 and "expired" in expired.get_data(as_text=True)

    link.expires_at = utcnow() + timedelta(days=1)
    as_user(admin)
    revoked = post_form(
        client,
        f"/experiments/{exp.slug}/share/{link.id}/revoke",
        {},
        form_url=f"/experiments/{exp.slug}/share",
    )
    assert revoked.status_code == 302
    gone = client.get(f"/share/{token}")
    assert gone.status_code == 404 and "withdrawn" in gone.get_data(as_text=True)

    forged = client.get("/share/abc.def")
    assert forged.status_code == 404 and "not valid" in forged.get_data(as_text=True)
    refusals = db.session.scalars(
        sa.select(AuditEvent.summary).where(AuditEvent.action == "share.refused")
    ).all()
    assert len(refusals) == 3


def test_report_link_serves_the_finished_file(client, app, app_ctx):
    exp = ExperimentFactory()
    reports = Path(app.config["REPORTS_DIR"])
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "pack-public.pdf").write_bytes(b"%PDF-1.7 test file")
    export = ReportExportFactory(
        experiment=exp,
        status="done",
        file_path="pack-public.pdf",
        filename="pack-public.pdf",
        audience="members",
    )
    _link, token = create_share_link(
        exp,
        audience=Audience.PUBLIC,
        expires_on=date.today() + timedelta(days=3),
        label="x",
        creator=AdminFactory(),
        creator_audience=Audience.PARTICIPANTS,
        report_export_id=export.id,
    )
    db.session.commit()
    response = client.get(f"/share/{token}")
    try:
        assert response.status_code == 200
        assert response.data == b"%PDF-1.7 test file"
    finally:
        response.close()


def test_share_pages_are_for_admins(client, as_user):
    exp = ExperimentFactory()
    as_user(UserFactory())
    assert client.get(f"/experiments/{exp.slug}/share").status_code == 403
