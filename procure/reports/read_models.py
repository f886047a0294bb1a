"""Read models of export records for the reports pages (admins read them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from procure.reports.kinds import KIND_LABELS, Choice
from procure.reports.models import ReportExport
from procure.reports.services import STATUS_LABELS, export_file, redaction_summary
from procure.sensitivity import Audience, Redactor, Sensitivity

STATUS_TAGS = {
    "queued": "govuk-tag--grey",
    "running": "govuk-tag--blue",
    "done": "govuk-tag--green",
    "failed": "govuk-tag--red",
}


@dataclass(frozen=True)
class ExportView:
    id: int
    kind: str
    kind_label: str
    detail: str
    audience: Audience
    requested_by: Any
    created_at: datetime
    finished_at: datetime | None
    status: str
    status_label: str
    status_tag: str
    progress: int
    error: str
    sha256: str
    size_bytes: int
    pages: int
    redaction_summary: str
    redaction_log: tuple[dict[str, Any], ...]
    downloadable: bool

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")


def build_export_view(
    export: ReportExport, redactor: Redactor, workshops: dict[str, Choice]
) -> ExportView:
    """One export as the page's audience may see it (requester names are members level)."""
    params = export.params or {}
    detail = ""
    if export.kind == "workshop-pack" and "workshop_id" in params:
        choice = workshops.get(str(params["workshop_id"]))
        detail = choice.label if choice else f"workshop {params['workshop_id']} (deleted)"
    elif export.kind == "requirements" and params.get("version"):
        detail = f"version {params['version']}"
    requester = export.requested_by
    return ExportView(
        id=export.id,
        kind=export.kind,
        kind_label=KIND_LABELS.get(export.kind, export.kind),
        detail=detail,
        audience=Audience.parse(export.audience),
        requested_by=(
            redactor.value(requester.name, Sensitivity.MEMBERS, "person", requester.id)
            if requester
            else "Command line"
        ),
        created_at=export.created_at,
        finished_at=export.finished_at,
        status=export.status,
        status_label=STATUS_LABELS.get(export.status, export.status),
        status_tag=STATUS_TAGS.get(export.status, ""),
        progress=export.progress,
        error=export.error,
        sha256=export.sha256,
        size_bytes=export.size_bytes,
        pages=export.pages,
        redaction_summary=redaction_summary(export.redaction_log or []),
        redaction_log=tuple(export.redaction_log or ()),
        downloadable=export_file(export) is not None,
    )
