"""A small experiment for the market tests: a lead borough, two participants, an outsider."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests import factories as f


@dataclass
class World:
    experiment: object
    lead_org: object
    org_a: object
    org_b: object
    admin: object
    lead_officer: object  # an officer of the lead organisation, not its procurement lead
    lead_a: object  # procurement lead of org_a
    lead_b: object
    officer_a: object  # an officer of org_a, not its procurement lead
    member: object  # an officer of a member organisation not taking part
    guest: object  # a guest from a non-member partner


@pytest.fixture
def world(db_session) -> World:
    experiment = f.ExperimentFactory(slug="housing", title="Housing systems", is_published=True)
    lead_org = f.OrganisationFactory(name="Lead Borough", slug="lead-borough")
    org_a = f.OrganisationFactory(name="Alpha Borough", slug="alpha")
    org_b = f.OrganisationFactory(name="Beta Borough", slug="beta")
    outsider = f.OrganisationFactory(name="Outside Borough", slug="outside")
    partner = f.OrganisationFactory(name="Partner Ltd", slug="partner", is_member=False)
    lead_officer = f.UserFactory(organisation=lead_org)
    lead_lead = f.UserFactory(organisation=lead_org)
    lead_a = f.UserFactory(organisation=org_a)
    lead_b = f.UserFactory(organisation=org_b)
    f.ParticipationFactory(
        experiment=experiment, organisation=lead_org, role="lead", procurement_lead=lead_lead
    )
    f.ParticipationFactory(experiment=experiment, organisation=org_a, procurement_lead=lead_a)
    f.ParticipationFactory(experiment=experiment, organisation=org_b, procurement_lead=lead_b)
    db_session.flush()
    return World(
        experiment=experiment,
        lead_org=lead_org,
        org_a=org_a,
        org_b=org_b,
        admin=f.AdminFactory(organisation=None),
        lead_officer=lead_officer,
        lead_a=lead_a,
        lead_b=lead_b,
        officer_a=f.UserFactory(organisation=org_a),
        member=f.UserFactory(organisation=outsider),
        guest=f.UserFactory(organisation=partner, site_role="guest"),
    )


_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf(client, url: str) -> str:
    """A CSRF token from the form at ``url`` (GET)."""
    html = client.get(url).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no csrf token at {url}"
    return match.group(1) or match.group(2)


@pytest.fixture
def token_for():
    return csrf
