"""Requirements and endorsements as services: references, revisions, staleness, audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.concurrency import StaleEdit
from procure.extensions import db
from procure.requirements.services import (
    RequirementError,
    add_category,
    agree_requirement,
    endorse,
    propose_requirement,
    split_criteria,
    update_requirement,
    withdraw_requirement,
)
from procure.sensitivity import Sensitivity
from tests.requirements.helpers import data, make_world


def _events(obj, action):
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.object_type == type(obj).__name__,
            AuditEvent.object_id == obj.id,
            AuditEvent.action == action,
        )
        .order_by(AuditEvent.id)
    ).all()


def test_references_are_sequential_and_never_reused_after_withdrawal(app_ctx):
    w = make_world()
    first = propose_requirement(w.experiment, data(title="One"), w.lead)
    second = propose_requirement(w.experiment, data(title="Two"), w.lead)
    assert (first.reference, second.reference) == ("REQ-001", "REQ-002")
    withdraw_requirement(second, "Duplicate of REQ-001", second.version, w.admin)
    third = propose_requirement(w.experiment, data(title="Three"), w.other)
    assert third.reference == "REQ-003"
    assert w.experiment.requirement_counter == 3
    assert second.status == "withdrawn" and second.number == 2


def test_references_are_per_experiment(app_ctx):
    a, b = make_world(), make_world()
    propose_requirement(a.experiment, data(), a.lead)
    assert propose_requirement(b.experiment, data(), b.lead).reference == "REQ-001"


def test_proposal_is_a_draft_and_audited_with_its_fields(app_ctx):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.other)
    assert req.status == "draft" and req.revision == 1 and req.proposed_by_id == w.other.id
    (event,) = _events(req, "requirement.propose")
    assert event.changes["title"] == [None, "Report a repair online"]
    assert event.changes["sensitivity"] == [None, "public"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"statement": "   "}, "statement"),
        ({"title": ""}, "title"),
        ({"category": "Catering"}, "category"),
        ({"priority": "urgent"}, "priority"),
        ({"source_kind": "option", "source_id": 999999}, "source"),
    ],
)
def test_bad_requirement_input_is_refused(app_ctx, overrides, field):
    w = make_world()
    with pytest.raises(RequirementError) as exc:
        propose_requirement(w.experiment, data(**overrides), w.lead)
    assert exc.value.field == field
    assert w.experiment.requirement_counter == 0


def test_revision_bumps_on_content_changes_only_and_is_audited_field_by_field(app_ctx):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.lead)
    changes = update_requirement(
        req, data(source_kind="organisation", source_id=w.lead_org.id), req.version, w.admin
    )
    assert set(changes) == {"source_kind", "source_id"} and req.revision == 1
    changes = update_requirement(
        req,
        data(
            priority="should",
            acceptance_criteria=["New criterion"],
            source_kind="organisation",
            source_id=w.lead_org.id,
        ),
        req.version,
        w.admin,
    )
    assert req.revision == 2
    assert changes["priority"] == ["must", "should"]
    assert changes["acceptance_criteria"] == [
        ["A resident can report a repair from a phone"],
        ["New criterion"],
    ]
    assert changes["revision"] == [1, 2]
    (event,) = _events(req, "requirement.update")[-1:]
    assert event.changes["priority"] == ["must", "should"]
    update_requirement(
        req,
        data(
            priority="should",
            acceptance_criteria=["New criterion"],
            sensitivity=Sensitivity.MEMBERS,
            source_kind="organisation",
            source_id=w.lead_org.id,
        ),
        req.version,
    )
    assert req.revision == 3


def test_stale_edit_is_refused_with_the_saved_values(app_ctx):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.lead)
    opened = req.version
    update_requirement(req, data(title="Saved first"), opened, w.admin)
    with pytest.raises(StaleEdit) as exc:
        update_requirement(req, data(title="Saved second"), opened, w.lead)
    assert exc.value.current["title"] == "Saved first"
    assert req.title == "Saved first"


def test_endorsement_becomes_stale_when_the_requirement_changes_and_renewal_clears_it(app_ctx):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.lead)
    agree_requirement(req, req.version, w.admin)
    e = endorse(req, w.other_org, "adopt", "", Sensitivity.MEMBERS, 0, w.other)
    assert e.revision == 1 and not e.is_stale
    update_requirement(req, data(statement="The system must do more."), req.version, w.admin)
    assert e.is_stale
    endorse(
        req,
        w.other_org,
        "adopt_with_changes",
        "Needs our templates",
        Sensitivity.MEMBERS,
        e.version,
        w.other,
    )
    assert e.revision == 2 and not e.is_stale and e.position == "adopt_with_changes"
    assert _events(e, "endorsement.update")[0].changes["revision"] == [1, 2]


def test_endorsement_rules(app_ctx):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.lead)
    with pytest.raises(RequirementError, match="not agreed"):
        endorse(req, w.other_org, "adopt", "", Sensitivity.MEMBERS, 0, w.other)
    agree_requirement(req, req.version, w.admin)
    for position in ("adopt_with_changes", "not_needed"):
        with pytest.raises(RequirementError) as exc:
            endorse(req, w.other_org, position, "  ", Sensitivity.MEMBERS, 0, w.other)
        assert exc.value.field == "comment"
    with pytest.raises(RequirementError):
        endorse(req, w.other_org, "maybe", "", Sensitivity.MEMBERS, 0, w.other)
    e = endorse(req, w.other_org, "adopt", "", Sensitivity.MEMBERS, 0, w.other)
    with pytest.raises(StaleEdit):
        endorse(req, w.other_org, "not_needed", "No", Sensitivity.MEMBERS, 0, w.other)
    assert e.position == "adopt"


def test_withdrawal_needs_a_reason_and_happens_once(app_ctx):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.lead)
    with pytest.raises(RequirementError) as exc:
        withdraw_requirement(req, "  ", req.version, w.admin)
    assert exc.value.field == "reason" and req.status == "draft"
    withdraw_requirement(req, "Not needed after all", req.version, w.admin)
    assert _events(req, "requirement.withdraw")[0].changes["withdrawn_reason"] == [
        "",
        "Not needed after all",
    ]
    with pytest.raises(RequirementError):
        withdraw_requirement(req, "Again", req.version, w.admin)


def test_only_drafts_are_agreed(app_ctx):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.lead)
    agree_requirement(req, req.version, w.admin)
    with pytest.raises(RequirementError):
        agree_requirement(req, req.version, w.admin)


def test_categories_extend_per_experiment(app_ctx):
    w = make_world()
    add_category(w.experiment, "Housing  data", w.admin)
    assert w.experiment.requirement_categories[-1] == "Housing data"
    propose_requirement(w.experiment, data(category="Housing data"), w.lead)
    with pytest.raises(RequirementError):
        add_category(w.experiment, "functional", w.admin)
    with pytest.raises(RequirementError):
        add_category(w.experiment, "", w.admin)


def test_split_criteria_one_per_line():
    assert split_criteria("- one\n\n* two \n• three\n-4 degrees") == [
        "one",
        "two",
        "three",
        "-4 degrees",
    ]
