"""Market scan pages: the filterable list, comparison, option page, forms, landscape and planner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.market.models import LandscapeEntry, Option
from procure.sensitivity import Sensitivity
from tests import factories as f
from tests.market.conftest import csrf


def market_url(world, suffix: str = "") -> str:
    return f"/experiments/{world.experiment.slug}/market{suffix}"


def landscape_url(world, suffix: str = "") -> str:
    return f"/experiments/{world.experiment.slug}/landscape{suffix}"


def option_form(token: str, **overrides) -> dict:
    data = {
        "csrf_token": token,
        "kind": "product",
        "name": "Keystone Cloud",
        "supplier": "Keystone Ltd",
        "summary": "A cloud system.",
        "description": "",
        "website": "https://keystone.example",
        "hosting_model": "saas",
        "standards": "",
        "evidence": "",
        "timescale": "",
        "constraints": "",
        "cost_low": "£100,000",
        "cost_high": "200000",
        "cost_basis": "a year",
        "supplier_remarks": "",
        "commercial_sensitivity": "participants",
        "sensitivity": "public",
        "status": "longlist",
        "exclusion_reason": "",
    }
    data.update(overrides)
    return data


def test_list_filters_by_kind_status_hosting_and_text_without_js(client, world):
    exp = world.experiment
    f.OptionFactory(experiment=exp, name="Keystone Cloud", hosting_model="saas", status="shortlist")
    f.OptionFactory(experiment=exp, name="Harbour Suite", hosting_model="hosted", status="longlist")
    f.OptionFactory(
        experiment=exp,
        name="Framework call-off",
        kind="approach",
        status="shortlist",
        summary="Mini-competition under a framework.",
    )
    html = client.get(market_url(world)).get_data(as_text=True)
    assert "Keystone Cloud" in html and "Harbour Suite" in html and "Framework call-off" in html
    html = client.get(market_url(world, "?kind=approach")).get_data(as_text=True)
    assert "Framework call-off" in html and "Harbour Suite" not in html
    html = client.get(market_url(world, "?status=longlist")).get_data(as_text=True)
    assert "Harbour Suite" in html and "Showing 1 of 3" in html
    html = client.get(market_url(world, "?hosting=saas")).get_data(as_text=True)
    assert "Showing 1 of 3" in html
    html = client.get(market_url(world, "?q=mini-competition")).get_data(as_text=True)
    assert "Showing 1 of 3" in html and 'value="mini-competition"' in html
    # Unknown filter values are ignored, not an error.
    response = client.get(market_url(world, "?kind=<script>&status=nope"))
    assert response.status_code == 200 and "<script>" not in response.get_data(as_text=True)


def test_search_never_matches_text_above_the_audience(client, world):
    f.OptionFactory(
        experiment=world.experiment,
        name="Keystone",
        summary="Cloud. [[participants: ZQX7SECRETWORD]]",
    )
    html = client.get(market_url(world, "?q=ZQX7SECRETWORD")).get_data(as_text=True)
    assert "Showing 0 of 1" in html


def test_shortlist_comparison_and_excluded_reason(as_user, world):
    exp = world.experiment
    f.OptionFactory(experiment=exp, name="Short One", status="shortlist", cost_basis="a year")
    f.OptionFactory(
        experiment=exp, name="Gone", status="excluded", exclusion_reason="No cloud roadmap."
    )
    client = as_user(world.officer_a)
    html = client.get(market_url(world)).get_data(as_text=True)
    comparison = html.split('id="shortlist"')[1].split('id="options"')[0]
    assert "Short One" in comparison and "Gone" not in comparison
    assert "£100,000 to £250,000" in comparison and "(a year)" in comparison
    assert "No cloud roadmap." in html


def test_option_page_and_hostile_html_is_escaped(as_user, world):
    option = f.OptionFactory(
        experiment=world.experiment,
        description="<script>alert(1)</script> **bold**",
        website="javascript:alert(1)",
    )
    html = (
        as_user(world.officer_a)
        .get(market_url(world, f"/options/{option.id}"))
        .get_data(as_text=True)
    )
    assert "<script>alert(1)" not in html and "<strong>bold</strong>" in html
    assert 'href="javascript:' not in html


def test_option_of_another_experiment_is_404(client, world):
    other = f.OptionFactory()
    assert client.get(market_url(world, f"/options/{other.id}")).status_code == 404


def test_admin_adds_an_option_and_it_is_audited(as_user, world, db_session):
    client = as_user(world.admin)
    token = csrf(client, market_url(world, "/options/new"))
    response = client.post(market_url(world, "/options/new"), data=option_form(token))
    assert response.status_code == 302
    option = db_session.scalar(sa.select(Option).where(Option.name == "Keystone Cloud"))
    assert option.accepted and option.cost_low == Decimal("100000.00")
    assert (
        db_session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "option.create")
        ).object_id
        == option.id
    )


def test_option_form_bad_input_keeps_what_was_typed(as_user, world):
    client = as_user(world.admin)
    token = csrf(client, market_url(world, "/options/new"))
    cases = [
        ({"name": ""}, "Enter name"),
        ({"name": "x" * 201}, "Name must be 200 characters or fewer"),
        ({"cost_low": "lots"}, "must be an amount in pounds"),
        ({"cost_low": "-5"}, "cannot be negative"),
        ({"cost_low": "300000", "cost_high": "100"}, "upper end must be the same as or more"),
        ({"status": "excluded"}, "Enter the reason for excluding this option"),
        ({"status": "excluded", "cost_low": "x"}, "Enter the reason for excluding this option"),
        ({"website": "ftp://x"}, "starting with https://"),
        ({"kind": "spaceship"}, "Not a valid choice"),
        ({"summary": "bad\x00char"}, "characters that cannot be saved"),
    ]
    for overrides, message in cases:
        data = option_form(token, supplier="Typed Supplier", **overrides)
        response = client.post(market_url(world, "/options/new"), data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, overrides
        assert message in html, (overrides, message)
        assert 'value="Typed Supplier"' in html


def test_duplicate_name_is_refused(as_user, world):
    f.OptionFactory(experiment=world.experiment, name="Keystone Cloud")
    client = as_user(world.admin)
    token = csrf(client, market_url(world, "/options/new"))
    html = client.post(
        market_url(world, "/options/new"), data=option_form(token, name="keystone  cloud")
    ).get_data(as_text=True)
    assert "There is already an option called" in html


def test_stale_option_edit_is_409_with_both_versions(as_user, world, db_session):
    option = f.OptionFactory(experiment=world.experiment, name="Keystone Cloud", supplier="Old")
    client = as_user(world.admin)
    token = csrf(client, market_url(world, f"/options/{option.id}/edit"))
    stale = option.version
    option.supplier = "Saved By Someone Else"
    db_session.flush()
    response = client.post(
        market_url(world, f"/options/{option.id}/edit"),
        data=option_form(token, version=str(stale), supplier="My Typed Supplier"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Saved By Someone Else" in html and 'value="My Typed Supplier"' in html
    assert f'name="version" type="hidden" value="{option.version}"' in html
    db_session.refresh(option)
    assert option.supplier == "Saved By Someone Else"
    # Re-submitting on top of the current version applies.
    response = client.post(
        market_url(world, f"/options/{option.id}/edit"),
        data=option_form(token, version=str(option.version), supplier="My Typed Supplier"),
    )
    assert response.status_code == 302
    db_session.refresh(option)
    assert option.supplier == "My Typed Supplier"


def test_procurement_lead_proposes_and_lead_organisation_accepts(as_user, world, db_session):
    client = as_user(world.lead_a)
    token = csrf(client, market_url(world, "/options/new"))
    response = client.post(market_url(world, "/options/new"), data=option_form(token))
    assert response.status_code == 302
    option = db_session.scalar(sa.select(Option).where(Option.name == "Keystone Cloud"))
    assert option.accepted is False and option.proposed_by_id == world.lead_a.id
    # The proposer can open it; it is not in the list until it is accepted.
    assert client.get(market_url(world, f"/options/{option.id}")).status_code == 200
    assert "Keystone Cloud" not in client.get(market_url(world)).get_data(as_text=True)
    assert (
        as_user(world.officer_a).get(market_url(world, f"/options/{option.id}")).status_code == 404
    )
    # The proposer may not accept it.
    assert (
        client.post(
            market_url(world, f"/options/{option.id}/accept"),
            data={"csrf_token": token, "version": option.version},
        ).status_code
        == 403
    )
    lead = as_user(world.lead_officer)
    html = lead.get(market_url(world)).get_data(as_text=True)
    assert "waiting for acceptance" in html and "Keystone Cloud" in html
    token = csrf(lead, market_url(world))
    response = lead.post(
        market_url(world, f"/options/{option.id}/accept"),
        data={"csrf_token": token, "version": option.version},
    )
    assert response.status_code == 302
    db_session.refresh(option)
    assert option.accepted is True


def test_landscape_table_and_planner_cohorts(as_user, world):
    exp = world.experiment
    f.LandscapeEntryFactory(
        experiment=exp,
        organisation=world.lead_org,
        contract_end=date(2027, 3, 31),
        extension_months=6,
    )
    f.LandscapeEntryFactory(
        experiment=exp,
        organisation=world.org_a,
        contract_end=date(2027, 6, 30),
        extension_months=0,
    )
    f.LandscapeEntryFactory(
        experiment=exp,
        organisation=world.org_b,
        contract_end=date(2031, 6, 30),
        extension_months=0,
    )
    client = as_user(world.officer_a)
    html = client.get(landscape_url(world)).get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "Cohort 1: a joint contract could start from 30 June 2027 until 30 June 2028" in html
    assert "Not in a cohort" in html and "Beta Borough: contract ends 30 June 2031" in html
    # A wider span brings Beta Borough in.
    html = client.get(landscape_url(world, "?span=60")).get_data(as_text=True)
    assert "Cohort 1: a joint contract could start from 30 June 2031" in html
    assert "Not in a cohort" not in html
    # A bad span is explained, and the default is used.
    for bad in ("abc", "-1", "61", "1.5"):
        html = client.get(landscape_url(world, f"?span={bad}")).get_data(as_text=True)
        assert "There is a problem" in html and "With a span of 12 months" in html, bad


def test_landscape_form_edits_own_row_and_checks_dates(as_user, world, db_session):
    client = as_user(world.lead_a)
    url = landscape_url(world, f"/{world.org_a.id}/edit")
    token = csrf(client, url)
    data = {
        "csrf_token": token,
        "option_id": "0",
        "product_name": "Legacy 5",
        "supplier": "Old plc",
        "contract_start": ["1", "4", "2020"],
        "contract_end": ["31", "3", "2019"],
        "extension_months": "6",
        "annual_cost": "180000",
        "cost_sensitivity": "participants",
        "notes": "",
        "sensitivity": "members",
    }
    html = client.post(url, data=data).get_data(as_text=True)
    assert "The contract end must be the same as or after its start" in html
    data["contract_end"] = ["31", "2", "2027"]
    assert "must be a real date" in client.post(url, data=data).get_data(as_text=True)
    data["contract_end"] = ["31", "3", "2027"]
    data["extension_months"] = "-2"
    assert "from 0 to 240" in client.post(url, data=data).get_data(as_text=True)
    data["extension_months"] = "six"
    assert "must be a whole number" in client.post(url, data=data).get_data(as_text=True)
    data["extension_months"] = "6"
    assert client.post(url, data=data).status_code == 302
    entry = db_session.scalar(
        sa.select(LandscapeEntry).where(LandscapeEntry.organisation_id == world.org_a.id)
    )
    assert entry.contract_end == date(2027, 3, 31) and entry.sensitivity == Sensitivity.MEMBERS


def test_stale_landscape_edit_is_409(as_user, world, db_session):
    entry = f.LandscapeEntryFactory(
        experiment=world.experiment, organisation=world.org_a, supplier="Old plc"
    )
    client = as_user(world.lead_a)
    url = landscape_url(world, f"/{world.org_a.id}/edit")
    token = csrf(client, url)
    stale = entry.version
    entry.supplier = "Saved Elsewhere plc"
    db_session.flush()
    data = {
        "csrf_token": token,
        "version": str(stale),
        "option_id": "0",
        "product_name": "P",
        "supplier": "My Typed plc",
        "contract_start": ["1", "4", "2020"],
        "contract_end": ["31", "3", "2027"],
        "extension_months": "0",
        "annual_cost": "",
        "cost_sensitivity": "participants",
        "notes": "",
        "sensitivity": "members",
    }
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Saved Elsewhere plc" in html and 'value="My Typed plc"' in html
    db_session.refresh(entry)
    assert entry.supplier == "Saved Elsewhere plc"
