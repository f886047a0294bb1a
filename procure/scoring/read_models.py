"""Scoring read models: the database → ``analysis.analyse`` wiring, and what pages and
reports show, built for one audience by a ``Redactor``.

``load_scoring_data`` runs a fixed number of queries whatever the number of options,
boroughs or criteria. Per-borough figures are labelled with the organisation's name from
the members audience up; at public they are anonymised ("Borough A", in the order the
boroughs joined) or left out entirely, as ``experiment.public_scores`` says.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from procure.experiments.models import Experiment, Participation
from procure.extensions import db
from procure.market.models import Option
from procure.scoring.analysis import (
    Analysis,
    CriterionInput,
    ModeratedInput,
    OptionInput,
    ScoreInput,
    analyse,
)
from procure.scoring.blind import Blind
from procure.scoring.charts import ScatterPoint, scatter_svg
from procure.scoring.models import SCALE, Criterion, ModeratedScore, Score, Scorecard
from procure.scoring.scorecards import scoring_participations
from procure.scoring.services import borough_weights_of, criteria_of
from procure.scoring.stats import AgreementResult, Stats
from procure.scoring.what_if import (
    CloseCall,
    WeightedRanking,
    close_call,
    rankings_under_borough_weights,
    weight_ranges,
)
from procure.sensitivity import Audience, Redactor


@dataclass
class ScoringData:
    """Everything the scoring pages need, loaded in a constant number of queries.

    ``scorecards`` (with their scores) load on first use, limited to one option when
    the data was loaded for one; the analysis is cached per content version.
    """

    experiment: Experiment
    options: list[Option]  # shortlisted
    criteria: list[Criterion]
    participations: list[Participation]  # organisations that score, in joining order
    moderated: list[ModeratedScore]
    analysis: Analysis
    include_drafts: bool = False
    option_id: int | None = None
    blind: Blind | None = None  # set when the reader sees only their own borough's scores
    what_if: WhatIf | None = None
    _scorecards: list[Scorecard] | None = None

    @property
    def scorecards(self) -> list[Scorecard]:
        """Submitted (plus drafts when asked) scorecards of the scoring organisations."""
        if self._scorecards is None:
            query = (
                sa.select(Scorecard)
                .where(
                    *_scorecard_filter(
                        self.experiment, self.options, self.participations, self.include_drafts
                    )
                )
                .options(selectinload(Scorecard.scores))
                .order_by(Scorecard.option_id, Scorecard.organisation_id)
            )
            if self.option_id is not None:
                query = query.where(Scorecard.option_id == self.option_id)
            self._scorecards = list(db.session.scalars(query))
        return self._scorecards

    def submitted_counts(self) -> dict[int, int]:
        """Organisation id → number of submitted scorecards of shortlisted options."""
        rows = db.session.execute(
            sa.select(Scorecard.organisation_id, sa.func.count(Scorecard.id))
            .where(*_scorecard_filter(self.experiment, self.options, self.participations, False))
            .group_by(Scorecard.organisation_id)
        )
        return {org_id: count for org_id, count in rows}


def _scorecard_filter(
    experiment: Experiment,
    options: list[Option],
    participations: list[Participation],
    include_drafts: bool,
) -> list:
    """Scorecards of the shortlisted options by the scoring organisations (submitted only,
    unless ``include_drafts``)."""
    where = [
        Scorecard.experiment_id == experiment.id,
        Scorecard.option_id.in_([o.id for o in options]),
        Scorecard.organisation_id.in_([p.organisation_id for p in participations]),
    ]
    if not include_drafts:
        where.append(Scorecard.status == "submitted")
    return where


@dataclass(frozen=True)
class WhatIf:
    """What would change the result: the close call at the top and each borough's own
    weights (see ``what_if``)."""

    close_call: CloseCall | None
    borough_weightings: tuple[WeightedRanking, ...]


# (experiment id, content version, inputs) → (score fingerprint, Analysis, WhatIf); per process.
_ANALYSES: dict[tuple, tuple[tuple[int, ...], Analysis, WhatIf]] = {}
_ANALYSES_MAX = 64


def _fingerprint(rows) -> tuple[int, ...]:
    """Count, weighted sums and last id of (score id, option, organisation, criterion, score)."""
    count = total = by_criterion = by_option = by_org = last = 0
    for score_id, option_id, org_id, criterion_id, score in rows:
        count += 1
        total += score
        by_criterion += score * criterion_id
        by_option += score * option_id
        by_org += score * org_id
        last = max(last, score_id)
    return (count, total, by_criterion, by_option, by_org, last)


def _cached_analysis(
    experiment: Experiment,
    options: list[Option],
    criteria: list[Criterion],
    participations: list[Participation],
    moderated: list[ModeratedScore],
    borough_weights: dict[int, dict[int, int]],
) -> tuple[Analysis, WhatIf]:
    """``analyse`` of the submitted scores, reused while nothing it reads has changed.

    The key holds the content version (bumped by every scoring change) and the inputs
    other than the scores. A cached analysis is used only when an aggregate fingerprint
    of the scores, computed by the database, still matches, so a change that missed
    the bump (or a rolled-back transaction that reused ids) cannot serve stale figures.
    Either path runs one query.
    """
    score_filter = [
        *_scorecard_filter(experiment, options, participations, include_drafts=False),
        Score.score.is_not(None),
    ]
    key = (
        experiment.id,
        experiment.created_at,  # an id reused after a rollback is another experiment
        experiment.content_version,
        experiment.quadrant_threshold,
        tuple(p.organisation_id for p in participations),
        tuple((o.id, o.name) for o in options),
        tuple((c.id, c.dimension, c.weight, c.name) for c in criteria),
        tuple((m.id, m.option_id, m.criterion_id, m.score) for m in moderated),
        tuple((org, tuple(sorted(w.items()))) for org, w in sorted(borough_weights.items())),
    )
    cached = _ANALYSES.get(key)
    if cached is not None:
        fingerprint = db.session.execute(
            sa.select(
                sa.func.count(Score.id),
                sa.func.sum(Score.score),
                sa.func.sum(Score.score * Score.criterion_id),
                sa.func.sum(Score.score * Scorecard.option_id),
                sa.func.sum(Score.score * Scorecard.organisation_id),
                sa.func.max(Score.id),
            )
            .join(Scorecard, Scorecard.id == Score.scorecard_id)
            .where(*score_filter)
        ).one()
        if tuple(int(v or 0) for v in fingerprint) == cached[0]:
            return cached[1], cached[2]
    rows = db.session.execute(
        sa.select(
            Score.id,
            Scorecard.option_id,
            Scorecard.organisation_id,
            Score.criterion_id,
            Score.score,
        )
        .join(Scorecard, Scorecard.id == Score.scorecard_id)
        .where(*score_filter)
        .order_by(Scorecard.option_id, Scorecard.organisation_id, Score.id)
    ).all()
    option_inputs = [OptionInput(o.id, o.name) for o in options]
    criterion_inputs = [CriterionInput(c.id, c.dimension, c.weight, c.name) for c in criteria]
    score_inputs = [
        ScoreInput(option_id, org_id, crit_id, score)
        for _, option_id, org_id, crit_id, score in rows
    ]
    analysis = analyse(
        option_inputs,
        criterion_inputs,
        score_inputs,
        [ModeratedInput(m.option_id, m.criterion_id, m.score) for m in moderated],
        threshold=experiment.quadrant_threshold,
        weight_ranges=weight_ranges(criterion_inputs, borough_weights),
    )
    what_if = WhatIf(
        close_call(option_inputs, criterion_inputs, score_inputs),
        rankings_under_borough_weights(
            option_inputs,
            criterion_inputs,
            score_inputs,
            borough_weights,
            [p.organisation_id for p in participations],
        ),
    )
    if len(_ANALYSES) >= _ANALYSES_MAX:
        _ANALYSES.pop(next(iter(_ANALYSES)))
    _ANALYSES[key] = (_fingerprint(rows), analysis, what_if)
    return analysis, what_if


def load_scoring_data(
    experiment: Experiment,
    *,
    include_drafts: bool = False,
    option_id: int | None = None,
    blind: Blind | None = None,
) -> ScoringData:
    """Load the shortlist, criteria and moderation, and run (or reuse) the analysis.

    Only submitted scorecards feed the analysis; ``include_drafts`` also loads drafts
    (for participants' exports) without letting them count. ``option_id`` limits the
    scorecards loaded (``data.scorecards``) to that option's. With a ``blind`` (see
    ``blind.blind_for``) only the reader's own organisation scores: no other borough's
    scorecard is loaded or counted, so nothing built from this data can show one.
    """
    criteria = criteria_of(experiment)
    options = list(
        db.session.scalars(
            sa.select(Option)
            .where(Option.experiment_id == experiment.id, Option.status == "shortlist")
            .order_by(Option.name, Option.id)
        )
    )
    participations = scoring_participations(experiment)
    if blind is not None:
        participations = [p for p in participations if p.organisation_id == blind.organisation_id]
    option_ids = {o.id for o in options}
    # Consensus scores come after everyone has scored: a blind reader sees none.
    moderated = [
        m
        for m in db.session.scalars(
            sa.select(ModeratedScore)
            .where(ModeratedScore.experiment_id == experiment.id)
            .order_by(ModeratedScore.id)
        )
        if m.option_id in option_ids and blind is None
    ]
    analysis, what_if = _cached_analysis(
        experiment, options, criteria, participations, moderated, borough_weights_of(experiment)
    )
    return ScoringData(
        experiment,
        options,
        criteria,
        participations,
        moderated,
        analysis,
        include_drafts=include_drafts,
        option_id=option_id,
        blind=blind,
        what_if=what_if,
    )


# --- labels ------------------------------------------------------------------------


def _letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return letters


def borough_labels(data: ScoringData, audience: Audience) -> dict[int, str] | None:
    """Organisation id → how this audience sees the borough; None when only aggregates show."""
    if audience >= Audience.MEMBERS:
        return {p.organisation_id: p.organisation.name for p in data.participations}
    if data.experiment.public_scores == "aggregate":
        return None
    return {p.organisation_id: f"Borough {_letters(i)}" for i, p in enumerate(data.participations)}


# --- read models -------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionView:
    id: int
    dimension: str
    name: str
    weight: int
    guidance: Markup


@dataclass(frozen=True)
class ModeratedView:
    score: int
    descriptor: str
    rationale: Markup


@dataclass(frozen=True)
class OptionRow:
    option_id: int
    number: int  # the chart label
    name: str
    feasibility: Stats
    desirability: Stats
    combined: Stats
    moderated_feasibility: Stats | None
    moderated_desirability: Stats | None
    quadrant: str | None
    moderated_quadrant: str | None
    robustness: int  # percentage of perturbed weightings in which the option ranks first
    rank: int | None


@dataclass(frozen=True)
class AgendaRow:
    option_id: int
    option_name: str
    criterion_id: int
    criterion_name: str
    dimension: str
    low: int | None
    high: int | None
    range: int | None
    n: int
    moderated: ModeratedView | None


@dataclass(frozen=True)
class BoroughRankRow:
    option_name: str
    combined_rank: int | None
    ranks: tuple[int | None, ...]


@dataclass(frozen=True)
class CloseCallView:
    """Whether there is a clear winner, said plainly, and what would change it."""

    option_ids: tuple[int, int]  # the leader and the runner-up
    is_close: bool
    headline: str
    detail: str
    score_change: str | None
    weight_change: str | None


@dataclass(frozen=True)
class WeightingRow:
    """One borough's ranking under its own weights."""

    borough: str
    own_weights: bool
    weights: str  # "Cost 3 (shared 2), …" for the criteria it changed
    first: str
    winner_changes: bool
    ranking: tuple[str, ...]  # option names, best first


