"""Experiments: create, edit (with stale-edit protection), publish, participants, audience."""

import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.experiments.models import Experiment, Participation
from procure.extensions import db
from tests.factories import (
    AdminFactory,
    ExperimentFactory,
    OrganisationFactory,
    ParticipationFactory,
    UserFactory,
)
from tests.helpers import csrf_token, post_form

VALID = {
    "title": "Housing management systems",
    "slug": "housing-systems-2",
    "domain": "Housing",
    "summary": "Six boroughs explore a joint purchase.",
    "problem_statement": "",
    "outcomes": "",
    "public_scores": "anonymised",
    "quadrant_threshold": "50",
}


def test_admin_creates_an_experiment(client, as_user):
    as_user(AdminFactory())
    response = post_form(client, "/experiments/new", VALID)
    assert response.status_code == 302
    exp = db.session.scalar(sa.select(Experiment).where(Experiment.slug == "housing-systems-2"))
    assert exp.title == "Housing management systems"
    assert db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "experiment.create", AuditEvent.object_id == exp.id
        )
    )


def test_bad_input_is_shown_beside_fields_and_kept(client, as_user):
    as_user(AdminFactory())
    ExperimentFactory(slug="taken")
    data = {
        **VALID,
        "title": "",
        "slug": "taken",
        "summary": "<script>alert('x')</script> keep me",
        "quadrant_threshold": "fifty",
        "domain": "d" * 201,
    }
    response = post_form(client, "/experiments/new", data)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a title" in text
    assert "Quadrant threshold must be a whole number" in text
    assert "Domain must be 200 characters or fewer" in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; keep me" in text
    assert "<script>alert" not in text
    assert 'href="#title"' in text  # the error summary links to the field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Experiment)) == 1

    data = {**VALID, "slug": "taken", "quadrant_threshold": "150"}
    text = post_form(client, "/experiments/new", data).get_data(as_text=True)
    assert "Threshold must be between 0 and 100" in text


def test_duplicate_slug_is_refused(client, as_user):
    as_user(AdminFactory())
    ExperimentFactory(slug="taken")
    text = post_form(client, "/experiments/new", {**VALID, "slug": "taken"}).get_data(as_text=True)
    assert "already exists" in text


def test_hostile_markdown_is_sanitised_when_shown(client, as_user):
    exp = ExperimentFactory(
        is_published=True,
        summary='<img src=x onerror="alert(1)"> [x](javascript:alert(1)) **bold**',
    )
    page = client.get(f"/experiments/{exp.slug}").get_data(as_text=True)
    assert "<img" not in page
    assert 'href="javascript:' not in page
    assert "<strong>bold</strong>" in page


def test_stale_edit_is_refused_and_both_versions_are_shown(client, as_user):
    admin = AdminFactory()
    exp = ExperimentFactory(title="Original title")
    as_user(admin)
    url = f"/experiments/{exp.slug}/edit"
    token = csrf_token(client, url)
    old_version = exp.version
    # Someone else saves first.
    exp.title = "Saved by someone else"
    db.session.flush()
    mine = {
        **VALID,
        "slug": exp.slug,
        "title": "My edit",
        "version": str(old_version),
        "csrf_token": token,
    }
    response = client.post(url, data=mine)
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved changes" in text
    assert "Saved by someone else" in text  # what is saved now
    assert 'value="My edit"' in text  # what I typed, kept
    db.session.refresh(exp)
    assert exp.title == "Saved by someone else"
    # Re-submitting from the conflict page applies on top of the current version.
    new_version = exp.version
    response = client.post(url, data={**mine, "version": str(new_version)})
    assert response.status_code == 302
    db.session.refresh(exp)
    assert exp.title == "My edit"


def test_edit_records_field_changes_in_the_audit_trail(client, as_user):
    exp = ExperimentFactory(title="Before")
    as_user(AdminFactory())
    url = f"/experiments/{exp.slug}/edit"
    post_form(
        client, url, {**VALID, "slug": exp.slug, "title": "After", "version": str(exp.version)}
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "experiment.update"))
    assert event.changes["title"] == ["Before", "After"]


def test_publish_and_participants(client, as_user):
    exp = ExperimentFactory(is_published=False)
    org = OrganisationFactory(name="London Borough of Sutton")
    lead = UserFactory(organisation=org, name="Rachel Adeyemi")
    other = UserFactory(name="Someone Elsewhere")
    as_user(AdminFactory())
    url = f"/experiments/{exp.slug}/participants"
    wrong = post_form(
        client,
        url,
        {"organisation_id": org.id, "role": "participant", "procurement_lead_id": other.id},
    )
    assert "does not work for" in wrong.get_data(as_text=True)
    ok = post_form(
        client, url, {"organisation_id": org.id, "role": "lead", "procurement_lead_id": lead.id}
    )
    assert ok.status_code == 302
    part = db.session.scalar(sa.select(Participation).where(Participation.experiment_id == exp.id))
    assert part.procurement_lead_id == lead.id and part.role == "lead"
    again = post_form(
        client, url, {"organisation_id": org.id, "role": "lead", "procurement_lead_id": 0}
    )
    assert "already takes part" in again.get_data(as_text=True)

    response = post_form(
        client,
        f"/experiments/{exp.slug}/publish",
        {"publish": "y", "version": str(exp.version)},
        form_url=url,
    )
    assert response.status_code == 302
    assert exp.is_published


def test_lead_organisation_may_edit_but_not_publish(client, as_user):
    exp = ExperimentFactory()
    part = ParticipationFactory(experiment=exp, role="lead")
    officer = UserFactory(organisation=part.organisation)
    as_user(officer)
    assert client.get(f"/experiments/{exp.slug}/edit").status_code == 200
    assert client.get(f"/experiments/{exp.slug}/participants").status_code == 403


def test_page_redacts_by_audience(client, as_user):
    exp = ExperimentFactory(
        is_published=True,
        summary="Public ZQX7KPUB0101 [[members: ZQX7KMEM0102]] [[participants: ZQX7KPAR0103]]",
    )
    part = ParticipationFactory(experiment=exp)
    lead = UserFactory(organisation=part.organisation, name="Named Person ZQX7KMEM0104")
    part.procurement_lead = lead
    member = UserFactory()  # a member organisation not taking part
    db.session.flush()
    url = f"/experiments/{exp.slug}"

    public = client.get(url).get_data(as_text=True)
    assert "ZQX7KPUB0101" in public
    for token in ("ZQX7KMEM0102", "ZQX7KPAR0103", "ZQX7KMEM0104"):
        assert token not in public
    assert "Redacted: members only" in public

    as_user(member)
    members = client.get(url).get_data(as_text=True)
    assert "ZQX7KMEM0102" in members and "ZQX7KMEM0104" in members
    assert "ZQX7KPAR0103" not in members

    as_user(lead)
    participants = client.get(url).get_data(as_text=True)
    assert "ZQX7KPAR0103" in participants


def test_unpublished_experiment_is_hidden_from_the_public(client):
    exp = ExperimentFactory(is_published=False, title="Secret plans ZQX7KMEM0200")
    assert client.get(f"/experiments/{exp.slug}").status_code == 404
    assert "ZQX7KMEM0200" not in client.get("/").get_data(as_text=True)
