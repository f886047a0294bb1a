"""Exports: render a report for an audience, cache the file, record who asked.

An export is a :class:`ReportExport` row that moves ``queued`` → ``running`` →
``done`` (or ``failed`` with a plain error). The PDF is written atomically to
``REPORTS_DIR`` under its sha256, so nothing half-written is ever served, and a
finished file is reused for any later request with the same kind, parameters,
audience and ``experiment.content_version`` (a new export record is still
written for who asked). Jobs run through ``procure.reports.jobs``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdf
import sqlalchemy as sa
from flask import current_app

from procure import audit
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.permissions import audience_for
from procure.reports.document import ReportDocument, render_report_pdf
from procure.reports.kinds import (
    BUNDLE_KINDS,
    FEATURE_OF,
    KIND_LABELS,
    ReportError,
    build_document,
    feature_report,
    parse_audience,
    parse_kind,
    resolve_params,
)
from procure.reports.models import ReportExport
from procure.sensitivity import Audience

log = logging.getLogger(__name__)

#: How long a queued or running export counts as under way (the job timeout).
IN_FLIGHT_LIMIT = timedelta(minutes=15)

STATUS_LABELS = {"queued": "Queued", "running": "Rendering", "done": "Done", "failed": "Failed"}


class ExportForbidden(PermissionError):
    """An export for an audience above the requester's own."""


def render_now(
    experiment: Experiment, kind: str, audience: Audience | str, **params: Any
) -> tuple[bytes, ReportDocument]:
    """Build and render a report in this process: ``(pdf bytes, document)``.

    ``params``: ``workshop_id`` for ``workshop-pack``, ``version`` for ``requirements``
    (each defaults to the latest). Raises :class:`ReportError` for anything unknown.
    """
    document = build_document(kind, experiment, audience, **_clean(params))
    return render_report_pdf(document), document


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in params.items()
        if k in ("workshop_id", "version", "organisation") and v not in (None, "")
    }


def reports_dir() -> Path:
    return Path(current_app.config["REPORTS_DIR"])