@dataclass(frozen=True)
class ProgressRow:
    organisation: str
    organisation_slug: str
    submitted: int
    total: int

    @property
    def complete(self) -> bool:
        return self.submitted >= self.total


@dataclass(frozen=True)
class ScoringDashboard:
    slug: str
    experiment_title: str
    audience: Audience
    threshold: int
    criteria: tuple[CriterionView, ...]
    options: tuple[OptionRow, ...]  # ranked, best first
    chart: Markup
    agreement: AgreementResult
    agenda: tuple[AgendaRow, ...]
    borough_columns: tuple[str, ...]  # empty when the audience sees only aggregates
    borough_slugs: tuple[str | None, ...]  # for links to the per-borough view (members up)
    borough_ranks: tuple[BoroughRankRow, ...]
    progress: tuple[ProgressRow, ...] | None  # None at public: counts only
    boroughs_total: int
    boroughs_complete: int
    anonymised: bool
    aggregate_only: bool
    close_call: CloseCallView | None = None
    weightings: tuple[WeightingRow, ...] = ()
    blind: Blind | None = None  # the reader sees only their own borough's scores
    sees_all_early: bool = False  # convenor staff or an observer while boroughs are blind


def criterion_views(criteria: list[Criterion], redactor: Redactor) -> tuple[CriterionView, ...]:
    """Criteria with their guidance rendered for the audience."""
    return tuple(
        CriterionView(
            c.id,
            c.dimension,
            c.name,
            c.weight,
            redactor.markdown(c.guidance, "criterion.guidance", c.id),
        )
        for c in criteria
    )


