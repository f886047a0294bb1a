"""Published files are served from the report pipeline, never rendered in a request."""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from procure.app import create_app
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.governance.services import create_share_link
from procure.reports.jobs import local_worker, run_beside_request
from procure.reports.models import ReportExport
from procure.reports.pdf import RenderInRequestError
from procure.reports.services import process_export, render_now, request_export
from procure.requirements.services import agree_requirement, propose_requirement
from procure.requirements.versions import publish_version
from procure.sensitivity import Audience
from tests.requirements.helpers import data, make_world, post


@pytest.fixture
def world(db_session):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.lead)
    agree_requirement(req, req.version, w.admin)
    publish_version(w.experiment, "0.1", "", w.admin)
    db_session.flush()
    return w


def _exports(db_session, w) -> list[ReportExport]:
    return list(
        db_session.scalars(
            sa.select(ReportExport)
            .where(ReportExport.experiment_id == w.experiment.id)
            .order_by(ReportExport.id)
        )
    )


def _url(w, audience: str | None = None) -> str:
    url = f"/experiments/{w.slug}/specification/0.1/download/pdf"
    return url + (f"?audience={audience}" if audience else "")


def test_a_request_handler_cannot_reach_the_renderer(app, world):
    with app.test_request_context("/"):
        app.preprocess_request()  # the before_request hooks a real request runs
        with pytest.raises(RenderInRequestError):
            render_now(world.experiment, "requirements", Audience.PUBLIC)
    # Outside a request (a job, the command line) the renderer works.
    with app.app_context():
        pdf, _ = render_now(world.experiment, "requirements", Audience.PUBLIC)
    assert pdf.startswith(b"%PDF")


def test_spec_pdf_comes_from_the_pipeline_once_per_audience(client, as_user, world, db_session):
    first = client.get(_url(world))
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert (
        'filename="' + f'{world.slug}-spec-0.1-public.pdf"' in first.headers["Content-Disposition"]
    )
    again = client.get(_url(world))
    assert again.status_code == 200 and again.data == first.data
    exports = _exports(db_session, world)
    assert [(e.kind, e.audience, e.params, e.status) for e in exports] == [
        ("requirements", "public", {"version": "0.1"}, "done")
    ]
    as_user(world.lead)
    members = client.get(_url(world, "members"))
    assert members.status_code == 200 and members.data != first.data
    assert sorted(e.audience for e in _exports(db_session, world)) == ["members", "public"]


def test_a_missing_file_answers_at_once_with_one_job_for_everyone(app, client, world, db_session):
    pending = ReportExport(
        experiment=world.experiment,
        kind="requirements",
        audience="public",
        params={"version": "0.1"},
        content_version=world.experiment.content_version,
        status="queued",
        progress=0,
        redaction_log=[],
    )
    db_session.add(pending)
    db_session.flush()
    for _ in range(5):
        response = client.get(_url(world))
        html = response.get_data(as_text=True)
        assert response.status_code == 202 and response.mimetype == "text/html"
        assert "The specification is being prepared" in html and "Check again" in html
    status = client.get(_url(world) + "?status=1")
    assert status.status_code == 202 and 'data-procure-poll-url="' in status.get_data(as_text=True)
    assert [e.id for e in _exports(db_session, world)] == [pending.id]

    run_beside_request(app, process_export, pending.id)
    ready = client.get(_url(world) + "?status=1")
    assert ready.status_code == 200 and "data-procure-ready=" in ready.get_data(as_text=True)
    served = client.get(_url(world))
    assert served.status_code == 200 and served.data.startswith(b"%PDF")
    assert len(_exports(db_session, world)) == 1


def test_share_link_to_a_spec_pdf_is_served_from_the_pipeline(client, world, db_session):
    _link, token = create_share_link(
        world.experiment,
        audience=Audience.PUBLIC,
        expires_on=date.today() + timedelta(days=7),
        label="Boroughs",
        creator=world.admin,
        creator_audience=Audience.PARTICIPANTS,
        specification_version_id=_version_id(db_session, world),
        spec_format="pdf",
    )
    db_session.flush()
    first = client.get(f"/share/{token}")
    second = client.get(f"/share/{token}")
    assert first.status_code == second.status_code == 200
    assert first.mimetype == "application/pdf" and first.data == second.data
    # The same file as the public download: one render for the audience.
    assert client.get(_url(world)).data == first.data
    assert len(_exports(db_session, world)) == 1


def _version_id(db_session, w) -> int:
    from procure.requirements.models import SpecificationVersion

    return db_session.scalar(
        sa.select(SpecificationVersion.id).where(
            SpecificationVersion.experiment_id == w.experiment.id
        )
    )


def test_anonymous_downloads_are_rate_limited_per_client(app, client, as_user, world):
    app.config["PUBLIC_DOWNLOAD_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.get(_url(world)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        # The progress page's own polls never return the file, so they are not limited.
        assert client.get(_url(world) + "?status=1").status_code == 200
        as_user(world.lead)  # signed-in people are not limited here
        assert client.get(_url(world)).status_code == 200
    finally:
        app.config["PUBLIC_DOWNLOAD_RATE_LIMIT"] = "30 per minute"


def test_publishing_queues_the_pdf_for_each_audience(client, as_user, world, db_session):
    req = propose_requirement(world.experiment, data(title="Pay rent online"), world.lead)
    agree_requirement(req, req.version, world.admin)
    as_user(world.admin)
    response = post(
        client,
        f"/experiments/{world.slug}/specification/publish",
        {"number": "0.2", "release_notes": ""},
    )
    assert response.status_code == 302
    made = [(e.audience, e.params, e.status) for e in _exports(db_session, world)]
    assert sorted(made) == [
        (a, {"version": "0.2"}, "done") for a in ("members", "participants", "public")
    ]
    client.get("/")  # nothing new is made when the file is downloaded
    as_user(world.lead)
    assert (
        client.get(f"/experiments/{world.slug}/specification/0.2/download/pdf").mimetype
        == "application/pdf"
    )
    assert len(_exports(db_session, world)) == 3


def test_the_in_app_worker_renders_in_a_child_process(tmp_path):
    """Without Redis, a job runs in a spawned child, never in the web process."""
    app = create_app(
        {
            "TESTING": True,
            "REPORTS_SYNC": False,
            "PROCURE_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'worker.db'}",
            "REPORTS_DIR": str(tmp_path / "reports"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    assert app.config["REDIS_URL"] is None
    with app.app_context():
        upgrade()
        experiment = Experiment(slug="worker-test", title="Worker test", domain="Housing")
        db.session.add(experiment)
        db.session.commit()
        with app.test_request_context("/"):
            export = request_export(experiment, "summary", Audience.PUBLIC, None)
            export_id = export.id
            db.session.commit()  # hands the job to the in-app worker
        worker = local_worker(app)
        deadline = time.monotonic() + 300  # spawn + render on a loaded machine
        while not worker.idle() and time.monotonic() < deadline:
            time.sleep(0.2)
        db.session.expire_all()
        done = db.session.get(ReportExport, export_id)
        assert done.status == "done" and done.pages >= 1, done.error
        assert worker.last_child_pid not in (None, os.getpid())
        db.session.remove()
        db.engine.dispose()
