"""Exports of the scoring: every individual score (CSV, XLSX) and the analysis (JSON)."""

from __future__ import annotations

from typing import Any

from procure.experiments.models import Experiment
from procure.scoring.blind import Blind, report_blind
from procure.scoring.read_models import borough_labels, load_scoring_data
from procure.scoring.stats import round_or_none
from procure.sensitivity import Audience, Redactor
from procure.tabular import Sheet, write_csv, write_xlsx

SCORE_COLUMNS = [
    "Option",
    "Organisation",
    "Criterion",
    "Dimension",
    "Weight",
    "Score",
    "Status",
    "Reason",
]


class ExportNotAvailable(LookupError):
    """The audience may see scores only in aggregate, so individual scores are not exported."""


def score_rows(
    experiment: Experiment, redactor: Redactor, blind: Blind | None = None
) -> list[list[Any]]:
    """One row per individual score, at the redactor's audience.

    Drafts are included (with their status) only for participants; at public the
    organisation is anonymised, and when the experiment shows the public only
    aggregates, ``ExportNotAvailable`` is raised. With a ``blind``, only the reader's
    own borough's scores.
    """
    data = load_scoring_data(
        experiment, include_drafts=redactor.audience >= Audience.PARTICIPANTS, blind=blind
    )
    labels = borough_labels(data, redactor.audience)
    if labels is None:
        raise ExportNotAvailable("The public sees only aggregate scores for this experiment")
    visible = {o.id: o for o in redactor.visible(data.options, lambda o: o.sensitivity, "option")}
    criteria = {c.id: c for c in data.criteria}
    order = {p.organisation_id: i for i, p in enumerate(data.participations)}
    rows = []
    cards = sorted(
        (c for c in data.scorecards if c.option_id in visible),
        key=lambda c: (visible[c.option_id].name.lower(), order.get(c.organisation_id, 0)),
    )
    positions = {c.id: i for i, c in enumerate(data.criteria)}
    for card in cards:
        for score in sorted(card.scores, key=lambda s: positions.get(s.criterion_id, 0)):
            criterion = criteria.get(score.criterion_id)
            if criterion is None:
                continue
            rows.append(
                [
                    visible[card.option_id].name,
                    labels[card.organisation_id],
                    criterion.name,
                    criterion.dimension,
                    criterion.weight,
                    score.score,
                    card.status,
                    redactor.text(
                        score.reason, "score.reason", score.id, base=score.reason_sensitivity
                    ),
                ]
            )
    return rows


def scores_csv(experiment: Experiment, redactor: Redactor, blind: Blind | None = None) -> str:
    return write_csv(SCORE_COLUMNS, score_rows(experiment, redactor, blind))


def scores_xlsx(experiment: Experiment, redactor: Redactor, blind: Blind | None = None) -> bytes:
    return write_xlsx([Sheet("Scores", SCORE_COLUMNS, score_rows(experiment, redactor, blind))])


def summary(experiment: Experiment, redactor: Redactor) -> dict[str, Any]:
    """The analysis as JSON-ready data: options with raw and moderated figures, Kendall's W.

    ``kendall_w`` is the coefficient itself (None when it cannot be measured); ``agreement``
    carries it with n and the plain-words reading.
    """
    data = load_scoring_data(experiment, blind=report_blind(experiment, redactor.audience))
    visible = {o.id for o in redactor.visible(data.options, lambda o: o.sensitivity, "option")}
    full = data.analysis.to_dict()
    agreement = data.analysis.agreement
    return {
        "experiment": experiment.slug,
        "threshold": data.analysis.threshold,
        "kendall_w": round_or_none(agreement.w),
        "agreement": agreement.to_dict(),
        "options": [option for option in full["options"] if option["id"] in visible],
        "agenda": [item for item in full["agenda"] if item["option_id"] in visible],
    }
