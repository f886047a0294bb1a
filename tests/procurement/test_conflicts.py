"""The conflicts assessment: append-only reviews, the Decision gate, the page and its files."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from procure.experiments.lifecycle import gate_into
from procure.extensions import db
from procure.procurement.conflicts import add_assessment, scorers_without_current_assessment
from procure.procurement.models import ConflictAssessment
from procure.reports.document import render_report_pdf
from procure.reports.kinds import ReportError, build_document
from procure.sensitivity import Audience
from tests import factories as f
from tests.redaction import assert_redacted, inspect_pdf

SECRET = "MITIGATIONSECRET19"


@pytest.fixture
def world(db_session):
    experiment = f.ExperimentFactory(
        slug="housing", title="Housing systems", is_published=True, stage="decision"
    )
    borough = f.OrganisationFactory(name="Alpha Borough")
    f.ParticipationFactory(experiment=experiment, organisation=borough)
    scorer = f.UserFactory(name="Sam Scorer", organisation=borough)
    declarant = f.UserFactory(name="Dee Clarant", organisation=borough)
    declaration = f.DeclarationFactory(
        experiment=experiment, user=scorer, has_interest=True, interest="Sister works at Supplier 1"
    )
    f.DeclarationFactory(experiment=experiment, user=declarant)
    f.ScorecardFactory(
        option=f.OptionFactory(experiment=experiment),
        organisation=borough,
        status="submitted",
        submitted_by=scorer,
    )
    admin = f.AdminFactory(organisation=None)
    db_session.flush()
    return {
        "experiment": experiment,
        "scorer": scorer,
        "declarant": declarant,
        "declaration": declaration,
        "admin": admin,
    }


def _gate(world) -> list[str]:
    return [m.text for m in gate_into(world["experiment"], "closed")]


def test_the_gate_out_of_decision_needs_a_current_assessment_of_everyone_who_scored(world):
    assert _gate(world) == [
        "A current conflicts assessment for everyone who scored (1 still needed)"
    ]
    # Assessing someone who did not score does not open the gate.
    add_assessment(world["experiment"], world["declarant"].id, "no_conflict", "", world["admin"])
    assert _gate(world)
    review = add_assessment(
        world["experiment"],
        world["scorer"].id,
        "mitigated",
        "Does not score Supplier 1.",
        world["admin"],
    )
    assert _gate(world) == []
    # A declaration changed after the review makes the assessment out of date.
    world["declaration"].interest = "Sister and brother work at Supplier 1"
    db.session.flush()
    world["declaration"].updated_at = review.reviewed_at + timedelta(minutes=1)
    db.session.flush()
    assert scorers_without_current_assessment(world["experiment"]) == [world["scorer"].id]


def test_reviews_are_append_only(world):
    review = add_assessment(
        world["experiment"], world["scorer"].id, "no_conflict", "", world["admin"]
    )
    review.outcome = "excluded"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_a_conflict_needs_its_mitigation(client, as_user, world):
    as_user(world["admin"])
    url = "/experiments/housing/conflicts"
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(
        url, data={"csrf_token": token, "person_id": world["scorer"].id, "outcome": "mitigated"}
    )
    assert "Say how the conflict is mitigated" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConflictAssessment)) == 0
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "person_id": world["scorer"].id,
            "outcome": "mitigated",
            "mitigation": f"Does not score Supplier 1. [[participants: {SECRET}]]",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Conflict mitigated" in page and SECRET in page and "Sister works at Supplier 1" in page


def test_csv_lists_every_review_with_who_and_when(client, as_user, world):
    add_assessment(world["experiment"], world["scorer"].id, "no_conflict", "", world["admin"])
    add_assessment(
        world["experiment"], world["scorer"].id, "excluded", "Excluded: too close.", world["admin"]
    )
    as_user(world["admin"])
    response = client.get("/experiments/housing/conflicts.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    lines = text.strip().splitlines()
    assert lines[0].startswith("Person,Organisation,Scored")
    scorer_lines = [line for line in lines if line.startswith("Sam Scorer")]
    assert len(scorer_lines) == 2
    assert "Excluded from the procurement" in scorer_lines[0] and scorer_lines[0].endswith("Yes")
    assert "Dee Clarant" in text and "Not assessed" in text
    xlsx = client.get("/experiments/housing/conflicts.xlsx")
    assert xlsx.data[:2] == b"PK"


def test_the_pdf_is_for_participants_only(app, world):
    add_assessment(
        world["experiment"],
        world["scorer"].id,
        "mitigated",
        f"Kept apart. {SECRET}",
        world["admin"],
    )
    with app.test_request_context():
        for audience in (Audience.PUBLIC, Audience.MEMBERS):
            with pytest.raises(ReportError, match="participants only"):
                build_document("conflicts", world["experiment"], audience)
        document = build_document("conflicts", world["experiment"], Audience.PARTICIPANTS)
        pdf = render_report_pdf(document)
    inspection = inspect_pdf(pdf)
    assert_redacted(inspection, forbidden=["NOTHING-FORBIDDEN"], required=[SECRET, "Sam Scorer"])
    for text in inspection.pypdf_pages:
        assert Audience.PARTICIPANTS.marking.lower() in text.lower()
