"""Serving the pipeline's files to downloads that must never render in the request.

A specification version's PDF and a share link to one come from the report
pipeline: :func:`procure.reports.services.published_file` finds the cached file
(or the one render already under way, or queues it), and the view either sends
the file or answers at once with a progress page (:func:`preparing_page`) that
works without JavaScript — a "Check again" link — and, with it, polls the same
address with ``?status=1`` and moves on to the file when it is ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, render_template, request

from procure.reports.models import ReportExport
from procure.reports.services import export_file

#: Seconds a browser may keep a served file: the file of a cache key never changes.
FILE_MAX_AGE = 3600


@dataclass(frozen=True)
class PreparingView:
    """What the progress page shows about a file being made (no ORM object)."""

    heading: str
    status: str
    progress: int
    failed: bool
    error: str
    check_url: str
    status_url: str
    ready_url: str

    @property
    def status_label(self) -> str:
        if self.ready_url:
            return "Ready"
        if self.failed:
            return "Failed"
        return "Rendering" if self.status == "running" else "Queued"


def is_status_poll() -> bool:
    """A progress page's own poll (``?status=1``): cheap, never a file, so not limited."""
    return request.args.get("status") == "1"


def send_export(export: ReportExport, download_name: str) -> Response | None:
    """The export's finished file as an attachment, or None when it is not there."""
    path = export_file(export)
    if path is None:
        return None
    # Read whole (files are a few MB at most) so no file handle outlives the response.
    response = Response(path.read_bytes(), mimetype="application/pdf")
    response.set_etag(export.sha256 or path.name)
    response.make_conditional(request)
    response.headers["Cache-Control"] = f"private, max-age={FILE_MAX_AGE}"
    response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def preparing_page(
    export: ReportExport, *, heading: str, check_url: str, status_url: str, ready: bool = False
) -> tuple[str, int]:
    """The progress page for ``export``: 202 while it is made, 200 ready, 503 failed."""
    view = PreparingView(
        heading=heading,
        status=export.status,
        progress=export.progress,
        failed=export.status == "failed",
        error=export.error if export.status == "failed" else "",
        check_url=check_url,
        status_url=status_url,
        ready_url=check_url if ready else "",
    )
    code = 200 if ready else 503 if view.failed else 202
    return render_template("reports/preparing.html", preparing=view), code
