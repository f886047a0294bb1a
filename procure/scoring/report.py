"""The scoring report and the scoring section other packs compose.

Everything here comes from the redacted read models in :mod:`procure.scoring.read_models`.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from procure.experiments.models import Experiment
from procure.reports.document import ReportDocument, ReportSection
from procure.scoring.blind import report_blind
from procure.scoring.detail_read_models import CriterionScores, OptionDetail, option_details
from procure.scoring.read_models import build_dashboard, load_scoring_data
from procure.sensitivity import Redactor, is_redacted, withheld_note

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


@dataclass(frozen=True)
class ReasonLine:
    criterion: str
    borough: str
    score: int
    reason: Markup


@dataclass(frozen=True)
class OptionScoreTable:
    """One option in the report: a criterion × borough table of scores, then the reasons
    the audience may read, and one sentence for the reasons withheld (never a marker per
    cell: a public copy would be mostly markers)."""

    detail: OptionDetail
    boroughs: tuple[str, ...]
    # Short column headings ("A", or "1" with ``key`` naming each) so six or more boroughs
    # fit beside the criteria without their names broken a word per line.
    headings: tuple[str, ...]
    key: tuple[tuple[str, str], ...]
    rows: tuple[tuple[CriterionScores, tuple[int | None, ...]], ...]
    reasons: tuple[ReasonLine, ...]
    withheld: str


def _short_headings(boroughs: list[str]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Anonymised labels ("Borough A") become their letter; names become numbers with a key."""
    if all(b.startswith("Borough ") for b in boroughs):
        return tuple(b.removeprefix("Borough ") for b in boroughs), ()
    numbers = tuple(str(n) for n in range(1, len(boroughs) + 1))
    return numbers, tuple(zip(numbers, boroughs, strict=True))


def option_tables(details: tuple[OptionDetail, ...]) -> tuple[OptionScoreTable, ...]:
    """Report tables of ``details`` (already redacted for the audience)."""
    tables = []
    for detail in details:
        boroughs: list[str] = []
        for item in detail.criteria:
            for entry in item.entries:
                if entry.borough not in boroughs:
                    boroughs.append(entry.borough)
        rows = []
        reasons = []
        withheld = []
        for item in detail.criteria:
            by_borough = {entry.borough: entry.score for entry in item.entries}
            rows.append((item, tuple(by_borough.get(b) for b in boroughs)))
            for entry in item.entries:
                if is_redacted(entry.reason):
                    withheld.append(entry.reason.level)
                elif entry.reason:
                    reasons.append(
                        ReasonLine(item.criterion.name, entry.borough, entry.score, entry.reason)
                    )
        headings, key = _short_headings(boroughs)
        tables.append(
            OptionScoreTable(
                detail,
                tuple(boroughs),
                headings,
                key,
                tuple(rows),
                tuple(reasons),
                withheld_note(withheld, "reason"),
            )
        )
    return tuple(tables)


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
        context={"scoring": view, "tables": option_tables(details)},
        sections=sections,
        redaction_log=redactor.log,
        filename_stem=f"{experiment.slug}-scoring",
    )