def moderated_view(m: ModeratedScore, redactor: Redactor) -> ModeratedView:
    return ModeratedView(
        m.score,
        SCALE[m.score],
        redactor.markdown(m.rationale, "moderated.rationale", m.id, base=m.rationale_sensitivity),
    )


def _visible_options(data: ScoringData, redactor: Redactor) -> list[Option]:
    return redactor.visible(data.options, lambda o: o.sensitivity, "option")


def option_rows(data: ScoringData, redactor: Redactor) -> tuple[OptionRow, ...]:
    """The visible options ranked by combined mean (unranked last), numbered for the chart."""
    visible = _visible_options(data, redactor)
    results = [data.analysis.option(o.id) for o in visible]
    results.sort(key=lambda r: (r.rank is None, r.rank or 0, r.name.lower()))
    return tuple(
        OptionRow(
            option_id=r.option_id,
            number=i,
            name=r.name,
            feasibility=r.feasibility,
            desirability=r.desirability,
            combined=r.combined,
            moderated_feasibility=r.moderated.feasibility if r.moderated else None,
            moderated_desirability=r.moderated.desirability if r.moderated else None,
            quadrant=r.quadrant,
            moderated_quadrant=r.moderated_quadrant,
            robustness=round(r.robustness * 100),
            rank=r.rank,
        )
        for i, r in enumerate(results, start=1)
    )


