"""The market scan as a section of a printed pack: shortlist compared, planner cohorts, timeline."""

from __future__ import annotations

from datetime import date

from procure.experiments.models import Experiment
from procure.market.read_models import build_landscape_view, build_market_view
from procure.reports.document import ReportSection
from procure.sensitivity import Redactor

ANCHOR = "market-scan"
HEADING = "Market scan"
TEMPLATE = "_market_section.html"


def section(
    experiment: Experiment, redactor: Redactor, *, today: date | None = None
) -> ReportSection:
    """The shortlist comparison and the alignment planner, redacted for ``redactor.audience``.

    Context: ``market`` (a ``MarketView``: ``market.shortlist``) and ``landscape``
    (a ``LandscapeView``: ``landscape.planner`` with its chart and cohorts,
    ``landscape.withheld`` when rows are above the audience).
    """
    market = build_market_view(experiment, redactor)
    landscape = build_landscape_view(
        experiment, redactor, today=today, chart_id="report-contract-timeline"
    )
    return ReportSection(
        anchor=ANCHOR,
        heading=HEADING,
        template=TEMPLATE,
        context={"market": market, "landscape": landscape},
    )
