"""Admin pages for organisations and people, and the users create command."""

import sqlalchemy as sa

from procure.accounts.models import Organisation, User
from procure.extensions import db
from tests.factories import AdminFactory, OrganisationFactory, UserFactory
from tests.helpers import post_form


def test_admin_adds_an_organisation(client, as_user):
    as_user(AdminFactory())
    response = post_form(
        client,
        "/admin/organisations",
        {"name": "London Borough of Brent", "slug": "brent", "kind": "borough", "is_member": "y"},
    )
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "brent"))
    assert org is not None and org.is_member


def test_organisation_form_bad_input_is_explained_and_kept(client, as_user):
    as_user(AdminFactory())
    OrganisationFactory(slug="camden", name="London Borough of Camden")
    hostile = "<script>alert(1)</script>"
    response = post_form(
        client, "/admin/organisations", {"name": hostile, "slug": "Not A Slug!", "kind": "borough"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use only lower-case letters, numbers and hyphens" in text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # kept, escaped

    response = post_form(
        client, "/admin/organisations", {"name": "x" * 201, "slug": "camden", "kind": "borough"}
    )
    assert "Field cannot be longer than 200 characters" in response.get_data(as_text=True)

    response = post_form(
        client,
        "/admin/organisations",
        {"name": "Camden again", "slug": "camden", "kind": "borough"},
    )
    assert "already exists" in response.get_data(as_text=True)


def test_admin_adds_a_user_with_password_rules(client, as_user):
    as_user(AdminFactory())
    org = OrganisationFactory()
    weak = post_form(
        client,
        "/admin/users",
        {
            "name": "Ada",
            "email": "ada@example.gov.uk",
            "organisation_id": org.id,
            "site_role": "member",
            "password": "password123",
        },
    )
    assert "Password must be between 12 and 200 characters" in weak.get_data(as_text=True)
    common = post_form(
        client,
        "/admin/users",
        {
            "name": "Ada",
            "email": "ada@example.gov.uk",
            "organisation_id": org.id,
            "site_role": "member",
            "password": "changeme1234",
        },
    )
    assert "too common or easy to guess" in common.get_data(as_text=True)
    ok = post_form(
        client,
        "/admin/users",
        {
            "name": "Ada",
            "email": "Ada@Example.gov.uk",
            "organisation_id": org.id,
            "site_role": "member",
            "password": "a sensible passphrase",
        },
    )
    assert ok.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "ada@example.gov.uk"))
    assert user.organisation_id == org.id
    assert user.password_hash != "a sensible passphrase"
    assert user.check_password("a sensible passphrase")


def test_non_admins_cannot_reach_admin_pages(client, as_user):
    as_user(UserFactory())
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/organisations").status_code == 403


def test_users_create_command(runner):
    OrganisationFactory(slug="hackney", name="London Borough of Hackney")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "lead@hackney.example.gov.uk",
            "--name",
            "Aisha Bello",
            "--password",
            "a sensible passphrase",
            "--organisation",
            "hackney",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created lead@hackney.example.gov.uk" in result.output
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "lead@hackney.example.gov.uk",
            "--name",
            "Aisha Bello",
            "--password",
            "a sensible passphrase",
        ]
    )
    assert again.exit_code != 0
    assert "already exists" in again.output
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "x@example.gov.uk",
            "--name",
            "X",
            "--password",
            "a sensible passphrase",
            "--organisation",
            "nowhere",
        ]
    )
    assert unknown.exit_code != 0 and "No organisation" in unknown.output