def scoring_chart(rows: tuple[OptionRow, ...], threshold: int, id_prefix: str) -> Markup:
    points = [
        ScatterPoint(
            label=str(row.number),
            name=row.name,
            f_mean=row.feasibility.mean,
            d_mean=row.desirability.mean,
            f_min=row.feasibility.min,
            f_max=row.feasibility.max,
            d_min=row.desirability.min,
            d_max=row.desirability.max,
        )
        for row in rows
    ]
    plotted = sum(1 for p in points if p.f_mean is not None and p.d_mean is not None)
    return scatter_svg(
        points,
        threshold=threshold,
        title="Feasibility and desirability of the shortlisted options",
        description=(
            f"{plotted} options plotted by mean feasibility (across) and mean desirability "
            f"(up), 0 to 100, with bars showing the range of borough scores. Quadrants split "
            f"at {threshold}. The table of figures follows the chart."
        ),
        id_prefix=id_prefix,
    )


def agenda_rows(data: ScoringData, redactor: Redactor) -> tuple[AgendaRow, ...]:
    """The moderation agenda (range ≥ 3), then moderated scores that are not on it."""
    visible = {o.id: o for o in _visible_options(data, redactor)}
    criteria = {c.id: c for c in data.criteria}
    moderated = {(m.option_id, m.criterion_id): m for m in data.moderated}
    rows = []
    seen = set()
    for item in data.analysis.agenda:
        if item.option_id not in visible or item.criterion_id not in criteria:
            continue
        key = (item.option_id, item.criterion_id)
        seen.add(key)
        m = moderated.get(key)
        criterion = criteria[item.criterion_id]
        rows.append(
            AgendaRow(
                item.option_id,
                visible[item.option_id].name,
                item.criterion_id,
                criterion.name,
                criterion.dimension,
                item.min,
                item.max,
                item.range,
                item.n,
                moderated_view(m, redactor) if m else None,
            )
        )
    for key, m in sorted(moderated.items()):
        if key in seen or m.option_id not in visible or m.criterion_id not in criteria:
            continue
        criterion = criteria[m.criterion_id]
        values = [
            s.score
            for card in data.scorecards
            if card.status == "submitted" and card.option_id == m.option_id
            for s in card.scores
            if s.criterion_id == m.criterion_id and s.score is not None
        ]
        rows.append(
            AgendaRow(
                m.option_id,
                visible[m.option_id].name,
                m.criterion_id,
                criterion.name,
                criterion.dimension,
                min(values) if values else None,
                max(values) if values else None,
                (max(values) - min(values)) if values else None,
                len(values),
                moderated_view(m, redactor),
            )
        )
    return tuple(rows)


