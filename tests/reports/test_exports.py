"""Exports: the reports page, jobs (inline, in-app thread, RQ), the file cache, failures."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from procure.audit import AuditEvent
from procure.extensions import db
from procure.reports import services
from procure.reports.kinds import ReportError
from procure.reports.models import ReportExport
from procure.sensitivity import Sensitivity
from tests.factories import (
    AdminFactory,
    ExperimentFactory,
    OrganisationFactory,
    ParticipationFactory,
    ReportExportFactory,
    SpecificationVersionFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.helpers import csrf_token, post_form


@pytest.fixture
def experiment(db_session):
    return ExperimentFactory(
        slug="export-test",
        title="Export test experiment",
        is_published=True,
        summary="Public summary EXPPUB0001. [[members: member EXPMEM0002]]",
    )


@pytest.fixture
def admin(db_session):
    return AdminFactory()


def url(experiment, *parts) -> str:
    return "/".join([f"/experiments/{experiment.slug}/reports", *map(str, parts)]).rstrip("/")


def export_rows(experiment) -> list[ReportExport]:
    return list(
        db.session.scalars(
            sa.select(ReportExport)
            .where(ReportExport.experiment_id == experiment.id)
            .order_by(ReportExport.id)
        )
    )


# -- access ---------------------------------------------------------------------------


def test_reports_page_is_for_admins(client, as_user, experiment, admin):
    assert client.get(url(experiment)).status_code == 302  # sign in first
    member = UserFactory()
    assert as_user(member).get(url(experiment)).status_code == 403
    part = ParticipationFactory(experiment=experiment, role="lead")
    lead = UserFactory(organisation=part.organisation)
    assert as_user(lead).get(url(experiment)).status_code == 403
    page = as_user(admin).get(url(experiment))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No reports exported yet" in html
    for label in (
        "Workshop pack",
        "Scoring report",
        "Requirements specification",
        "Experiment summary",
    ):
        assert label in html


def test_export_above_own_audience_is_refused(app_ctx, experiment):
    member = UserFactory()  # a member organisation not taking part: members audience
    with pytest.raises(services.ExportForbidden):
        services.request_export(experiment, "summary", "participants", member)
    assert export_rows(experiment) == []


def test_posting_an_export_as_a_non_admin_is_forbidden(client, as_user, experiment, admin):
    c = as_user(admin)
    token = csrf_token(c, url(experiment))  # the same browser session, then a member signs in
    as_user(UserFactory())
    response = c.post(
        url(experiment), data={"csrf_token": token, "kind": "summary", "audience": "public"}
    )
    assert response.status_code == 403
    assert export_rows(experiment) == []


# -- the whole flow, inline -----------------------------------------------------------


def test_export_renders_records_and_downloads(client, as_user, experiment, admin):
    c = as_user(admin)
    response = post_form(c, url(experiment), {"kind": "summary", "audience": "public"})
    assert response.status_code == 302
    (export,) = export_rows(experiment)
    assert response.headers["Location"].endswith(url(experiment, export.id))
    assert export.status == "done" and export.progress == 100
    assert export.requested_by_id == admin.id
    assert export.content_version == experiment.content_version
    assert export.pages >= 2 and export.size_bytes > 1000
    assert {
        "type": "experiment.summary",
        "id": experiment.id,
        "level": "members",
    } in export.redaction_log
    assert all(set(item) == {"type", "id", "level"} for item in export.redaction_log)

    page = c.get(url(experiment, export.id)).get_data(as_text=True)
    assert "data-procure-poll" not in page and "Check progress" not in page
    assert export.sha256 in page and "Download the PDF" in page
    download = c.get(url(experiment, export.id, "download"))
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == export.sha256
    assert 'filename="export-test-summary-public.pdf"' in download.headers["Content-Disposition"]
    assert b"EXPMEM0002" not in download.data

    listing = c.get(url(experiment)).get_data(as_text=True)
    assert export.sha256[:12] in listing and "Experiment summary" in listing
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "report.export", AuditEvent.object_id == export.id
        )
    )
    assert event is not None and event.actor_id == admin.id
    assert event.changes["audience"] == [None, "public"]


def test_unchanged_report_reuses_the_file_and_a_change_renders_again(
    app_ctx, experiment, admin, monkeypatch
):
    calls = []
    real = services.render_report_pdf

    def counting(document):
        calls.append(document.kind)
        return real(document)

    monkeypatch.setattr(services, "render_report_pdf", counting)
    first = services.request_export(experiment, "summary", "members", admin)
    second = services.request_export(experiment, "summary", "members", admin)
    assert calls == ["summary"]
    assert second.id != first.id and second.status == "done"
    assert second.sha256 == first.sha256 and second.file_path == first.file_path
    other_audience = services.request_export(experiment, "summary", "public", admin)
    assert calls == ["summary", "summary"] and other_audience.sha256 != first.sha256

    experiment.summary = "Changed EXPPUB0003."
    experiment.content_version += 1
    db.session.flush()
    third = services.request_export(experiment, "summary", "members", admin)
    assert calls == ["summary"] * 3
    assert third.sha256 != first.sha256
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "report.export")
    ).all()
    assert len(events) == 4


# -- bad input ------------------------------------------------------------------------


def test_unknown_kind_workshop_and_version_list_what_exists(client, as_user, experiment, admin):
    WorkshopFactory(experiment=experiment, title="Kick-off workshop")
    SpecificationVersionFactory(experiment=experiment, number="0.1")
    c = as_user(admin)
    html = post_form(c, url(experiment), {"kind": "brochure", "audience": "public"}).get_data(
        as_text=True
    )
    assert "Unknown report kind &#39;brochure&#39;" in html
    assert "workshop-pack, scoring, requirements, summary" in html
    html = post_form(
        c, url(experiment), {"kind": "workshop-pack", "audience": "public", "workshop_id": "999999"}
    ).get_data(as_text=True)
    assert "No workshop 999999 in this experiment" in html and "Kick-off workshop" in html
    html = post_form(
        c, url(experiment), {"kind": "requirements", "audience": "public", "version": "9.9"}
    ).get_data(as_text=True)
    assert "No specification version 9.9" in html and "Version 0.1" in html
    html = post_form(c, url(experiment), {"kind": "summary", "audience": "everyone"}).get_data(
        as_text=True
    )
    assert "Choose public, members or participants" in html
    assert export_rows(experiment) == []


def test_pack_of_a_members_only_workshop_needs_a_members_audience(app_ctx, experiment, admin):
    workshop = WorkshopFactory(experiment=experiment, sensitivity=Sensitivity.MEMBERS)
    with pytest.raises(ReportError) as error:
        services.request_export(
            experiment, "workshop-pack", "public", admin, workshop_id=workshop.id
        )
    assert (
        str(error.value)
        == "This workshop is members only; choose a members or participants audience"
    )
    participants_only = WorkshopFactory(experiment=experiment, sensitivity=Sensitivity.PARTICIPANTS)
    with pytest.raises(ReportError, match="choose a participants audience"):
        services.render_now(
            experiment, "workshop-pack", "members", workshop_id=participants_only.id
        )
    export = services.request_export(
        experiment, "workshop-pack", "members", admin, workshop_id=workshop.id
    )
    assert export.status == "done"


def test_failed_render_shows_the_error_and_serves_nothing(
    client, as_user, app, experiment, admin, tmp_path, monkeypatch
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the reports folder should be")
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(blocker / "reports"))
    c = as_user(admin)
    post_form(c, url(experiment), {"kind": "summary", "audience": "public"})
    (export,) = export_rows(experiment)
    assert export.status == "failed" and export.sha256 == "" and export.file_path == ""
    assert "could not be saved" in export.error
    page = c.get(url(experiment, export.id)).get_data(as_text=True)
    assert "The report could not be made" in page and "could not be saved" in page
    assert "Download the PDF" not in page
    assert c.get(url(experiment, export.id, "download")).status_code == 404
    assert list(tmp_path.iterdir()) == [blocker]  # no partial file left anywhere


def test_job_for_a_deleted_workshop_fails_plainly(app_ctx, app, experiment, admin, monkeypatch):
    workshop = WorkshopFactory(experiment=experiment)
    monkeypatch.setitem(app.config, "REPORTS_SYNC", False)  # queue, run by hand below
    export = services.request_export(
        experiment, "workshop-pack", "participants", admin, workshop_id=workshop.id
    )
    assert export.status == "queued"
    db.session.delete(workshop)
    db.session.flush()
    services.process_export(export.id, commit=False)
    assert export.status == "failed"
    assert "No workshop" in export.error and "in this experiment" in export.error
    assert services.export_file(export) is None


def test_progress_page_polls_while_running(client, as_user, experiment, admin):
    queued = ReportExportFactory(experiment=experiment, status="queued")
    running = ReportExportFactory(experiment=experiment, status="running", progress=40)
    c = as_user(admin)
    for export, words in ((queued, "Queued"), (running, "Rendering")):
        html = c.get(url(experiment, export.id)).get_data(as_text=True)
        # No meta refresh (it moves screen-reader users back to the top every time):
        # a "Check progress" link without JavaScript, a polled status block with it.
        assert 'http-equiv="refresh"' not in html
        assert 'data-procure-poll="2000"' in html and "Check progress" in html
        assert words in html and "Download the PDF" not in html
    assert "40%" in c.get(url(experiment, running.id)).get_data(as_text=True)
    assert c.get(url(experiment, running.id, "download")).status_code == 404
    other = ReportExportFactory(status="done")
    assert c.get(url(experiment, other.id)).status_code == 404


def test_write_atomically_leaves_no_partial_file(tmp_path):
    target = services.write_atomically(tmp_path / "out", "a.pdf", b"%PDF-1.7 data")
    assert target.read_bytes() == b"%PDF-1.7 data"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.pdf"]

    with pytest.raises(TypeError):
        services.write_atomically(tmp_path / "out", "b.pdf", 12345)  # type: ignore[arg-type]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.pdf"]


# -- real workers (committed data, cleaned up afterwards) ------------------------------


@pytest.fixture
def committed(app):
    """An experiment and admin committed for real, so another thread or process sees them."""
    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        org = OrganisationFactory.build(slug=f"worker-{tag}", name=f"Worker org {tag}")
        admin = AdminFactory.build(email=f"worker-{tag}@example.gov.uk", organisation=org)
        experiment = ExperimentFactory.build(
            slug=f"worker-{tag}",
            title=f"Worker test {tag}",
            is_published=True,
            summary="Worker summary WRKPUB0001 [[participants: WRKPAR0002]]",
        )
        db.session.add_all([org, admin, experiment])
        db.session.commit()
        ids = {"experiment": experiment.id, "admin": admin.id, "org": org.id}
    yield ids
    with app.app_context():
        db.session.execute(
            sa.delete(ReportExport).where(ReportExport.experiment_id == ids["experiment"])
        )
        db.session.execute(
            sa.text("DELETE FROM experiments WHERE id = :i"), {"i": ids["experiment"]}
        )
        db.session.execute(sa.text("DELETE FROM users WHERE id = :i"), {"i": ids["admin"]})
        db.session.execute(sa.text("DELETE FROM organisations WHERE id = :i"), {"i": ids["org"]})
        db.session.commit()
        db.session.remove()


def _queue_export(experiment_id: int, audience: str) -> int:
    """A queued export row, handed to the job runner and committed (no audit event: audit
    rows are append-only, and this committed data is deleted after the test)."""
    from procure.experiments.models import Experiment
    from procure.reports import jobs

    experiment = db.session.get(Experiment, experiment_id)
    export = ReportExport(
        experiment=experiment,
        kind="summary",
        audience=audience,
        params={},
        content_version=experiment.content_version,
        redaction_log=[],
    )
    db.session.add(export)
    db.session.flush()
    jobs.schedule(export.id)
    return export.id


def _wait_for(app, export_id: int, timeout: float = 90) -> ReportExport:
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            export = db.session.get(ReportExport, export_id)
            status = export.status
            db.session.expunge_all()
        if status in ("done", "failed") or time.monotonic() > deadline:
            return export
        time.sleep(0.2)


def test_in_app_background_thread_renders_the_export(app, committed, monkeypatch):
    from procure.reports import jobs

    monkeypatch.setitem(app.config, "REPORTS_SYNC", False)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    with app.test_request_context():
        export_id = _queue_export(committed["experiment"], "members")
        worker = jobs.local_worker(app)
        assert worker.queue.qsize() == 0 and worker.thread is None  # handed over after commit
        db.session.commit()
        assert worker.thread is not None and worker.thread.daemon
        assert worker.thread is not threading.current_thread()
        db.session.remove()
    export = _wait_for(app, export_id)
    assert export.status == "done", export.error
    assert export.progress == 100
    path = Path(app.config["REPORTS_DIR"]) / export.file_path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == export.sha256
    assert export.redaction_log == [
        {"type": "experiment.summary", "id": committed["experiment"], "level": "participants"}
    ]
    assert b"WRKPAR0002" not in path.read_bytes()


def test_rq_worker_renders_the_export(app, committed, monkeypatch, database_url):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from procure.reports import jobs

    redis_url = "redis://127.0.0.1:6379/15"
    connection = Redis.from_url(redis_url)
    queue = Queue(jobs.QUEUE_NAME, connection=connection)
    queue.empty()
    # The job builds its own app from the environment, as a worker process would.
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REPORTS_DIR", app.config["REPORTS_DIR"])
    monkeypatch.setitem(app.config, "REPORTS_SYNC", False)
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    with app.test_request_context():
        export_id = _queue_export(committed["experiment"], "public")
        assert queue.count == 0
        db.session.commit()
        assert queue.count == 1
        db.session.remove()
    try:
        assert SimpleWorker([queue], connection=connection).work(burst=True)
        export = _wait_for(app, export_id, timeout=5)
        assert export.status == "done", export.error
        assert export.sha256 and export.pages >= 2
        (job_id,) = queue.finished_job_registry.get_job_ids()
        assert queue.fetch_job(job_id).return_value() == "done"
    finally:
        queue.empty()
        for registry in (queue.finished_job_registry, queue.failed_job_registry):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