def export_file(export: ReportExport) -> Path | None:
    """The finished file of ``export``, if it is done and the file is there."""
    if export.status != "done" or not export.file_path:
        return None
    root = reports_dir().resolve()
    path = (root / export.file_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``directory/name`` through a temporary file and ``os.replace``."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        target = directory / name
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def find_cached(
    experiment: Experiment, kind: str, audience: Audience, params: dict[str, Any]
) -> ReportExport | None:
    """A finished export of the same report of the unchanged experiment, with its file."""
    candidates = db.session.scalars(
        sa.select(ReportExport)
        .where(
            ReportExport.experiment_id == experiment.id,
            ReportExport.kind == kind,
            ReportExport.audience == audience.slug,
            ReportExport.content_version == experiment.content_version,
            ReportExport.status == "done",
        )
        .order_by(ReportExport.id.desc())
    )
    for candidate in candidates:
        if (candidate.params or {}) == params and export_file(candidate) is not None:
            return candidate
    return None


def find_in_flight(
    experiment: Experiment, kind: str, audience: Audience, params: dict[str, Any]
) -> ReportExport | None:
    """A queued or running export of the same report of the unchanged experiment."""
    candidates = db.session.scalars(
        sa.select(ReportExport)
        .where(
            ReportExport.experiment_id == experiment.id,
            ReportExport.kind == kind,
            ReportExport.audience == audience.slug,
            ReportExport.content_version == experiment.content_version,
            ReportExport.status.in_(("queued", "running")),
            # A job lost with a restarted worker must not hold its file back for ever.
            ReportExport.created_at >= _now() - IN_FLIGHT_LIMIT,
        )
        .order_by(ReportExport.id)
    )
    return next((c for c in candidates if (c.params or {}) == params), None)


def _lock_report(
    experiment: Experiment, kind: str, audience: Audience, params: dict[str, Any]
) -> None:
    """On PostgreSQL, hold a transaction lock on this report's key until the commit, so
    requests racing for the same missing file queue one export between them (SQLite
    serialises writers itself, and its in-app worker finds the first file for the rest)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    key = f"{experiment.id}|{experiment.content_version}|{kind}|{audience.slug}|{sorted(params.items())}"
    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
    db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def published_file(
    experiment: Experiment, kind: str, audience: Audience | str, **params: Any
) -> ReportExport:
    """The pipeline's export of a published file for ``audience``, started if need be.

    For downloads that anyone allowed to read at ``audience`` may make (specification
    versions, share links): the caller has already checked the reader's audience.
    Returns a done export whose file can be sent, or the one queued/running export of
    that report, version and audience — many readers asking at once share one render.
    No new record is written when a file or a render already exists.
    """
    kind = parse_kind(kind)
    audience = parse_audience(audience)
    resolved = resolve_params(experiment, kind, audience, **_clean(params))
    _lock_report(experiment, kind, audience, resolved)
    found = find_cached(experiment, kind, audience, resolved) or find_in_flight(
        experiment, kind, audience, resolved
    )
    if found is not None:
        return found
    export = ReportExport(
        experiment=experiment,
        kind=kind,
        audience=audience.slug,
        params=resolved,
        content_version=experiment.content_version,
        status="queued",
        progress=0,
        requested_by=None,
        redaction_log=[],
    )
    db.session.add(export)
    db.session.flush()
    audit.record(
        "report.export",
        export,
        summary=f"Queued {KIND_LABELS[kind].lower()} for the {audience.slug} audience "
        "(a published file)",
        changes={
            "kind": [None, kind],
            "audience": [None, audience.slug],
            "params": [None, resolved],
        },
        actor=None,
    )
    from procure.reports import jobs

    jobs.schedule(export.id)
    return export


def queue_version_files(experiment: Experiment, number: str) -> list[ReportExport]:
    """Queue specification ``number``'s PDF for every audience that can read the
    experiment (public only when it is published), so the first download after
    publishing is a file send. One render per audience serves all its readers."""
    readers = [a for a in Audience if experiment.is_published or a != Audience.PUBLIC]
    return [published_file(experiment, "requirements", a, version=number) for a in readers]


def _copy_result(target: ReportExport, source: ReportExport) -> None:
    for name in ("filename", "file_path", "sha256", "size_bytes", "pages", "redaction_log"):
        setattr(target, name, getattr(source, name))
    target.status, target.progress, target.error = "done", 100, ""
    target.finished_at = _now()


def _now():
    from procure.db import utcnow

    return utcnow()


def request_export(
    experiment: Experiment, kind: str, audience: Audience | str, user: Any, **params: Any
) -> ReportExport:
    """Record an export asked for by ``user`` and start (or reuse) its render.

    Refuses (``ExportForbidden``) an audience above the user's own, and raises
    :class:`ReportError` for an unknown kind, workshop or version. A finished file
    of the same report of the unchanged experiment is reused at once.
    """
    kind = parse_kind(kind)
    audience = parse_audience(audience)
    if audience > audience_for(user, experiment):
        raise ExportForbidden(f"You cannot export for the {audience.label.lower()} audience")
    resolved = resolve_params(experiment, kind, audience, **_clean(params))
    export = ReportExport(
        experiment=experiment,
        kind=kind,
        audience=audience.slug,
        params=resolved,
        content_version=experiment.content_version,
        status="queued",
        progress=0,
        requested_by=user if getattr(user, "id", None) else None,
        redaction_log=[],
    )
    db.session.add(export)
    cached = find_cached(experiment, kind, audience, resolved)
    if cached is not None:
        _copy_result(export, cached)
    db.session.flush()
    audit.record(
        "report.export",
        export,
        summary=f"Exported {KIND_LABELS[kind].lower()} for the {audience.slug} audience"
        + (" (cached file)" if cached is not None else ""),
        changes={
            "kind": [None, kind],
            "audience": [None, audience.slug],
            "params": [None, resolved],
        },
        actor=user if getattr(user, "id", None) else None,
    )
    if cached is None:
        from procure.reports import jobs

        jobs.schedule(export.id)
    return export


def _set_progress(export: ReportExport, status: str, progress: int, commit: bool) -> None:
    export.status, export.progress = status, progress
    if commit:
        db.session.commit()
    else:
        db.session.flush()


def process_export(export_id: int, *, commit: bool) -> ReportExport | None:
    """Render one queued export (the job). ``commit`` when running in a worker with
    its own session, so the progress page sees each step; inline it only flushes."""
    export = db.session.get(ReportExport, export_id)
    if export is None or export.status not in ("queued", "running"):
        return export
    experiment = export.experiment
    audience = Audience.parse(export.audience)
    params = dict(export.params or {})
    # The file shows the experiment as it is now: record that content version.
    export.content_version = experiment.content_version
    try:
        cached = find_cached(experiment, export.kind, audience, params)
        if cached is not None:
            _copy_result(export, cached)
            _set_progress(export, "done", 100, commit)
            return export
        _set_progress(export, "running", 10, commit)
        if export.kind in BUNDLE_KINDS:
            resolve_params(experiment, export.kind, audience, **params)
            module = feature_report(FEATURE_OF[export.kind])
            data, filename, withheld = module.build_bundle(
                current_app._get_current_object(), experiment, audience, **params
            )
            suffix, pages = "zip", 0
        else:
            document = build_document(export.kind, experiment, audience, **params)
            _set_progress(export, "running", 40, commit)
            data = render_report_pdf(document)
            filename, withheld = document.filename, document.redaction_log.as_list()
            suffix, pages = "pdf", len(pypdf.PdfReader(io.BytesIO(data)).pages)
        digest = hashlib.sha256(data).hexdigest()
        write_atomically(reports_dir(), f"{digest}.{suffix}", data)
        export.file_path = f"{digest}.{suffix}"
        export.filename = filename
        export.sha256 = digest
        export.size_bytes = len(data)
        export.pages = pages
        export.redaction_log = withheld
        export.error = ""
        export.finished_at = _now()
        _set_progress(export, "done", 100, commit)
    except Exception as exc:
        if isinstance(exc, ReportError):
            log.warning("Report export %s failed: %s", export_id, exc)
        else:
            log.exception("Report export %s failed", export_id)
        message = _plain_error(exc)
        if commit:
            db.session.rollback()
            export = db.session.get(ReportExport, export_id)
        export.status, export.error = "failed", message
        export.file_path, export.sha256, export.size_bytes = "", "", 0
        export.finished_at = _now()
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    return export


def _plain_error(exc: Exception) -> str:
    if isinstance(exc, ReportError):
        return str(exc)
    if isinstance(exc, OSError):
        return "The report was rendered but could not be saved on the server. Ask an administrator to check the reports folder."
    return "The report could not be rendered. Try again; if it fails again, tell the convenor."


def redaction_summary(items: list[dict[str, Any]]) -> str:
    """A one-line summary of a redaction log, e.g. ``Withheld 3 items: 2 members, 1 participants``."""
    if not items:
        return "Nothing withheld"
    levels = Counter(item["level"] for item in items)
    parts = [f"{count} {level}" for level, count in sorted(levels.items())]
    noun = "item" if len(items) == 1 else "items"
    return f"Withheld {len(items)} {noun}: {', '.join(parts)}"


def exports_of(experiment: Experiment, limit: int = 100) -> list[ReportExport]:
    return list(
        db.session.scalars(
            sa.select(ReportExport)
            .where(ReportExport.experiment_id == experiment.id)
            .order_by(ReportExport.created_at.desc(), ReportExport.id.desc())
            .limit(limit)
        )
    )
