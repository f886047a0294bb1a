"""Stage gates: a refused move lists what is missing; overrides and moves back need reasons."""

import pytest
import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.experiments.lifecycle import StageError, gate_into, move_stage
from procure.experiments.models import StageTransition
from procure.extensions import db
from tests.factories import (
    AdminFactory,
    CriterionFactory,
    ExperimentFactory,
    OptionFactory,
    ParticipationFactory,
    ScorecardFactory,
    SpecificationVersionFactory,
)
from tests.helpers import post_form


def test_gate_into_scoring_lists_everything_missing(app_ctx):
    exp = ExperimentFactory(stage="market_scan")
    OptionFactory(experiment=exp, status="shortlist")
    missing = [m.text for m in gate_into(exp, "scoring")]
    assert missing == [
        "At least two options on the shortlist (there are 1)",
        "At least one feasibility criterion",
        "At least one desirability criterion",
    ]
    OptionFactory(experiment=exp, status="shortlist")
    CriterionFactory(experiment=exp, dimension="feasibility")
    CriterionFactory(experiment=exp, dimension="desirability")
    assert gate_into(exp, "scoring") == []


def test_gate_into_requirements_needs_every_scorecard(app_ctx):
    exp = ExperimentFactory(stage="scoring")
    a, b = OptionFactory(experiment=exp), OptionFactory(experiment=exp)
    OptionFactory(experiment=exp, status="longlist")  # not shortlisted: not needed
    camden = ParticipationFactory(experiment=exp, organisation__name="Camden")
    hackney = ParticipationFactory(experiment=exp, organisation__name="Hackney")
    ParticipationFactory(experiment=exp, role="observer")  # observers do not score
    for option in (a, b):
        ScorecardFactory(option=option, organisation=camden.organisation, status="submitted")
    ScorecardFactory(option=a, organisation=hackney.organisation, status="submitted")
    ScorecardFactory(option=b, organisation=hackney.organisation, status="draft")
    assert [m.text for m in gate_into(exp, "requirements")] == [
        "Hackney has not submitted 1 of 2 shortlisted options"
    ]


def test_gate_into_decision_needs_a_published_version(app_ctx):
    exp = ExperimentFactory(stage="requirements")
    assert [m.text for m in gate_into(exp, "decision")] == ["A published specification version"]
    SpecificationVersionFactory(experiment=exp)
    assert gate_into(exp, "decision") == []


def test_refused_move_then_override_with_reason(app_ctx):
    exp = ExperimentFactory(stage="market_scan")
    with pytest.raises(StageError) as refused:
        move_stage(exp, "scoring")
    assert len(refused.value.missing) == 3
    with pytest.raises(StageError, match="reason for overriding"):
        move_stage(exp, "scoring", override=True)
    move_stage(exp, "scoring", override=True, reason="Criteria agreed offline; entering them today")
    assert exp.stage == "scoring"
    transition = db.session.scalar(sa.select(StageTransition))
    assert transition.overridden and transition.from_stage == "market_scan"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "experiment.stage"))
    assert event.changes["overridden"] is True
    assert len(event.changes["missing"]) == 3


def test_moving_back_needs_a_reason_and_skipping_is_refused(app_ctx):
    exp = ExperimentFactory(stage="scoring")
    with pytest.raises(StageError, match="reason for moving back"):
        move_stage(exp, "market_scan")
    move_stage(exp, "market_scan", reason="Two new products found")
    assert exp.stage == "market_scan"
    with pytest.raises(StageError, match="one stage at a time"):
        move_stage(exp, "requirements", override=True, reason="x")


def test_stage_page_shows_missing_with_links_and_moves(client, as_user):
    exp = ExperimentFactory(stage="framing")
    as_user(AdminFactory())
    url = f"/experiments/{exp.slug}/stage"
    page = client.get(url).get_data(as_text=True)
    assert "At least two options on the shortlist" in page  # the gate into scoring, shown ahead
    response = post_form(client, url, {"to_stage": "market_scan", "reason": ""})
    assert response.status_code == 302
    assert exp.stage == "market_scan"
    refused = post_form(client, url, {"to_stage": "scoring", "reason": ""})
    text = refused.get_data(as_text=True)
    assert "Scoring cannot start yet" in text
    assert "At least one feasibility criterion" in text
    assert exp.stage == "market_scan"


def test_only_admins_move_stages(client, as_user):
    exp = ExperimentFactory()
    part = ParticipationFactory(experiment=exp, role="lead")
    from tests.factories import UserFactory

    as_user(UserFactory(organisation=part.organisation))
    assert client.get(f"/experiments/{exp.slug}/stage").status_code == 403
