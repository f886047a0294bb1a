"""Shared helpers for the workshops tests: CSRF tokens, a small experiment with every role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.factories import (
    AdminFactory,
    ExperimentFactory,
    OrganisationFactory,
    ParticipationFactory,
    UserFactory,
    WorkshopFactory,
)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf(client, url: str) -> str:
    """A CSRF token for the signed-in session, read from the form at ``url``."""
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1)


def post(client, url: str, data: dict[str, Any], form_url: str | None = None):
    """POST ``data`` to ``url`` with a CSRF token taken from ``form_url`` (default ``url``)."""
    token = csrf(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data})


@dataclass
class World:
    """An experiment with a lead organisation, a participant, a member outside it and an admin."""

    experiment: Any
    workshop: Any
    admin: Any
    lead_officer: Any
    participant_officer: Any
    member_officer: Any
    lead_org: Any
    participant_org: Any

    @property
    def base(self) -> str:
        return f"/experiments/{self.experiment.slug}/workshops"

    @property
    def page(self) -> str:
        return f"{self.base}/{self.workshop.id}"


def make_world(published: bool = True) -> World:
    experiment = ExperimentFactory(is_published=published, stage="scoring")
    lead_org = OrganisationFactory()
    participant_org = OrganisationFactory()
    member_org = OrganisationFactory()
    ParticipationFactory(experiment=experiment, organisation=lead_org, role="lead")
    ParticipationFactory(experiment=experiment, organisation=participant_org)
    workshop = WorkshopFactory(experiment=experiment, title="Options workshop")
    return World(
        experiment=experiment,
        workshop=workshop,
        admin=AdminFactory(organisation=OrganisationFactory(kind="convenor")),
        lead_officer=UserFactory(organisation=lead_org),
        participant_officer=UserFactory(organisation=participant_org),
        member_officer=UserFactory(organisation=member_org),
        lead_org=lead_org,
        participant_org=participant_org,
    )


GOOD_WORKSHOP = {
    "title": "Requirements workshop",
    "day": ["3", "12", "2026"],
    "start_time": "10:00",
    "end_time": "12:30",
    "location": "Committee Room 1",
    "stage": "requirements",
    "purpose": "Agree the first draft. [[members: Camden leads.]]",
    "facilitator": "Genta Okafor",
    "sensitivity": "public",
}
