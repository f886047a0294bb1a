"""One policy per text field (procure/text_policy.py), enforced by every form and import.

A field that accepts spans goes through the Redactor wherever it appears (the canary
suite proves it); a plain field refuses ``[[`` with a message beside the field, and the
person's input is kept.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import sqlalchemy as sa

from procure.accounts.models import Organisation, User
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.forms import AcceptsSpans
from procure.market.importing import preview_import
from procure.text_policy import (
    NOT_TYPED_TEXT,
    TEXT_FIELDS,
    excluded,
    policy_table,
    span_problem,
    string_columns,
)
from tests.factories import (
    AdminFactory,
    ExperimentFactory,
    OptionFactory,
    OrganisationFactory,
    WorkshopFactory,
)
from tests.helpers import post_form


def _columns():
    return string_columns(db.Model.registry.mappers)


def test_every_string_column_has_a_policy_or_a_reason(app):
    """A new text column must be given a policy (or a reason it is not typed text)."""
    without = [
        key for _m, key, col in _columns() if key not in TEXT_FIELDS and not excluded(key, col)
    ]
    assert not without, (
        "String columns with no text policy: add each to TEXT_FIELDS (spans or plain) or to "
        f"NOT_TYPED_TEXT with a reason, in procure/text_policy.py: {without}"
    )


def test_the_policy_names_only_columns_that_exist(app):
    keys = {key for _m, key, _c in _columns()}
    stale = [
        k for k in [*TEXT_FIELDS, *NOT_TYPED_TEXT] if not k.startswith("type:") and k not in keys
    ]
    assert not stale, f"procure/text_policy.py names columns that do not exist: {stale}"
    assert not set(TEXT_FIELDS) & set(NOT_TYPED_TEXT)
    assert all(reason.strip() for reason in NOT_TYPED_TEXT.values())


def test_readme_shows_the_policy_as_it_is():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert policy_table() in readme, "README's text policy table is out of date:\n" + policy_table()


def test_a_plain_column_cannot_be_marked_as_accepting_spans():
    with pytest.raises(ValueError, match="plain text"):
        AcceptsSpans("organisations.name")


@pytest.mark.parametrize(
    ("value", "accepts", "problem"),
    [
        ("Camden", False, None),
        ("Camden [[members: secret]]", False, "cannot use"),
        ("Title [[participants: secret]]", True, None),
        ("Title [[ members: secret]]", True, "does not start"),
        ("Title [[Members: secret]]", True, None),  # the Redactor reads spans in any case
        ("Title [[secret]]", True, "does not start"),
        (["one", "two [[members: x]]"], True, None),
        (["one", "two [[members: x]]"], False, "cannot use"),
    ],
)
def test_span_problem(value, accepts, problem):
    found = span_problem(value, accepts, "Name")
    assert (found is None) if problem is None else (problem in found)


def _assert_refused_beside_field(response, field_id: str, typed: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 409), response.status_code
    assert "There is a problem" in text
    assert f'href="#{field_id}"' in text  # the error summary links to the field
    assert "cannot use [[members: …]] or [[participants: …]]" in html.unescape(text)
    assert html.escape(typed, quote=True) in text or typed in html.unescape(text)  # kept


def test_organisation_name_refuses_spans(client, as_user):
    as_user(AdminFactory())
    typed = "Brent [[members: ZQX7KMEM0001]]"
    response = post_form(
        client, "/admin/organisations", {"name": typed, "slug": "brent", "kind": "borough"}
    )
    _assert_refused_beside_field(response, "name", typed)
    assert db.session.scalar(sa.select(Organisation).where(Organisation.slug == "brent")) is None


def test_person_name_refuses_spans(client, as_user):
    as_user(AdminFactory())
    org = OrganisationFactory()
    typed = "Ada [[participants: ZQX7KPAR0001]]"
    response = post_form(
        client,
        "/admin/users",
        {
            "name": typed,
            "email": "ada@example.gov.uk",
            "organisation_id": org.id,
            "site_role": "member",
            "password": "a long and unusual passphrase 42",
        },
    )
    _assert_refused_beside_field(response, "name", typed)
    assert db.session.scalar(sa.select(User).where(User.email == "ada@example.gov.uk")) is None


def test_share_link_label_refuses_spans(client, as_user):
    exp = ExperimentFactory()
    as_user(AdminFactory())
    typed = "For Brent [[members: ZQX7KMEM0002]]"
    response = post_form(
        client,
        f"/experiments/{exp.slug}/share",
        {"label": typed, "target": "", "audience": "public"},
    )
    _assert_refused_beside_field(response, "label", typed)


def test_option_name_refuses_spans(client, as_user):
    exp = ExperimentFactory()
    as_user(AdminFactory())
    typed = "Civica [[participants: ZQX7KPAR0003]]"
    response = post_form(
        client,
        f"/experiments/{exp.slug}/market/options/new",
        {
            "kind": "product",
            "name": typed,
            "sensitivity": "public",
            "commercial_sensitivity": "participants",
        },
    )
    _assert_refused_beside_field(response, "name", typed)


def test_workshop_facilitator_refuses_spans_but_the_title_accepts_them(client, as_user):
    exp = ExperimentFactory()
    workshop = WorkshopFactory(experiment=exp)
    as_user(AdminFactory())
    typed = "Jo [[members: ZQX7KMEM0004]]"
    data = {
        "title": "Moderation [[participants: ZQX7KPAR0005]]",
        "day-day": "5",
        "day-month": "10",
        "day-year": "2026",
        "start_time": "10:00",
        "end_time": "12:00",
        "location": "Room 1",
        "stage": exp.stage,
        "purpose": "",
        "facilitator": typed,
        "sensitivity": "public",
        "version": str(workshop.version),
    }
    response = post_form(client, f"/experiments/{exp.slug}/workshops/{workshop.id}/edit", data)
    _assert_refused_beside_field(response, "facilitator", typed)
    text = html.unescape(response.get_data(as_text=True))
    assert "Title cannot" not in text and "Title has" not in text


def test_a_misspelt_span_in_a_text_that_accepts_spans_is_refused(client, as_user):
    exp = ExperimentFactory(title="Before")
    as_user(AdminFactory())
    typed = "Housing [[ members: ZQX7KMEM0006]]"
    data = {
        "title": typed,
        "slug": exp.slug,
        "domain": "Housing",
        "summary": "Summary",
        "problem_statement": "",
        "outcomes": "",
        "public_scores": "anonymised",
        "quadrant_threshold": "50",
        "version": str(exp.version),
    }
    response = post_form(client, f"/experiments/{exp.slug}/edit", data)
    text = html.unescape(response.get_data(as_text=True))
    assert "Title has “[[” that does not start [[members: …]] or [[participants: …]]" in text
    db.session.refresh(exp)
    assert db.session.get(Experiment, exp.id).title == "Before"


def test_an_import_refuses_spans_in_plain_columns(app_ctx):
    exp = ExperimentFactory()
    OptionFactory(experiment=exp)
    csv = b"name,kind\nCivica [[members: ZQX7KMEM0007]],product\n"
    preview = preview_import("options", exp, "options.csv", csv)
    assert not preview.ok
    assert any("cannot use [[members" in str(p) for p in preview.problems)


def test_the_command_line_refuses_spans_in_a_person_s_name(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "ada@example.gov.uk",
            "--name",
            "Ada [[members: ZQX7KMEM0008]]",
            "--password",
            "a sensible passphrase",
        ]
    )
    assert result.exit_code != 0
    assert "Name cannot use [[members: …]] or [[participants: …]]" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "ada@example.gov.uk")) is None
