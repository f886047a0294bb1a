"""The market scan as a section of a printed pack: shortlist compared, planner cohorts, timeline."""

from __future__ import annotations

from datetime import date

from procure.experiments.models import Experiment
from procure.market.read_models import build_landscape_view, build_market_view
from procure.market.services import options_of
from procure.reports.document import ReportSection
from procure.sensitivity import Redactor, withheld_note

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


DISCUSSED_ANCHOR = "options-discussed"
DISCUSSED_HEADING = "Options discussed"


def discussed_section(
    experiment: Experiment,
    redactor: Redactor,
    option_ids: list[int],
    scores: dict[int, object] | None = None,
) -> ReportSection | None:
    """The options a workshop linked, for its pack (None when it linked none).

    Context: ``options`` (the visible ``OptionView``s, in the market's order), ``scores``
    (option id → the scoring summary's ``OptionRow``, when the option has been scored)
    and ``withheld`` (one sentence for linked options above the audience, or "").
    """
    if not option_ids:
        return None
    wanted = set(option_ids)
    market = build_market_view(experiment, redactor)
    options = tuple(o for o in market.options if o.id in wanted)
    hidden = [o.sensitivity for o in options_of(experiment) if o.id in wanted and o.accepted]
    levels = [level for level in hidden if not redactor.permits(level)]
    return ReportSection(
        anchor=DISCUSSED_ANCHOR,
        heading=DISCUSSED_HEADING,
        template="_options_discussed.html",
        context={
            "options": options,
            "scores": {k: v for k, v in (scores or {}).items() if k in wanted},
            "withheld": withheld_note(levels, "option"),
        },
    )
