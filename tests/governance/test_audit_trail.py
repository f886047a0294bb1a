"""The audit trail: append-only in the ORM and in the database, filterable, exportable."""

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from procure import audit
from procure.audit import AuditEvent, AuditImmutableError
from procure.extensions import db
from tests.factories import AdminFactory, AuditEventFactory, ExperimentFactory, UserFactory


def test_orm_refuses_to_change_or_delete_an_event(app_ctx):
    event = AuditEventFactory()
    event.summary = "rewritten"
    with pytest.raises(AuditImmutableError):
        db.session.flush()
    db.session.rollback()
    event = AuditEventFactory()
    db.session.delete(event)
    with pytest.raises(AuditImmutableError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET summary = 'rewritten'", "DELETE FROM audit_events"],
)
def test_database_refuses_to_change_or_delete_an_event(app_ctx, statement):
    AuditEventFactory()
    db.session.flush()
    with pytest.raises(DBAPIError) as refused, db.session.begin_nested():
        db.session.execute(sa.text(statement))
    assert "append-only" in str(refused.value)


def test_database_refuses_to_change_a_published_specification(app_ctx):
    from tests.factories import SpecificationVersionFactory

    version = SpecificationVersionFactory()
    db.session.flush()
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(
            sa.text("UPDATE specification_versions SET release_notes = 'x' WHERE id = :id"),
            {"id": version.id},
        )


def test_record_keeps_actor_request_and_changes(client, as_user):
    admin = AdminFactory()
    exp = ExperimentFactory(title="Before")
    as_user(admin)
    from tests.helpers import post_form

    post_form(
        client,
        f"/experiments/{exp.slug}/edit",
        {
            "title": "After",
            "slug": exp.slug,
            "summary": exp.summary,
            "public_scores": "anonymised",
            "quadrant_threshold": "50",
            "version": str(exp.version),
        },
        headers={"X-Request-ID": "abc123"},
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "experiment.update"))
    assert event.actor_id == admin.id
    assert event.organisation_id == admin.organisation_id
    assert event.request_id == "abc123"
    assert event.changes == {"title": ["Before", "After"]}


def test_audit_pages_filter_and_export(client, as_user):
    admin = AdminFactory(name="Convenor Person")
    exp = ExperimentFactory()
    other = UserFactory(name="Another Person")
    audit.record(
        "experiment.update",
        exp,
        actor=admin,
        summary="Edited the title",
        changes={"title": ["A", "B"]},
    )
    audit.record("login", other, actor=other, summary="Signed in")
    db.session.flush()
    as_user(admin)
    page = client.get(f"/admin/audit?experiment_id={exp.id}").get_data(as_text=True)
    assert "Edited the title" in page and "Signed in" not in page
    page = client.get("/admin/audit?person=Another").get_data(as_text=True)
    assert "Signed in" in page and "Edited the title" not in page
    today = date.today()
    page = client.get(
        f"/admin/audit?date_from={today.day}&date_from={today.month}&date_from={today.year}"
    ).get_data(as_text=True)
    assert "Edited the title" in page
    bad = client.get("/admin/audit?date_from=31&date_from=2&date_from=2026")
    assert "There is a problem" in bad.get_data(as_text=True)

    response = client.get(f"/admin/audit.csv?experiment_id={exp.id}")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "occurred_at", "action"]
    assert [r[2] for r in rows[1:]] == ["experiment.update"]

    history = client.get(f"/admin/audit/Experiment/{exp.id}").get_data(as_text=True)
    assert "Edited the title" in history and "title" in history


def test_audit_pages_are_for_admins_only(client, as_user):
    as_user(UserFactory())
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    assert client.get("/admin/audit/Experiment/1").status_code == 403


def test_no_route_edits_or_deletes_events(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule
