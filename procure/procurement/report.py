"""The UK2 notice draft as a PDF report (``notice``), built from the redacted read model."""

from __future__ import annotations

from typing import Any

from procure.experiments.models import Experiment
from procure.procurement import handover
from procure.procurement.conflicts import build_conflicts_view
from procure.procurement.read_models import build_notice_view
from procure.procurement.services import convenor_of, notice_of
from procure.reports.document import ReportDocument, ReportSection
from procure.sensitivity import Audience, Redactor

SECTIONS = (
    ("authorities", "Contracting authorities"),
    ("scope", "What the boroughs intend to buy"),
    ("engagement", "The engagement"),
    ("lots", "Lots"),
)


def build_report(experiment: Experiment, redactor: Redactor) -> ReportDocument:
    """The notice for ``redactor.audience`` (a ``LookupError`` when there is no draft)."""
    notice = notice_of(experiment)
    if notice is None:
        raise LookupError("This experiment has no UK2 notice draft yet: draft one first")
    view = build_notice_view(notice, redactor, convenor_of())
    experiment_title = redactor.text(experiment.title, "experiment.title", experiment.id)
    sections = [
        ReportSection(anchor, heading, "")
        for anchor, heading in SECTIONS
        if anchor != "lots" or view.lots
    ]
    return ReportDocument(
        kind="notice",
        title=f"{experiment_title}: preliminary market engagement notice (UK2) draft",
        subtitle=view.title,
        experiment_name=experiment_title,
        audience=redactor.audience,
        template="notice.html",
        context={"notice": view},
        sections=sections,
        redaction_log=redactor.log,
        filename_stem=f"{experiment.slug}-uk2-notice",
    )


def build_conflicts_report(experiment: Experiment, redactor: Redactor) -> ReportDocument:
    """The conflicts assessment (``conflicts``), for participants only (see MINIMUM_AUDIENCE)."""
    people = build_conflicts_view(experiment, redactor)
    experiment_title = redactor.text(experiment.title, "experiment.title", experiment.id)
    current = sum(1 for p in people if p.is_current)
    return ReportDocument(
        kind="conflicts",
        title=f"{experiment_title}: conflicts assessment",
        subtitle=f"{current} of {len(people)} people involved have a current assessment",
        experiment_name=experiment_title,
        audience=redactor.audience,
        template="conflicts.html",
        context={"people": people},
        sections=[ReportSection("people", "People involved and their assessments", "")],
        redaction_log=redactor.log,
        filename_stem=f"{experiment.slug}-conflicts-assessment",
    )


def resolve_borough(experiment: Experiment, organisation: str | None) -> str:
    """The short name of the borough a handover pack is for (a ReportError names the choices)."""
    return handover.resolve_borough(experiment, organisation)


def build_bundle(
    app: Any, experiment: Experiment, audience: Audience, organisation: str
) -> tuple[bytes, str, list[dict[str, Any]]]:
    """The handover pack as (ZIP bytes, file name, redaction log) for the export job."""
    pack = handover.build_handover(app, experiment, audience, organisation)
    return pack.data, pack.filename, pack.redaction_log
