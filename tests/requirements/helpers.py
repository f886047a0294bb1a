"""Helpers for the requirements tests: a small experiment with organisations and people."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from procure.requirements.services import RequirementInput
from procure.sensitivity import Sensitivity
from tests import factories as f

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version"[^>]*value="([^"]*)"')


def csrf(client, url: str) -> str:
    """A CSRF token for the signed-in session, read from the form at ``url``."""
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1)


def form_version(client, url: str) -> str:
    match = _VERSION.search(client.get(url).get_data(as_text=True))
    assert match, f"no version field on {url}"
    return match.group(1)


def post(client, url: str, data: dict[str, Any], form_url: str | None = None, **kwargs):
    return client.post(url, data={"csrf_token": csrf(client, form_url or url), **data}, **kwargs)


@dataclass
class World:
    experiment: Any
    admin: Any
    lead_org: Any
    lead: Any  # procurement lead of the lead organisation
    other_org: Any
    other: Any  # procurement lead of a participating organisation
    other_officer: Any  # an officer of that organisation who is not its procurement lead
    observer_org: Any
    member: Any  # officer of a member organisation not taking part
    guest: Any  # officer of a non-member partner

    @property
    def slug(self) -> str:
        return self.experiment.slug


def make_world(published: bool = True) -> World:
    exp = f.ExperimentFactory(is_published=published, stage="requirements")
    admin = f.AdminFactory()
    lead_org = f.OrganisationFactory()
    other_org = f.OrganisationFactory()
    observer_org = f.OrganisationFactory()
    lead = f.UserFactory(organisation=lead_org)
    other = f.UserFactory(organisation=other_org)
    other_officer = f.UserFactory(organisation=other_org)
    observer = f.UserFactory(organisation=observer_org)
    f.ParticipationFactory(
        experiment=exp, organisation=lead_org, role="lead", procurement_lead=lead
    )
    f.ParticipationFactory(
        experiment=exp, organisation=other_org, role="participant", procurement_lead=other
    )
    f.ParticipationFactory(
        experiment=exp, organisation=observer_org, role="observer", procurement_lead=observer
    )
    member = f.UserFactory(organisation=f.OrganisationFactory(is_member=True))
    guest = f.UserFactory(organisation=f.OrganisationFactory(is_member=False), site_role="guest")
    return World(
        exp, admin, lead_org, lead, other_org, other, other_officer, observer_org, member, guest
    )


def data(**overrides: Any) -> RequirementInput:
    values: dict[str, Any] = {
        "title": "Report a repair online",
        "statement": "The system must let residents report a repair online.",
        "acceptance_criteria": ["A resident can report a repair from a phone"],
        "category": "Functional",
        "priority": "must",
        "sensitivity": Sensitivity.PUBLIC,
    }
    values.update(overrides)
    return RequirementInput(**values)


def form_data(**overrides: Any) -> dict[str, str]:
    values = {
        "title": "Report a repair online",
        "statement": "The system must let residents report a repair online.",
        "acceptance_criteria": "A resident can report a repair\nPhotos can be attached",
        "category": "Functional",
        "priority": "must",
        "source": "other",
        "sensitivity": "public",
    }
    values.update(overrides)
    return values
