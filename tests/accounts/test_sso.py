"""Sign-in with the council's account, against a real OpenID Connect provider on loopback."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import oidc_provider_mock
import pytest
import requests
import sqlalchemy as sa

from procure.accounts.models import Organisation, User, UserIdentity
from procure.accounts.sso import can_approve
from procure.audit import AuditEvent
from tests.conftest import login
from tests.factories import PASSWORD, AdminFactory, OrganisationFactory, UserFactory


@pytest.fixture(scope="module")
def provider_url():
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso(app, provider_url, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ISSUER", provider_url)
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "procure-tests")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_SECRET", "not-a-real-secret")
    return provider_url


@pytest.fixture
def camden(db_session):
    return OrganisationFactory(name="Camden", slug="camden", email_domains="camden.gov.uk")


def _claims(provider_url, sub, **claims):
    response = requests.put(f"{provider_url}/users/{quote(sub, safe='')}", json=claims, timeout=5)
    assert response.status_code == 204


def _to_provider(client, next_path=""):
    response = client.get("/login/council" + (f"?next={next_path}" if next_path else ""))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.location).query)
    assert query["code_challenge_method"] == ["S256"]  # PKCE
    assert query["state"] and query["nonce"]
    return response.location


def _authorise(authorize_url, sub):
    """The person picks their account on the provider's form; it sends them back with a code."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    back = urlsplit(response.headers["location"])
    assert back.path == "/login/council/callback"
    return f"{back.path}?{back.query}"


def sign_in(client, sub, next_path=""):
    return client.get(_authorise(_to_provider(client, next_path), sub))


def _user(db_session, email):
    return db_session.scalar(sa.select(User).where(User.email == email))


def _actions(db_session, user):
    return [
        e.action
        for e in db_session.scalars(
            sa.select(AuditEvent).where(AuditEvent.object_id == user.id).order_by(AuditEvent.id)
        )
        if e.action.startswith("sso.")
    ]


def test_no_button_and_no_route_when_unconfigured(client, db_session):
    assert b"council account" not in client.get("/login").data
    assert client.get("/login/council").status_code == 404


def test_button_on_the_sign_in_page(client, sso):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your council account" in page
    assert 'href="/login/council' in page


def test_first_sign_in_waits_for_approval_then_gets_in(client, sso, camden, db_session):
    _claims(sso, "ada-1", email="Ada@camden.gov.uk", email_verified=True, name="Ada Lovelace")
    page = sign_in(client, "ada-1")
    assert page.status_code == 200
    assert "waiting for approval" in page.get_data(as_text=True)
    ada = _user(db_session, "ada@camden.gov.uk")
    assert ada.organisation_id == camden.id
    assert ada.approval_pending and not ada.is_active_account
    assert ada.site_role == "guest"  # never a role by itself
    assert client.get("/account").status_code == 302  # not signed in

    # Second try before approval: still waiting, no second account.
    assert "waiting for approval" in sign_in(client, "ada-1").get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(UserIdentity)) == 1

    admin = AdminFactory()
    db_session.flush()
    with client.session_transaction() as s:
        s.clear()
    login(client, admin)
    listing = client.get("/admin/approvals").get_data(as_text=True)
    assert "Ada Lovelace" in listing
    token = _csrf(listing)
    assert client.post(f"/admin/approvals/{ada.id}", data={"csrf_token": token}).status_code == 302
    db_session.refresh(ada)
    assert ada.is_active_account and not ada.approval_pending and ada.site_role == "member"
    assert _actions(db_session, ada) == ["sso.pending", "sso.approved"]

    client.post(
        "/logout", data={"csrf_token": _csrf(client.get("/account").get_data(as_text=True))}
    )
    landed = sign_in(client, "ada-1", next_path="/account")
    assert landed.status_code == 302 and landed.location == "/account"
    account = client.get("/account").get_data(as_text=True)
    assert "Council account (ada@camden.gov.uk)" in account


def _csrf(html):
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_existing_account_with_verified_email_is_linked_once(client, sso, camden, db_session):
    bea = UserFactory(email="bea@camden.gov.uk", name="Bea", organisation=camden)
    db_session.flush()
    _claims(sso, "bea-1", email="bea@camden.gov.uk", email_verified=True)
    response = sign_in(client, "bea-1")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert _actions(db_session, bea) == ["sso.linked"]

    # Another council account claiming the same address is not linked silently.
    with client.session_transaction() as s:
        s.clear()
    _claims(sso, "bea-2", email="bea@camden.gov.uk", email_verified=True)
    refused = sign_in(client, "bea-2")
    assert refused.status_code == 403
    assert "already linked" in refused.get_data(as_text=True)
    assert _actions(db_session, bea) == ["sso.linked"]


def test_unverified_email_is_refused(client, sso, camden, db_session):
    bea = UserFactory(email="cy@camden.gov.uk", organisation=camden)
    db_session.flush()
    _claims(sso, "cy-1", email="cy@camden.gov.uk", email_verified=False)
    refused = sign_in(client, "cy-1")
    assert refused.status_code == 403
    assert "not verified" in refused.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(UserIdentity)) == 0
    assert client.get("/account").status_code == 302
    assert _actions(db_session, bea) == []


