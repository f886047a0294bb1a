"""Every market route × role: admin, lead organisation, procurement lead, other borough, officer, anonymous."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.market.conftest import csrf

ROLES = ["anonymous", "admin", "lead_officer", "lead_a", "lead_b", "officer_a", "member", "guest"]


def client_as(client, as_user, world, role):
    if role == "anonymous":
        return client
    return as_user(getattr(world, role))


def status_of(response) -> int:
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return 401  # sent to sign in
    return response.status_code


# GET pages: expected status by role.
GET_CASES = {
    "index": ("/market", dict.fromkeys(ROLES, 200)),
    "option": ("/market/options/{option}", dict.fromkeys(ROLES, 200)),
    "landscape": ("/landscape", dict.fromkeys(ROLES, 200)),
    "new option": (
        "/market/options/new",
        {
            "anonymous": 401,
            "admin": 200,
            "lead_officer": 200,
            "lead_a": 200,
            "lead_b": 200,
            "officer_a": 403,
            "member": 403,
            "guest": 403,
        },
    ),
    "edit option": (
        "/market/options/{option}/edit",
        {
            "anonymous": 401,
            "admin": 200,
            "lead_officer": 200,
            "lead_a": 403,
            "lead_b": 403,
            "officer_a": 403,
            "member": 403,
            "guest": 403,
        },
    ),
    "edit landscape A": (
        "/landscape/{org_a}/edit",
        {
            "anonymous": 401,
            "admin": 200,
            "lead_officer": 403,
            "lead_a": 200,
            "lead_b": 403,
            "officer_a": 403,
            "member": 403,
            "guest": 403,
        },
    ),
    "import options": (
        "/market/import/options",
        {
            "anonymous": 401,
            "admin": 200,
            "lead_officer": 200,
            "lead_a": 403,
            "lead_b": 403,
            "officer_a": 403,
            "member": 403,
            "guest": 403,
        },
    ),
    "import landscape": (
        "/market/import/landscape",
        {
            "anonymous": 401,
            "admin": 200,
            "lead_officer": 403,
            "lead_a": 200,
            "lead_b": 200,
            "officer_a": 403,
            "member": 403,
            "guest": 403,
        },
    ),
    "export csv": ("/market/export/options.csv", dict.fromkeys(ROLES, 200)),
    "export xlsx": ("/market/export/landscape.xlsx", dict.fromkeys(ROLES, 200)),
}


@pytest.mark.parametrize("case", list(GET_CASES))
@pytest.mark.parametrize("role", ROLES)
def test_get_routes_by_role(client, as_user, world, case, role):
    option = f.OptionFactory(experiment=world.experiment)
    path, expected = GET_CASES[case]
    url = f"/experiments/{world.experiment.slug}" + path.format(
        option=option.id, org_a=world.org_a.id
    )
    response = client_as(client, as_user, world, role).get(url)
    assert status_of(response) == expected[role], (case, role)


def test_unpublished_experiment_is_hidden_from_the_public(client, world, db_session):
    world.experiment.is_published = False
    db_session.flush()
    assert client.get(f"/experiments/{world.experiment.slug}/market").status_code == 404
    assert client.get(f"/experiments/{world.experiment.slug}/landscape").status_code == 404


def landscape_post(token: str) -> dict:
    return {
        "csrf_token": token,
        "option_id": "0",
        "product_name": "Mine",
        "supplier": "S",
        "contract_start": ["1", "4", "2020"],
        "contract_end": ["31", "3", "2027"],
        "extension_months": "0",
        "annual_cost": "",
        "cost_sensitivity": "participants",
        "notes": "",
        "sensitivity": "members",
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 302),
        ("lead_a", 302),
        ("lead_b", 403),
        ("lead_officer", 403),
        ("officer_a", 403),
        ("member", 403),
    ],
)
def test_posting_a_landscape_row_of_borough_a(as_user, world, role, expected):
    client = as_user(getattr(world, role))
    token = csrf(client, f"/experiments/{world.experiment.slug}/market")
    url = f"/experiments/{world.experiment.slug}/landscape/{world.org_a.id}/edit"
    assert client.post(url, data=landscape_post(token)).status_code == expected


def test_anonymous_post_is_refused(client, world):
    token = csrf(client, "/login")
    url = f"/experiments/{world.experiment.slug}/landscape/{world.org_a.id}/edit"
    assert status_of(client.post(url, data=landscape_post(token))) == 401


def test_landscape_of_an_organisation_not_taking_part_is_404(as_user, world):
    outsider = f.OrganisationFactory()
    client = as_user(world.admin)
    assert (
        client.get(f"/experiments/{world.experiment.slug}/landscape/{outsider.id}/edit").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 302), ("lead_officer", 302), ("lead_a", 403), ("officer_a", 403), ("member", 403)],
)
def test_accepting_a_proposal(as_user, world, role, expected):
    option = f.OptionFactory(experiment=world.experiment, accepted=False, proposed_by=world.lead_a)
    client = as_user(getattr(world, role))
    token = csrf(client, f"/experiments/{world.experiment.slug}/market")
    response = client.post(
        f"/experiments/{world.experiment.slug}/market/options/{option.id}/accept",
        data={"csrf_token": token, "version": option.version},
    )
    assert response.status_code == expected


def test_edit_links_follow_the_rules(as_user, world):
    f.LandscapeEntryFactory(experiment=world.experiment, organisation=world.org_a)
    f.LandscapeEntryFactory(experiment=world.experiment, organisation=world.org_b)
    html = (
        as_user(world.lead_a)
        .get(f"/experiments/{world.experiment.slug}/landscape")
        .get_data(as_text=True)
    )
    assert f"/landscape/{world.org_a.id}/edit" in html
    assert f"/landscape/{world.org_b.id}/edit" not in html
