"""Every foundation route × every kind of person → the status they get.

Feature routes have their own access tables beside their tests; this one
covers the pages every experiment shares. One row per (route, role).
"""

from __future__ import annotations

import pytest

from tests.factories import (
    AdminFactory,
    ExperimentFactory,
    OrganisationFactory,
    ParticipationFactory,
    UserFactory,
)

ROLES = [
    "anonymous",
    "guest",  # a partner organisation outside the network
    "member",  # an officer of a member organisation not taking part
    "officer",  # an officer of a participating borough
    "procurement_lead",  # the nominated lead of a participating borough
    "lead_org_officer",  # an officer of the experiment's lead organisation
    "observer",  # an officer of an observer organisation
    "admin",
]


@pytest.fixture
def world(db_session):
    published = ExperimentFactory(slug="published", is_published=True)
    draft = ExperimentFactory(slug="draft", is_published=False)
    people = {"anonymous": None, "admin": AdminFactory()}
    people["guest"] = UserFactory(
        organisation=OrganisationFactory(is_member=False), site_role="guest"
    )
    people["member"] = UserFactory()
    for exp in (published, draft):
        part = ParticipationFactory(experiment=exp, role="participant")
        lead_part = ParticipationFactory(experiment=exp, role="lead")
        obs = ParticipationFactory(experiment=exp, role="observer")
        if exp is published:
            people["officer"] = UserFactory(organisation=part.organisation)
            people["procurement_lead"] = UserFactory(organisation=part.organisation)
            part.procurement_lead = people["procurement_lead"]
            people["lead_org_officer"] = UserFactory(organisation=lead_part.organisation)
            people["observer"] = UserFactory(organisation=obs.organisation)
    db_session.flush()
    return people


# (path, expected status per role in ROLES order)
TABLE = [
    ("/", [200] * 8),
    ("/login", [200, 302, 302, 302, 302, 302, 302, 302]),
    ("/accessibility", [200] * 8),
    ("/experiments/published", [200] * 8),
    # Unpublished experiments: hidden from the public, open to the network's members.
    ("/experiments/draft", [404, 403, 200, 200, 200, 200, 200, 200]),
    ("/experiments/new", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("/experiments/published/edit", [302, 403, 403, 403, 403, 200, 403, 200]),
    ("/experiments/published/participants", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("/admin/organisations", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("/admin/users", [302, 403, 403, 403, 403, 403, 403, 200]),
    # People waiting after a first council-account sign-in: admins, and leads for their own.
    ("/admin/approvals", [302, 403, 403, 403, 200, 403, 403, 200]),
    # Sign-in with the council account is not configured in the suite: no such page.
    ("/login/council", [404] * 8),
    ("/login/council/callback", [404] * 8),
    ("/experiments/no-such-experiment", [404] * 8),
    # Your work, and the convenor's deadlines.
    ("/work", [302, 200, 200, 200, 200, 200, 200, 200]),
    ("/experiments/published/deadlines", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("/experiments/draft/deadlines", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("/experiments/published/progress", [302, 403, 403, 403, 403, 403, 403, 200]),
]

CASES = [(path, role, statuses[i]) for path, statuses in TABLE for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(
    ("path", "role", "expected"), CASES, ids=[f"{p} as {r}" for p, r, _ in CASES]
)
def test_access(client, as_user, world, path, role, expected):
    if world[role] is not None:
        as_user(world[role])
    response = client.get(path)
    assert response.status_code == expected, f"{role} on {path}"


# CSRF is checked before anything else, so a forged post is a 400 for everyone.
POSTS = [
    ("/experiments/published/publish", [400] * 8),
    ("/experiments/new", [400] * 8),
    ("/experiments/published/edit", [400] * 8),
    ("/logout", [400] * 8),
    ("/admin/approvals/1", [400] * 8),
]
POST_CASES = [(path, role, statuses[i]) for path, statuses in POSTS for i, role in enumerate(ROLES)]


@pytest.mark.parametrize(
    ("path", "role", "expected"), POST_CASES, ids=[f"POST {p} as {r}" for p, r, _ in POST_CASES]
)
def test_posts_without_a_token_write_nothing(client, as_user, world, path, role, expected):
    """A forged post (no CSRF token) never succeeds, whoever sends it."""
    if world[role] is not None:
        as_user(world[role])
    response = client.post(path, data={"publish": "y"})
    assert response.status_code == expected
