"""Specification versions: numbering, snapshots, change logs and immutability."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from procure.extensions import db
from procure.requirements.models import SpecificationImmutableError, SpecificationVersion
from procure.requirements.services import (
    RequirementError,
    agree_requirement,
    endorse,
    propose_requirement,
    update_requirement,
    withdraw_requirement,
)
from procure.requirements.versions import parse_version_number, publish_version
from procure.sensitivity import Sensitivity
from tests.requirements.helpers import data, make_world


def _agreed(w, **overrides):
    req = propose_requirement(w.experiment, data(**overrides), w.lead)
    agree_requirement(req, req.version, w.admin)
    return req


@pytest.mark.parametrize("text", ["1", "1.", "v1.0", "1.0.0", "01.0", "a.b", "", "1,0", " -1.0"])
def test_version_numbers_must_be_major_dot_minor(text):
    with pytest.raises(RequirementError):
        parse_version_number(text)


def test_version_numbers_parse():
    assert parse_version_number("0.1") == (0, 1)
    assert parse_version_number(" 10.12 ") == (10, 12)


def test_publishing_needs_something_agreed(app_ctx):
    w = make_world()
    propose_requirement(w.experiment, data(), w.lead)  # a draft only
    with pytest.raises(RequirementError, match="Nothing is agreed"):
        publish_version(w.experiment, "0.1", "", w.admin)


def test_numbers_must_increase(app_ctx):
    w = make_world()
    _agreed(w)
    publish_version(w.experiment, "0.2", "", w.admin)
    for number in ("0.2", "0.1", "0.0"):
        with pytest.raises(RequirementError, match="not after"):
            publish_version(w.experiment, number, "", w.admin)
    assert publish_version(w.experiment, "0.10", "", w.admin).number == "0.10"
    assert publish_version(w.experiment, "1.0", "", w.admin).number == "1.0"


def test_snapshot_holds_agreed_requirements_and_endorsements_with_every_field(app_ctx):
    w = make_world()
    a = _agreed(w, sensitivity=Sensitivity.MEMBERS, title="Members one")
    propose_requirement(w.experiment, data(title="Still a draft"), w.lead)
    endorse(a, w.other_org, "not_needed", "We have one", Sensitivity.PARTICIPANTS, 0, w.other)
    v = publish_version(w.experiment, "0.1", "First", w.admin)
    (record,) = v.snapshot["requirements"]
    assert record["reference"] == a.reference and record["sensitivity"] == "members"
    assert record["acceptance_criteria"] == a.acceptance_criteria
    (e,) = v.snapshot["endorsements"]
    assert e["position"] == "not_needed" and e["comment_sensitivity"] == "participants"
    assert e["revision"] == 1 and e["stale"] is False
    assert v.changelog["added"] == [
        {"reference": a.reference, "title": "Members one", "sensitivity": "members"}
    ]


def test_change_log_lists_added_changed_field_by_field_and_withdrawn(app_ctx):
    w = make_world()
    keep = _agreed(w, title="Keep")
    change = _agreed(w, title="Change me")
    gone = _agreed(w, title="Withdraw me")
    publish_version(w.experiment, "0.1", "", w.admin)
    update_requirement(
        change,
        data(title="Changed", priority="could", acceptance_criteria=["One", "Two"]),
        change.version,
        w.admin,
    )
    withdraw_requirement(gone, "Covered elsewhere", gone.version, w.admin)
    new = _agreed(w, title="Brand new")
    v = publish_version(w.experiment, "1.0", "", w.admin)
    log = v.changelog
    assert [e["reference"] for e in log["added"]] == [new.reference]
    assert log["withdrawn"] == [
        {
            "reference": gone.reference,
            "title": "Withdraw me",
            "sensitivity": "public",
            "reason": "Covered elsewhere",
        }
    ]
    (changed,) = log["changed"]
    assert changed["reference"] == change.reference
    assert changed["fields"] == {
        "title": ["Change me", "Changed"],
        "acceptance_criteria": [["A resident can report a repair from a phone"], ["One", "Two"]],
        "priority": ["must", "could"],
    }
    assert keep.reference not in {e["reference"] for e in log["changed"]}


def test_published_version_is_immutable_in_the_orm(app_ctx):
    w = make_world()
    _agreed(w)
    v = publish_version(w.experiment, "0.1", "Notes", w.admin)
    db.session.flush()
    nested = db.session.begin_nested()
    v.release_notes = "Rewritten"
    with pytest.raises(SpecificationImmutableError, match="cannot be changed"):
        db.session.flush()
    nested.rollback()
    nested = db.session.begin_nested()
    db.session.delete(v)
    with pytest.raises(SpecificationImmutableError, match="cannot be deleted"):
        db.session.flush()
    nested.rollback()
    db.session.expire_all()
    assert db.session.get(SpecificationVersion, v.id).release_notes == "Notes"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE specification_versions SET release_notes = 'Rewritten' WHERE id = :id",
        "DELETE FROM specification_versions WHERE id = :id",
    ],
)
def test_published_version_is_immutable_in_the_database(app_ctx, statement):
    w = make_world()
    _agreed(w)
    v = publish_version(w.experiment, "0.1", "Notes", w.admin)
    db.session.flush()
    nested = db.session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement), {"id": v.id})
    nested.rollback()
    notes = db.session.scalar(
        sa.text("SELECT release_notes FROM specification_versions WHERE id = :id"), {"id": v.id}
    )
    assert notes == "Notes"


def test_a_version_can_be_published_with_its_own_date(app_ctx):
    w = make_world()
    _agreed(w)
    when = datetime(2026, 10, 19, 16, 0)
    version = publish_version(w.experiment, "0.1", "", w.admin, published_at=when)
    db.session.expire(version)
    assert version.published_at == when
