"""The handover pack: a ZIP export job with a manifest of every file, its SHA-256 and audience."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

from procure.extensions import db
from procure.procurement.conflicts import add_assessment
from procure.procurement.engagement import add_activity
from procure.reports.kinds import ReportError, resolve_params
from procure.reports.models import ReportExport
from procure.sensitivity import Audience
from tests import factories as f
from tests.redaction import assert_redacted, inspect_pdf

MEMBER_SECRET = "HANDOVERMEMBER55"


@pytest.fixture
def world(db_session):
    experiment = f.ExperimentFactory(slug="housing", title="Housing systems", is_published=True)
    alpha = f.OrganisationFactory(name="Alpha Borough", slug="alpha", ppon="PALP-1234-ABCD")
    beta = f.OrganisationFactory(name="Beta Borough", slug="beta")
    observer = f.OrganisationFactory(name="Observer Borough", slug="observer")
    f.ParticipationFactory(experiment=experiment, organisation=alpha, role="lead")
    f.ParticipationFactory(experiment=experiment, organisation=beta)
    f.ParticipationFactory(experiment=experiment, organisation=observer, role="observer")
    notice = f.ProcurementNoticeFactory(
        experiment=experiment,
        title="Housing systems notice",
        description=f"Public words. [[members: {MEMBER_SECRET}]]",
    )
    for org in (alpha, beta):
        f.NoticeAuthorityFactory(notice=notice, organisation=org)
    supplier = f.OrganisationFactory(name="Supplier Ltd", kind="supplier", is_member=False)
    scorer = f.UserFactory(name="Sam Scorer", organisation=alpha)
    f.DeclarationFactory(experiment=experiment, user=scorer)
    admin = f.AdminFactory(organisation=None)
    db_session.flush()
    add_assessment(experiment, scorer.id, "no_conflict", "", admin)
    add_activity(
        experiment,
        kind="meeting",
        format="online",
        held_on=date(2027, 1, 5),
        title="Supplier meeting",
        supplier_ids=[supplier.id],
        documents=[("Specification", "1.0")],
        questions=[("Phased migration?", "Yes.")],
    )
    db_session.flush()
    return {"experiment": experiment, "admin": admin}


def test_an_admin_prepares_a_borough_pack_recorded_like_other_exports(client, as_user, world):
    as_user(world["admin"])
    url = "/experiments/housing/handover"
    html = client.get(url).get_data(as_text=True)
    assert "Alpha Borough" in html and "Observer Borough" not in html
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(url, data={"csrf_token": token, "organisation": "alpha"})
    assert response.status_code == 302
    export = db.session.scalar(sa.select(ReportExport))
    assert (export.kind, export.audience, export.params) == (
        "handover",
        "participants",
        {"organisation": "alpha"},
    )
    assert export.status == "done", export.error
    assert response.headers["Location"].endswith(f"/experiments/housing/reports/{export.id}")
    download = client.get(f"/experiments/housing/reports/{export.id}/download")
    assert download.mimetype == "application/zip"
    assert export.filename == "housing-handover-alpha-participants.zip"
    assert hashlib.sha256(download.data).hexdigest() == export.sha256

    archive = zipfile.ZipFile(io.BytesIO(download.data))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organisation"] == "alpha" and manifest["audience"] == "participants"
    listed = {item["file"]: item for item in manifest["files"]}
    assert set(listed) == {
        "scoring-report.pdf",
        "uk2-notice.pdf",
        "housing-uk2-ocds.json",
        "conflicts-assessment.pdf",
        "engagement-record.csv",
    }
    for name, item in listed.items():
        data = archive.read(name)
        assert hashlib.sha256(data).hexdigest() == item["sha256"] and len(data) == item["bytes"]
    assert listed["uk2-notice.pdf"]["audience"] == "public"
    assert listed["housing-uk2-ocds.json"]["audience"] == "public"
    assert listed["conflicts-assessment.pdf"]["audience"] == "participants"
    # The public files hold nothing above public, inside a participants pack.
    assert_redacted(
        inspect_pdf(archive.read("uk2-notice.pdf")),
        forbidden=[MEMBER_SECRET],
        required=["Public words"],
    )
    assert MEMBER_SECRET not in archive.read("housing-uk2-ocds.json").decode()
    record = archive.read("engagement-record.csv").decode()
    assert "Supplier meeting" in record and "Q: Phased migration? A: Yes." in record
    assert "Sam Scorer" in inspect_pdf(archive.read("conflicts-assessment.pdf")).pypdf_text


def test_a_pack_is_for_a_borough_taking_part_and_for_participants(app_ctx, world):
    experiment = world["experiment"]
    with pytest.raises(ReportError, match="participants only"):
        resolve_params(experiment, "handover", Audience.MEMBERS, organisation="alpha")
    with pytest.raises(ReportError, match="No borough 'observer' takes part"):
        resolve_params(experiment, "handover", Audience.PARTICIPANTS, organisation="observer")
    with pytest.raises(ReportError, match="Choose the borough"):
        resolve_params(experiment, "handover", Audience.PARTICIPANTS)