def _points(value: float) -> str:
    return f"{value:.1f}"


def close_call_view(data: ScoringData, redactor: Redactor) -> CloseCallView | None:
    """The close call at the top in words, for the audience (None when fewer than two
    visible options are scored)."""
    call = data.what_if.close_call if data.what_if else None
    if call is None:
        return None
    visible = {o.id: o.name for o in _visible_options(data, redactor)}
    if call.leader_id not in visible or call.runner_up_id not in visible:
        return None
    leader, runner_up = visible[call.leader_id], visible[call.runner_up_id]
    criteria = {c.id: c for c in data.criteria}
    if call.is_close:
        headline = f"No clear winner between {leader} and {runner_up}"
    else:
        headline = f"{leader} is a clear first, ahead of {runner_up}"
    reasons = [
        f"{leader} scores {_points(call.leader_score)} and {runner_up} "
        f"{_points(call.runner_up_score)} out of 100: {_points(call.gap)} points apart "
        f"({'within' if call.within_margin else 'more than'} the margin of "
        f"{call.margin:g} points)."
    ]
    if call.ranges_overlap:
        reasons.append("The boroughs’ combined scores for the two overlap.")
    score_change = None
    move = call.score_move
    if move is not None:
        labels = borough_labels(data, redactor.audience)
        criterion = criteria[move.criterion_id].name
        option = visible[move.option_id]
        direction = "lower" if move.after < move.before else "higher"
        if labels is None:
            who = "one borough"
            figures = ""
        else:
            who = labels.get(move.organisation_id, "one borough")
            figures = f" ({move.after} instead of {move.before})"
        others = call.score_moves_that_swap - 1
        score_change = (
            f"If {who} scored {option} one point {direction} on {criterion}{figures}, "
            f"{runner_up} would come first"
            + (f"; {others} other single one-point changes would do the same." if others else ".")
        )
    elif call.score_moves_that_swap == 0:
        score_change = "No single one-point change to one borough’s score would swap them."
    weight_change = "No change to a single weight would swap them."
    if call.weight_move is not None:
        w = call.weight_move
        weight_change = (
            f"If the weight of {criteria[w.criterion_id].name} were {w.after} instead of "
            f"{w.before}, {runner_up} would come first."
        )
    return CloseCallView(
        (call.leader_id, call.runner_up_id),
        call.is_close,
        headline,
        " ".join(reasons),
        score_change,
        weight_change,
    )


