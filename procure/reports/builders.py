"""Builders of the report kinds Procure composes itself: ``workshop-pack`` and ``summary``.

They compose sections that each feature provides from its own redacted read
models, importing the feature's ``report`` module lazily:

* ``procure.market.report.section(experiment, redactor) -> ReportSection``
* ``procure.scoring.report.section(experiment, redactor) -> ReportSection``
* ``procure.requirements.report.section(experiment, redactor, requirement_ids=None)``
* ``procure.market.report.discussed_section(experiment, redactor, option_ids, scores)``
* ``procure.workshops.report.pack_sections(workshop, redactor) -> list[ReportSection]``,
  ``discussed_ids(workshop) -> (option_ids, requirement_ids)`` and ``place_of(workshop)``

A feature whose report module does not exist yet is left out;
any other import error is a bug and propagates. Workshop sections come in the
workshop feature's order; the market, scoring and requirements sections go after
its ``attendees`` section (or after its first two sections when there is none),
so a pack reads: purpose and agenda, attendees, options discussed (with their scores so
far), requirements discussed, notes, decisions, actions. The whole market scan and
scoring summary are left to their own reports and the summary.
"""

from __future__ import annotations

from typing import Any

from procure.experiments.models import Experiment
from procure.experiments.read_models import build_experiment_view
from procure.experiments.services import participations
from procure.extensions import db
from procure.reports.document import ReportDocument, ReportSection
from procure.reports.kinds import ReportError, feature_report
from procure.sensitivity import Redactor, Sensitivity


def experiment_title(experiment: Experiment, redactor: Redactor) -> str:
    """The experiment's title as plain text for the audience (PDF metadata uses it)."""
    return redactor.text(experiment.title, "experiment.title", experiment.id)


def _feature_section(feature: str, experiment: Experiment, redactor: Redactor, **kwargs: Any):
    module = feature_report(feature)
    if module is None or not hasattr(module, "section"):
        return None
    return module.section(experiment, redactor, **kwargs)


def _unique_anchors(sections: list[ReportSection]) -> list[ReportSection]:
    seen: set[str] = set()
    for section in sections:
        anchor, n = section.anchor, 2
        while anchor in seen:
            anchor, n = f"{section.anchor}-{n}", n + 1
        section.anchor = anchor
        seen.add(anchor)
    return sections


def _discussed_options(
    experiment: Experiment, redactor: Redactor, option_ids: list[int]
) -> ReportSection | None:
    market = feature_report("market")
    if not option_ids or market is None or not hasattr(market, "discussed_section"):
        return None
    scoring = _feature_section("scoring", experiment, redactor)
    rows = {row.option_id: row for row in scoring.context["scoring"].options} if scoring else {}
    return market.discussed_section(experiment, redactor, option_ids, rows)


def build_workshop_pack(
    experiment: Experiment, redactor: Redactor, workshop_id: int
) -> ReportDocument:
    """The pack of one workshop for ``redactor.audience`` (the caller has checked that
    the workshop itself is visible at that audience)."""
    from procure.workshops.models import Workshop

    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.experiment_id != experiment.id:
        raise ReportError(f"No workshop {workshop_id} in this experiment", "workshop_id")
    level = Sensitivity(int(workshop.sensitivity))
    if not redactor.permits(level):
        raise ReportError(f"This workshop is {level.label.lower()}", "audience")
    title = redactor.text(workshop.title, "workshop.title", workshop.id, base=level)
    exp_title = experiment_title(experiment, redactor)

    workshops = feature_report("workshops")
    requirement_ids = None
    option_ids: list[int] = []
    if workshops is not None and hasattr(workshops, "pack_sections"):
        workshop_sections = list(workshops.pack_sections(workshop, redactor))
        option_ids, requirement_ids = workshops.discussed_ids(workshop)
        option_ids, requirement_ids = list(option_ids), list(requirement_ids)
    else:
        workshop_sections = [
            ReportSection(
                "purpose",
                "Purpose",
                "_workshop_fallback.html",
                {
                    "purpose": redactor.markdown(
                        workshop.purpose, "workshop.purpose", workshop.id, base=level
                    )
                },
            )
        ]
    anchors = [s.anchor for s in workshop_sections]
    split = anchors.index("attendees") + 1 if "attendees" in anchors else min(2, len(anchors))

    # A pack carries what the workshop discussed: the options and requirements it linked,
    # not the whole market scan and scoring summary (those have their own reports).
    feature_sections = [
        section
        for section in (
            _discussed_options(experiment, redactor, option_ids),
            _feature_section("requirements", experiment, redactor, requirement_ids=requirement_ids)
            if requirement_ids
            else None,
        )
        if section is not None
    ]

    sections = workshop_sections[:split] + feature_sections + workshop_sections[split:]
    place = workshops.place_of(workshop) if workshops is not None else workshop.location
    facts: list[tuple[str, Any]] = [("Workshop date", workshop.starts_at.strftime("%-d %B %Y"))]
    if place:
        facts.append(("Where", redactor.text(place, "workshop.place", workshop.id, base=level)))
    return ReportDocument(
        kind="workshop-pack",
        title=f"{title}: workshop pack",
        subtitle=exp_title,
        experiment_name=exp_title,
        audience=redactor.audience,
        template="workshop-pack.html",
        context={},
        sections=_unique_anchors(sections),
        redaction_log=redactor.log,
        filename_stem=f"{experiment.slug}-workshop-{workshop.id}-pack",
        cover_facts=facts,
    )


def build_summary(experiment: Experiment, redactor: Redactor) -> ReportDocument:
    """The experiment so far: what it is for, who takes part, and each feature's summary."""
    view = build_experiment_view(experiment, participations(experiment), redactor)
    exp_title = experiment_title(experiment, redactor)
    sections = [
        ReportSection(
            "experiment",
            "About the experiment",
            "_experiment_section.html",
            {"experiment": view, "title": exp_title},
        )
    ]
    for feature in ("market", "scoring", "requirements"):
        section = _feature_section(feature, experiment, redactor)
        if section is not None:
            sections.append(section)
    return ReportDocument(
        kind="summary",
        title=f"{exp_title}: experiment summary",
        subtitle=f"Stage: {view.stage_label}",
        experiment_name=exp_title,
        audience=redactor.audience,
        template="summary.html",
        context={"experiment": view},
        sections=_unique_anchors(sections),
        redaction_log=redactor.log,
        filename_stem=f"{experiment.slug}-summary",
    )
