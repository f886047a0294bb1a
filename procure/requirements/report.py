"""Print side of requirements: the specification report and a section for packs.

Both read only redacted read models; nothing here renders HTML itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from procure.experiments.models import Experiment
from procure.reports.document import ReportDocument, ReportSection
from procure.requirements.models import SpecificationVersion
from procure.requirements.read_models import RequirementGroup, visible_rows
from procure.requirements.services import (
    endorsing_participations,
    position_counts,
    requirements_light,
)
from procure.requirements.snapshots import build_specification_view, view_of_version
from procure.requirements.versions import build_snapshot, get_version, latest_version
from procure.sensitivity import Redactor


def build_report(
    experiment: Experiment,
    redactor: Redactor,
    version: SpecificationVersion | str | None = None,
) -> ReportDocument:
    """The ``requirements`` report: a specification version (default the latest).

    With no version published yet it shows the agreed requirements as they stand,
    marked as a draft. ``version`` may be a ``SpecificationVersion`` or its number.
    """
    experiment_title = redactor.text(experiment.title, "experiment.title", experiment.id)
    if isinstance(version, str):
        found = get_version(experiment, version)
        if found is None:
            raise LookupError(f"No specification version {version} in {experiment.slug}")
        version = found
    if version is None:
        version = latest_version(experiment)
    if version is not None:
        spec = view_of_version(version, redactor)
        title = f"{experiment_title}: requirements specification {version.number}"
    else:
        spec = build_specification_view(experiment, build_snapshot(experiment), {}, redactor)
        title = f"{experiment_title}: draft requirements specification"
    sections = [ReportSection("about", "About this version", "")]
    sections += [ReportSection(g.anchor, g.name, "") for g in spec.groups]
    sections += [
        ReportSection("endorsements", "Endorsements", ""),
        ReportSection("change-log", "Change log", ""),
    ]
    if spec.withheld:
        sections.append(ReportSection("withheld", "Withheld from this copy", ""))
    return ReportDocument(
        kind="requirements",
        title=title,
        subtitle=f"{len(spec.requirements)} agreed requirements for {redactor.audience.label.lower()}",
        experiment_name=experiment_title,
        audience=redactor.audience,
        template="requirements.html",
        context={"spec": spec},
        sections=sections,
        redaction_log=redactor.log,
        filename_stem=spec.filename_stem,
    )


@dataclass(frozen=True)
class RequirementsSection:
    heading: str
    groups: tuple[RequirementGroup, ...]
    count: int


def section(
    experiment: Experiment, redactor: Redactor, requirement_ids: list[int] | None = None
) -> ReportSection:
    """Requirements for a pack: those discussed (``requirement_ids``) or all not withdrawn.

    The partial ``reports/_requirements_section.html`` reads ``requirements_section``.
    """
    reqs = requirements_light(experiment)
    if requirement_ids is not None:
        wanted = set(requirement_ids)
        reqs = [r for r in reqs if r.id in wanted]
        heading = "Requirements discussed"
    else:
        reqs = [r for r in reqs if r.status != "withdrawn"]
        heading = "Requirements"
    parts = endorsing_participations(experiment)
    # Totals only (the pack shows no positions or comments): counted by the database.
    counts = position_counts(experiment, [p.organisation_id for p in parts])
    rows = visible_rows(reqs, parts, redactor, counts=counts)
    order = list(experiment.requirement_categories)
    order += sorted({r.category for r in rows} - set(order))
    groups = tuple(
        RequirementGroup(c, tuple(r for r in rows if r.category == c))
        for c in order
        if any(r.category == c for r in rows)
    )
    view = RequirementsSection(heading, groups, len(rows))
    return ReportSection(
        anchor="requirements",
        heading=heading,
        template="_requirements_section.html",
        context={"requirements_section": view},
    )
