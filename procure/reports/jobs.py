"""Where export jobs run.

* With ``REDIS_URL`` set: on RQ, queue ``reports``. ``flask --app wsgi worker``
  runs a worker; the job function :func:`run_export_job` takes the export id and
  builds its own app (``procure.create_app()``, configured from the environment).
* Without it: an in-app worker, one daemon thread with a ``queue.Queue``, started
  lazily in the web process. The thread hands each job to a child process (spawned,
  one job per child) that builds its own app from the web app's database URL and
  reports folder, so a render's memory — the city-scale specification peaks near
  775 MiB — never grows the web process and is returned when the child exits.
  Limitations: jobs live in memory, so a restart loses queued ones (their exports
  stay "queued"; ask again); each web process has its own worker, one render at a
  time, and a render competes with requests for the machine's CPU. Use RQ for
  anything busy.
* ``REPORTS_SYNC = True`` (the default when ``TESTING``): the job runs at once, in the
  same session, but on a helper thread with an app context of its own, outside any
  request: a request handler never reaches the renderer, which refuses inside one
  (see ``procure.reports.pdf.refuse_inside_request``).

Jobs are handed over only after the request's transaction commits (an
``after_commit`` hook), so a worker never looks for an export that is not saved.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from procure.extensions import db

log = logging.getLogger(__name__)

QUEUE_NAME = "reports"
JOB_TIMEOUT = 15 * 60
_PENDING = "procure_report_jobs"


def schedule(export_id: int) -> None:
    """Run the export's job: inline (``REPORTS_SYNC``) or after the commit."""
    from procure.reports.services import process_export

    if current_app.config.get("REPORTS_SYNC", current_app.testing):
        run_beside_request(current_app._get_current_object(), process_export, export_id)
        return
    db.session.info.setdefault(_PENDING, []).append(export_id)


def run_beside_request(app: Flask, function: Any, export_id: int) -> None:
    """Run ``function(export_id, commit=False)`` now, on a thread outside the request."""
    failure: list[BaseException] = []

    def target() -> None:
        with app.app_context():
            try:
                function(export_id, commit=False)
            except BaseException as exc:  # handed back to the caller below
                failure.append(exc)

    thread = threading.Thread(target=target, name="procure-report-sync")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for export_id in pending or ():
        enqueue(export_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def enqueue(export_id: int) -> None:
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        rq_queue(app).enqueue(
            "procure.reports.jobs.run_export_job", export_id, job_timeout=JOB_TIMEOUT
        )
    else:
        local_worker(app).put(export_id)


# -- RQ ---------------------------------------------------------------------------


def rq_queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"]))


_JOB_APPS: dict[str | None, Flask] = {}


def _job_app() -> Flask:
    from procure.app import create_app

    key = os.environ.get("DATABASE_URL")
    if key not in _JOB_APPS:
        _JOB_APPS[key] = create_app()
    return _JOB_APPS[key]


def run_export_job(export_id: int) -> str:
    """RQ job: render export ``export_id`` in an app of its own. Returns the status."""
    from procure.reports.services import process_export

    app = _job_app()
    with app.app_context():
        try:
            export = process_export(export_id, commit=True)
            return export.status if export is not None else "missing"
        finally:
            db.session.remove()


# -- in-app worker ----------------------------------------------------------------

#: What a child process needs to build an app like the web process's own.
CHILD_CONFIG_KEYS = ("SQLALCHEMY_DATABASE_URI", "REPORTS_DIR", "SECRET_KEY", "PROCURE_ENV")


def run_export_in_child(config: dict[str, Any], export_id: int) -> int:
    """Child process: render export ``export_id`` in an app built from ``config``.

    Returns the child's process id (the in-app worker keeps it, for tests and logs).
    """
    from procure.app import create_app
    from procure.reports.services import process_export

    app = create_app(dict(config))
    with app.app_context():
        try:
            process_export(export_id, commit=True)
        finally:
            db.session.remove()
    return os.getpid()


class LocalWorker:
    """One daemon thread working through a queue of export ids for one app."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.queue: queue.Queue[int] = queue.Queue()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.last_child_pid: int | None = None
        self.config = {k: app.config[k] for k in CHILD_CONFIG_KEYS if k in app.config}

    def put(self, export_id: int) -> None:
        self.queue.put(export_id)
        with self._lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="procure-report-worker", daemon=True
                )
                self.thread.start()

    def _run(self) -> None:
        context = multiprocessing.get_context("spawn")
        while True:
            export_id = self.queue.get()
            try:
                # A fresh child per job: whatever a render allocated goes when it exits.
                with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                    future = pool.submit(run_export_in_child, self.config, export_id)
                    self.last_child_pid = future.result(timeout=JOB_TIMEOUT)
            except Exception:
                log.exception("In-app report worker: export %s", export_id)
                self._mark_failed(export_id)
            finally:
                self.queue.task_done()

    def _mark_failed(self, export_id: int) -> None:
        """A child that died (killed, out of memory) leaves its export failed, not stuck."""
        from procure.reports.models import ReportExport

        try:
            with self.app.app_context():
                try:
                    export = db.session.get(ReportExport, export_id)
                    if export is not None and export.status in ("queued", "running"):
                        export.status = "failed"
                        export.error = "The report could not be rendered. Try again."
                        db.session.commit()
                finally:
                    db.session.remove()
        except Exception:
            log.exception("In-app report worker: could not mark export %s failed", export_id)

    def idle(self) -> bool:
        return self.queue.unfinished_tasks == 0


_WORKERS: dict[int, LocalWorker] = {}
_WORKERS_LOCK = threading.Lock()


def local_worker(app: Any) -> LocalWorker:
    with _WORKERS_LOCK:
        worker = _WORKERS.get(id(app))
        if worker is None or worker.app is not app:
            worker = _WORKERS[id(app)] = LocalWorker(app)
        return worker
