"""The scoring report and the scoring section other packs compose.

Everything here comes from the redacted read models in :mod:`procure.scoring.read_models`.
"""

from __future__ import annotations

from procure.experiments.models import Experiment
from procure.reports.document import ReportDocument, ReportSection
from procure.scoring.blind import report_blind
from procure.scoring.detail_read_models import option_details
from procure.scoring.read_models import build_dashboard, load_scoring_data
from procure.sensitivity import Redactor

ANCHOR = "scoring"
HEADING = "Scoring summary"


def section(experiment: Experiment, redactor: Redactor) -> ReportSection:
    """The chart, the ranked table and agreement, for ``redactor.audience``.

    The partial ``reports/_scoring_section.html`` reads the context variable ``scoring``
    (a ``ScoringDashboard``) and writes its own ``<h2 id="scoring">``.
    """
    data = load_scoring_data(experiment, blind=report_blind(experiment, redactor.audience))
    view = build_dashboard(data, redactor)
    return ReportSection(ANCHOR, HEADING, "_scoring_section.html", {"scoring": view})


def build_report(experiment: Experiment, redactor: Redactor) -> ReportDocument:
    """The ``scoring`` report: the summary section, the moderation agenda, and per-option
    criterion tables with reasons at the audience."""
    experiment_title = redactor.text(experiment.title, "experiment.title", experiment.id)
    data = load_scoring_data(experiment, blind=report_blind(experiment, redactor.audience))
    view = build_dashboard(data, redactor)
    details = option_details(data, redactor)
    summary = ReportSection(ANCHOR, HEADING, "_scoring_section.html", {"scoring": view})
    sections = [
        summary,
        ReportSection("criteria", "Criteria and weights", "", {}),
        ReportSection("moderation", "Moderation agenda", "", {}),
        ReportSection("options", "Scores by option and criterion", "", {}),
    ]
    return ReportDocument(
        kind="scoring",
        title=f"{experiment_title}: feasibility and desirability scoring",
        subtitle="Scores from submitted scorecards, with the moderation agenda",
        experiment_name=experiment_title,
        audience=redactor.audience,
        template="scoring.html",
        context={"scoring": view, "details": details},
        sections=sections,
        redaction_log=redactor.log,
        filename_stem=f"{experiment.slug}-scoring",
    )
