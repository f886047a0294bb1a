"""Where sending runs: RQ queue ``mail`` with ``REDIS_URL``, else an in-app thread.

As for reports (``procure.reports.jobs``), a message id is handed over only after the
request's transaction commits. ``MAIL_SYNC`` (on when ``TESTING``) sends inline in the
caller's session instead. ``flask worker`` listens on this queue too. Retries: RQ
schedules them (the worker runs with its scheduler); the in-app worker uses a timer;
``flask outbox send-due`` from cron catches anything a restart lost.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from procure.db import utcnow
from procure.extensions import db
from procure.mail.delivery import deliver
from procure.mail.models import OutboxMessage

log = logging.getLogger(__name__)

QUEUE_NAME = "mail"
_PENDING = "procure_mail_jobs"


def _sync() -> bool:
    return bool(current_app.config.get("MAIL_SYNC", current_app.testing))


def schedule(message_id: int) -> None:
    if _sync():
        send_now(message_id)
        return
    db.session.info.setdefault(_PENDING, []).append(message_id)


def send_now(message_id: int, *, commit: bool = False) -> str | None:
    """Deliver one message and, if it failed but may be tried again, schedule the retry."""
    state = deliver(message_id, commit=commit)
    if state == "retrying":
        message = db.session.get(OutboxMessage, message_id)
        schedule_retry(message_id, max(message.next_attempt_at - utcnow(), timedelta(0)))
    return state


def schedule_retry(message_id: int, delay: timedelta) -> None:
    if _sync():
        return  # tests and `send-due` drive retries themselves
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        rq_queue(app).enqueue_in(delay, "procure.mail.jobs.run_mail_job", message_id)
    else:
        timer = threading.Timer(delay.total_seconds(), local_worker(app).put, [message_id])
        timer.daemon = True
        timer.start()


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    for message_id in pending or ():
        enqueue(message_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def enqueue(message_id: int) -> None:
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        rq_queue(app).enqueue("procure.mail.jobs.run_mail_job", message_id, job_timeout=120)
    else:
        local_worker(app).put(message_id)


def rq_queue(app: Flask):
    return Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"]))


_JOB_APPS: dict[str | None, Flask] = {}


def _job_app() -> Flask:
    """The RQ job's own app, configured from the environment (one per database URL)."""
    from procure.app import create_app  # the top of the import graph, as in reports.jobs

    key = os.environ.get("DATABASE_URL")
    if key not in _JOB_APPS:
        _JOB_APPS[key] = create_app()
    return _JOB_APPS[key]


def run_mail_job(message_id: int) -> str:
    """RQ job: send outbox message ``message_id`` in an app of its own."""
    app = _job_app()
    with app.app_context():
        try:
            return send_now(message_id, commit=True) or "skipped"
        finally:
            db.session.remove()


class LocalMailWorker:
    """One daemon thread sending outbox messages for one app."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.queue: queue.Queue[int] = queue.Queue()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, message_id: int) -> None:
        self.queue.put(message_id)
        with self._lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="procure-mail-worker", daemon=True
                )
                self.thread.start()

    def _run(self) -> None:
        while True:
            message_id = self.queue.get()
            try:
                with self.app.app_context():
                    try:
                        send_now(message_id, commit=True)
                    finally:
                        db.session.remove()
            except Exception:
                log.exception("In-app mail worker: outbox message %s", message_id)
            finally:
                self.queue.task_done()

    def idle(self) -> bool:
        return self.queue.unfinished_tasks == 0


_WORKERS: dict[int, LocalMailWorker] = {}
_WORKERS_LOCK = threading.Lock()


def local_worker(app: Flask) -> LocalMailWorker:
    with _WORKERS_LOCK:
        worker = _WORKERS.get(id(app))
        if worker is None or worker.app is not app:
            worker = _WORKERS[id(app)] = LocalMailWorker(app)
        return worker
