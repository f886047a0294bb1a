"""The engagement record: activities with suppliers and the same-information check."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from procure.extensions import db
from procure.procurement.engagement import (
    EngagementError,
    add_activity,
    build_engagement_view,
    parse_documents,
)
from procure.procurement.models import EngagementActivity
from procure.sensitivity import Audience, Redactor, Sensitivity
from tests import factories as f

SECRET = "ENGAGEMENTSECRET31"


@pytest.fixture
def world(db_session):
    experiment = f.ExperimentFactory(slug="housing", title="Housing systems", is_published=True)
    lead = f.OrganisationFactory(name="Lead Borough")
    f.ParticipationFactory(experiment=experiment, organisation=lead, role="lead")
    suppliers = [
        f.OrganisationFactory(name=f"Supplier {n} Ltd", kind="supplier", is_member=False)
        for n in ("A", "B", "C")
    ]
    admin = f.AdminFactory(organisation=None)
    db_session.flush()
    return {"experiment": experiment, "suppliers": suppliers, "admin": admin}


def _activity(world, who, documents, questions=(), sensitivity=Sensitivity.PUBLIC, title="Day"):
    return add_activity(
        world["experiment"],
        kind="workshop",
        format="in_person",
        held_on=date(2027, 1, 19),
        title=title,
        sensitivity=sensitivity,
        supplier_ids=[s.id for s in who],
        documents=list(documents),
        questions=list(questions),
    )


def test_the_check_lists_what_reached_some_suppliers_and_not_others(world):
    a, b, c = world["suppliers"]
    _activity(world, [a, b, c], [("Specification", "1.0")])
    _activity(
        world,
        [a],
        [("Specification", "1.1"), ("Specification", "1.0")],
        [("Q?", "A.")],
        title="Call",
    )
    view = build_engagement_view(world["experiment"], Redactor(Audience.PARTICIPANTS))
    unequal = {u.what: u for u in view.unequal}
    assert set(unequal) == {"Document: Specification (version 1.1)", "Answers given at “Call” (1)"}
    assert unequal["Document: Specification (version 1.1)"].missed_by == [
        "Supplier B Ltd",
        "Supplier C Ltd",
    ]


def test_everyone_given_the_same_passes(world):
    a, b, _c = world["suppliers"]
    _activity(world, [a, b], [("Specification", "1.0")], [("Q?", "A.")])
    _activity(world, [b, a], [("Specification", "1.0")])
    assert build_engagement_view(world["experiment"], Redactor(Audience.PUBLIC)).unequal == []


def test_an_activity_above_the_reader_is_not_shown_nor_checked(client, world):
    a, b, _c = world["suppliers"]
    _activity(world, [a, b], [("Specification", "1.0")])
    _activity(
        world,
        [a],
        [(f"Pricing {SECRET}", "")],
        sensitivity=Sensitivity.MEMBERS,
        title=f"Secret {SECRET}",
    )
    public = build_engagement_view(world["experiment"], Redactor(Audience.PUBLIC))
    assert len(public.activities) == 1 and public.unequal == []
    html = client.get("/experiments/housing/engagement").get_data(as_text=True)
    assert SECRET not in html and "Specification, version 1.0" in html
    members = build_engagement_view(world["experiment"], Redactor(Audience.MEMBERS))
    assert [u.what for u in members.unequal] == [f"Document: Pricing {SECRET}"]


def test_document_names_are_plain_and_refuse_spans(world):
    a = world["suppliers"][0]
    with pytest.raises(EngagementError, match="cannot use"):
        _activity(world, [a], [("Spec [[members: x]]", "1.0")])
    assert parse_documents("Spec | 1.0\n\n Market study \n") == [
        ("Spec", "1.0"),
        ("Market study", ""),
    ]


def test_an_editor_records_an_activity(client, as_user, world):
    as_user(world["admin"])
    url = "/experiments/housing/engagement/new"
    html = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    a, b, _c = world["suppliers"]
    data = {
        "csrf_token": token,
        "title": "Supplier day",
        "kind": "workshop",
        "format": "online",
        "held_on": ["19", "1", "2027"],
        "supplier_ids": [str(a.id), str(b.id)],
        "documents": "Specification | 1.0",
        "sensitivity": "public",
    }
    missing = client.post(url, data={**data, "kind": ""})
    assert "Choose the kind of activity" in missing.get_data(as_text=True)
    assert "Supplier day" in missing.get_data(as_text=True)
    response = client.post(url, data=data)
    errors = re.findall(r"Error:</span>([^<]*)<", response.get_data(as_text=True))
    assert response.status_code == 302, errors
    activity = db.session.scalar(sa.select(EngagementActivity))
    assert {s.id for s in activity.suppliers} == {a.id, b.id}
    assert [(s.document, s.document_version) for s in activity.shares] == [("Specification", "1.0")]