def test_unknown_domain_is_refused_with_whom_to_ask(client, sso, camden, db_session):
    _claims(sso, "dee-1", email="dee@elsewhere.gov.uk", email_verified=True)
    refused = sign_in(client, "dee-1")
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert "does not use Procure yet" in text and "convenor" in text
    assert _user(db_session, "dee@elsewhere.gov.uk") is None


def test_wrong_state_is_refused(client, sso, camden, db_session):
    _claims(sso, "eve-1", email="eve@camden.gov.uk", email_verified=True)
    callback = _authorise(_to_provider(client), "eve-1")
    forged = callback.replace("state=", "state=x")
    assert client.get(forged).status_code == 400
    assert _user(db_session, "eve@camden.gov.uk") is None


def test_replayed_code_is_refused(client, sso, camden, db_session):
    UserFactory(email="fay@camden.gov.uk", organisation=camden)
    db_session.flush()
    _claims(sso, "fay-1", email="fay@camden.gov.uk", email_verified=True)
    callback = _authorise(_to_provider(client), "fay-1")
    assert client.get(callback).status_code == 302
    with client.session_transaction() as s:
        s.clear()
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "did not finish" in replay.get_data(as_text=True)


def test_mismatched_nonce_is_refused(client, sso, camden, db_session):
    UserFactory(email="gus@camden.gov.uk", organisation=camden)
    db_session.flush()
    _claims(sso, "gus-1", email="gus@camden.gov.uk", email_verified=True)
    callback = _authorise(_to_provider(client), "gus-1")
    with client.session_transaction() as s:
        key = next(k for k in s if k.startswith("_state_council_"))
        kept = dict(s[key])
        kept["data"] = {**kept["data"], "nonce": "not-the-nonce-sent"}
        s[key] = kept
    assert client.get(callback).status_code == 400
    assert client.get("/account").status_code == 302


def test_tenant_restriction(client, sso, camden, db_session, monkeypatch, app):
    monkeypatch.setitem(app.config, "OIDC_TENANT_ID", "tenant-camden")
    _claims(sso, "hal-1", email="hal@camden.gov.uk", email_verified=True, tid="tenant-other")
    assert sign_in(client, "hal-1").status_code == 403
    _claims(sso, "hal-2", email="hal2@camden.gov.uk", email_verified=True, tid="tenant-camden")
    assert "waiting for approval" in sign_in(client, "hal-2").get_data(as_text=True)


def test_sso_only_organisation_refuses_passwords(client, sso, db_session):
    org = OrganisationFactory(email_domains="islington.gov.uk", sso_only=True)
    UserFactory(email="ivy@islington.gov.uk", organisation=org)
    db_session.flush()
    page = client.post(
        "/login",
        data={
            "csrf_token": _csrf(client.get("/login").get_data(as_text=True)),
            "email": "ivy@islington.gov.uk",
            "password": PASSWORD,
        },
    )
    assert page.status_code == 200
    assert "signs in with its council account" in page.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_lead_approves_only_their_own_organisation(client, sso, camden, db_session):
    other = OrganisationFactory()
    pending = UserFactory(organisation=camden, approval_pending=True, is_active_account=False)
    member = UserFactory(organisation=camden)
    stranger = UserFactory(organisation=other)
    db_session.flush()
    assert not can_approve(member, pending)  # not a lead
    assert not can_approve(stranger, pending)
    assert can_approve(AdminFactory(), pending)


def test_domains_are_set_from_the_command_line(runner, camden, db_session):
    other = OrganisationFactory(slug="hackney", name="Hackney")
    db_session.flush()
    result = runner.invoke(
        args=["users", "sign-in-domains", "hackney", "Hackney.gov.uk", "@hackney.org.uk"]
    )
    assert result.exit_code == 0, result.output
    assert other.domains == ["hackney.gov.uk", "hackney.org.uk"] and not other.sso_only
    taken = runner.invoke(args=["users", "sign-in-domains", "hackney", "camden.gov.uk"])
    assert taken.exit_code != 0 and "Camden already owns" in taken.output
    bad = runner.invoke(args=["users", "sign-in-domains", "hackney", "not a domain!"])
    assert bad.exit_code != 0 and "is not an email domain" in bad.output
    only = runner.invoke(
        args=["users", "sign-in-domains", "camden", "camden.gov.uk", "--council-account-only"]
    )
    assert only.exit_code == 0, only.output
    assert camden.sso_only


def test_organisation_form_takes_domains(client, as_user, db_session):
    admin = AdminFactory()
    db_session.flush()
    as_user(admin)
    page = client.get("/admin/organisations").get_data(as_text=True)
    response = client.post(
        "/admin/organisations",
        data={
            "csrf_token": _csrf(page),
            "name": "Lambeth",
            "slug": "lambeth",
            "kind": "borough",
            "is_member": "y",
            "email_domains": "lambeth.gov.uk, LAMBETH.org.uk",
            "sso_only": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    from_db = db_session.scalar(sa.select(Organisation).where(Organisation.slug == "lambeth"))
    assert from_db.domains == ["lambeth.gov.uk", "lambeth.org.uk"] and from_db.sso_only