def weighting_rows(data: ScoringData, redactor: Redactor) -> tuple[WeightingRow, ...]:
    """Each borough's ranking under its own weights, for audiences that see boroughs."""
    labels = borough_labels(data, redactor.audience)
    if labels is None or data.what_if is None:
        return ()
    visible = {o.id: o.name for o in _visible_options(data, redactor)}
    criteria = {c.id: c for c in data.criteria}
    rows = []
    for ranking in data.what_if.borough_weightings:
        if ranking.organisation_id not in labels:
            continue
        names = tuple(visible[o] for o, _, _ in ranking.order if o in visible)
        if not names:
            continue
        changed = ", ".join(
            f"{criteria[c].name} {w} (shared {criteria[c].weight})"
            for c, w in ranking.weights
            if c in criteria and criteria[c].weight != w
        )
        rows.append(
            WeightingRow(
                borough=labels[ranking.organisation_id],
                own_weights=ranking.own_weights,
                weights=changed,
                first=" and ".join(visible[o] for o in ranking.winner_ids if o in visible),
                winner_changes=ranking.winner_changes,
                ranking=names,
            )
        )
    return tuple(rows)


def build_dashboard(
    data: ScoringData, redactor: Redactor, *, sees_all_early: bool = False
) -> ScoringDashboard:
    """The scoring dashboard as ``redactor.audience`` may see it.

    ``sees_all_early``: the reader (convenor staff or an observer) sees every borough's
    scores while the boroughs themselves are still blind; the page says so.
    """
    experiment = data.experiment
    audience = redactor.audience
    rows = option_rows(data, redactor)
    labels = borough_labels(data, audience)
    columns: tuple[str, ...] = ()
    slugs: tuple[str | None, ...] = ()
    rank_rows: tuple[BoroughRankRow, ...] = ()
    if labels is not None:
        rankings = [b for b in data.analysis.boroughs if b.organisation_id in labels]
        order = {p.organisation_id: i for i, p in enumerate(data.participations)}
        rankings.sort(key=lambda b: order[b.organisation_id])
        columns = tuple(labels[b.organisation_id] for b in rankings)
        org_slugs = {p.organisation_id: p.organisation.slug for p in data.participations}
        slugs = tuple(
            org_slugs[b.organisation_id] if audience >= Audience.MEMBERS else None for b in rankings
        )
        rank_rows = tuple(
            BoroughRankRow(row.name, row.rank, tuple(b.rank_of(row.option_id) for b in rankings))
            for row in rows
        )
    counts = data.submitted_counts()
    total = len(data.options)
    progress = tuple(
        ProgressRow(
            p.organisation.name, p.organisation.slug, counts.get(p.organisation_id, 0), total
        )
        for p in data.participations
    )
    return ScoringDashboard(
        slug=experiment.slug,
        experiment_title=redactor.text(experiment.title, "experiment.title", experiment.id),
        audience=audience,
        threshold=experiment.quadrant_threshold,
        criteria=criterion_views(data.criteria, redactor),
        options=rows,
        chart=scoring_chart(rows, experiment.quadrant_threshold, "scoring-chart"),
        agreement=data.analysis.agreement,
        agenda=agenda_rows(data, redactor),
        borough_columns=columns,
        borough_slugs=slugs,
        borough_ranks=rank_rows,
        progress=progress if audience >= Audience.MEMBERS else None,
        boroughs_total=len(progress),
        boroughs_complete=sum(1 for p in progress if p.complete and total),
        anonymised=labels is not None and audience < Audience.MEMBERS,
        aggregate_only=labels is None,
        close_call=close_call_view(data, redactor),
        weightings=weighting_rows(data, redactor),
        blind=data.blind,
        sees_all_early=sees_all_early,
    )
