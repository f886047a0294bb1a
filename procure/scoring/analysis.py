"""The scoring analysis: pure arithmetic over submitted scorecards.

DESIGN.md, "Scoring arithmetic", is the specification and the tests pin it.

No Flask and no database: callers load criteria, options, the scores of submitted
complete scorecards and the moderated scores, turn them into the input dataclasses
below and call :func:`analyse`. Borough scores are computed exactly (``Fraction``) and
only turned into floats at the edge, so scaling every weight by the same factor
changes nothing, not even in the last digit.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

# Stats, AgreementResult, describe and kendalls_w are part of this module's interface too.
from procure.scoring.stats import (
    AgreementResult,
    Stats,
    competition_ranks,
    describe,
    kendalls_w,
    round_or_none,
)

FEASIBILITY = "feasibility"
DESIRABILITY = "desirability"
DIMENSIONS = (FEASIBILITY, DESIRABILITY)

PURSUE_TOGETHER = "pursue together"
MAKE_FEASIBLE = "make feasible"
EASY_BUT_UNWANTED = "easy but unwanted"
SET_ASIDE = "set aside"
QUADRANTS = (PURSUE_TOGETHER, MAKE_FEASIBLE, EASY_BUT_UNWANTED, SET_ASIDE)

AGENDA_MIN_RANGE = 3
MAX_SCORE = 5


@dataclass(frozen=True)
class CriterionInput:
    id: int
    dimension: str  # FEASIBILITY or DESIRABILITY
    weight: int
    name: str


@dataclass(frozen=True)
class ScoreInput:
    option_id: int
    organisation_id: int
    criterion_id: int
    score: int


@dataclass(frozen=True)
class ModeratedInput:
    option_id: int
    criterion_id: int
    score: int


@dataclass(frozen=True)
class OptionInput:
    id: int
    name: str


class AgendaItem(NamedTuple):
    """An option × criterion whose counted boroughs disagree by ``range`` points."""

    option_id: int
    criterion_id: int
    min: int
    max: int
    range: int
    n: int


@dataclass(frozen=True)
class ModeratedStats:
    """Borough scores of an option with moderated scores substituted, per dimension."""

    feasibility: Stats
    desirability: Stats

    def to_dict(self) -> dict[str, Any]:
        return {FEASIBILITY: self.feasibility.to_dict(), DESIRABILITY: self.desirability.to_dict()}


@dataclass(frozen=True)
class OptionAnalysis:
    """Everything the analysis says about one option.

    ``quadrant`` comes from the raw means and is None until both dimensions have a
    counted borough; ``moderated`` and ``moderated_quadrant`` are None unless a
    moderated score exists for the option. ``rank`` orders options by combined mean
    (1 = best, ties share the best rank; None when nobody scored both dimensions).
    """

    option_id: int
    name: str
    feasibility: Stats
    desirability: Stats
    combined: Stats
    moderated: ModeratedStats | None
    quadrant: str | None
    moderated_quadrant: str | None
    robustness: float
    rank: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.option_id,
            "name": self.name,
            FEASIBILITY: self.feasibility.to_dict(),
            DESIRABILITY: self.desirability.to_dict(),
            "combined": self.combined.to_dict(),
            "moderated": self.moderated.to_dict() if self.moderated else None,
            "quadrant": self.quadrant,
            "moderated_quadrant": self.moderated_quadrant,
            "robustness": round(self.robustness, 2),
            "rank": self.rank,
        }


@dataclass(frozen=True)
class RankedOption:
    option_id: int
    combined: float | None
    rank: int | None  # 1 = this borough's favourite; ties share the best rank


@dataclass(frozen=True)
class BoroughRanking:
    """One borough's own order of the options, best first; options it has not scored
    completely come last with no score and no rank."""

    organisation_id: int
    entries: tuple[RankedOption, ...]

    def rank_of(self, option_id: int) -> int | None:
        return next((e.rank for e in self.entries if e.option_id == option_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "organisation_id": self.organisation_id,
            "options": [
                {"id": e.option_id, "combined": round_or_none(e.combined), "rank": e.rank}
                for e in self.entries
            ],
        }


@dataclass(frozen=True)
class Analysis:
    """The whole scoring read model: options in the order given, boroughs by id."""

    options: tuple[OptionAnalysis, ...]
    boroughs: tuple[BoroughRanking, ...]
    agenda: tuple[AgendaItem, ...]
    agreement: AgreementResult
    threshold: float

    def option(self, option_id: int) -> OptionAnalysis:
        for option in self.options:
            if option.option_id == option_id:
                return option
        raise KeyError(option_id)

    def to_dict(self, *, include_boroughs: bool = False) -> dict[str, Any]:
        """JSON-ready data with floats rounded to 2 decimals.

        Per-borough rankings are left out unless asked for: whether an audience may see
        them (and under which names) is the caller's decision.
        """
        data: dict[str, Any] = {
            "threshold": self.threshold,
            "kendall_w": self.agreement.to_dict(),
            "options": [option.to_dict() for option in self.options],
            "agenda": [item._asdict() for item in self.agenda],
        }
        if include_boroughs:
            data["boroughs"] = [borough.to_dict() for borough in self.boroughs]
        return data


# Scores of one option: organisation id → criterion id → score.
_Scorecards = dict[int, dict[int, int]]


def _exact_borough_score(
    scores_by_criterion: Mapping[int, float], criteria: Sequence[CriterionInput]
) -> Fraction | None:
    total_weight = sum(Fraction(c.weight) for c in criteria)
    if not criteria or total_weight <= 0:
        return None
    weighted = Fraction(0)
    for criterion in criteria:
        score = scores_by_criterion.get(criterion.id)
        if score is None:
            return None
        weighted += Fraction(criterion.weight) * Fraction(score)
    return 100 * weighted / (MAX_SCORE * total_weight)


def borough_dimension_score(
    scores_by_criterion: Mapping[int, int], criteria: Sequence[CriterionInput]
) -> float | None:
    """A borough's score (0–100) of one option in one dimension: 100 × Σ wᵢ·sᵢ / (5 × Σ wᵢ).

    ``criteria`` are that dimension's criteria; ``scores_by_criterion`` maps criterion id
    to the borough's 0–5 score. None when any criterion has no score (an incomplete
    scorecard does not count) or there are no criteria.
    """
    exact = _exact_borough_score(scores_by_criterion, criteria)
    return None if exact is None else float(exact)


def quadrant(f: float, d: float, threshold: float = 50) -> str:
    """Where feasibility ``f`` and desirability ``d`` fall; a score equal to the threshold
    counts as meeting it."""
    if f >= threshold:
        return PURSUE_TOGETHER if d >= threshold else EASY_BUT_UNWANTED
    return MAKE_FEASIBLE if d >= threshold else SET_ASIDE


def _by_dimension(criteria: Iterable[CriterionInput]) -> dict[str, list[CriterionInput]]:
    ordered = sorted(criteria, key=lambda c: c.id)
    return {dim: [c for c in ordered if c.dimension == dim] for dim in DIMENSIONS}


def _index_scores(
    scores: Iterable[ScoreInput],
    criterion_ids: set[int],
    option_ids: set[int] | None = None,
) -> dict[int, _Scorecards]:
    """option id → organisation id → criterion id → score, ignoring unknown criteria/options."""
    index: dict[int, _Scorecards] = {}
    for s in scores:
        if s.criterion_id in criterion_ids and (option_ids is None or s.option_id in option_ids):
            index.setdefault(s.option_id, {}).setdefault(s.organisation_id, {})[s.criterion_id] = (
                s.score
            )
    return index


def _complete(scorecard: Mapping[int, int], criteria: Sequence[CriterionInput]) -> bool:
    return bool(criteria) and all(c.id in scorecard for c in criteria)


def _borough_scores(
    scorecards: _Scorecards,
    criteria: Sequence[CriterionInput],
    substitutes: Mapping[int, int] | None = None,
) -> dict[int, Fraction]:
    """Borough scores of the boroughs whose scorecard is complete in this dimension.

    ``substitutes`` (criterion id → moderated score) replace the borough's own scores;
    they do not make an incomplete scorecard count.
    """
    result: dict[int, Fraction] = {}
    for org_id, scorecard in sorted(scorecards.items()):
        if not _complete(scorecard, criteria):
            continue
        score = _exact_borough_score({**scorecard, **(substitutes or {})}, criteria)
        if score is not None:
            result[org_id] = score
    return result


def _combined(
    feasibility: Mapping[int, Fraction], desirability: Mapping[int, Fraction]
) -> dict[int, Fraction]:
    """Combined score per borough: the mean of its two dimension scores, where both exist."""
    return {
        org: (f + desirability[org]) / 2 for org, f in feasibility.items() if org in desirability
    }


def moderation_agenda(
    criteria: Sequence[CriterionInput],
    scores: Iterable[ScoreInput],
    *,
    min_range: int = AGENDA_MIN_RANGE,
) -> list[AgendaItem]:
    """Option × criterion pairs on which the counted boroughs disagree by ≥ ``min_range``.

    Only boroughs whose scorecard is complete in the criterion's dimension count. Sorted
    by range (widest first), then option id, then criterion id.
    """
    by_dim = _by_dimension(criteria)
    index = _index_scores(scores, {c.id for c in criteria})
    agenda: list[AgendaItem] = []
    for option_id, scorecards in index.items():
        for dim_criteria in by_dim.values():
            counted = [sc for sc in scorecards.values() if _complete(sc, dim_criteria)]
            for criterion in dim_criteria:
                values = [sc[criterion.id] for sc in counted]
                if values and max(values) - min(values) >= min_range:
                    low, high = min(values), max(values)
                    agenda.append(
                        AgendaItem(option_id, criterion.id, low, high, high - low, len(values))
                    )
    agenda.sort(key=lambda item: (-item.range, item.option_id, item.criterion_id))
    return agenda


def robustness(
    options: Sequence[OptionInput],
    criteria: Sequence[CriterionInput],
    scores: Iterable[ScoreInput],
    *,
    seed: int = 1,
    runs: int = 500,
    low: float = 0.75,
    high: float = 1.25,
    weight_ranges: Mapping[int, tuple[int, int]] | None = None,
) -> dict[int, float]:
    """Share of runs (0–1) in which each option ranks first on its overall combined score.

    In each run every criterion weight (in criterion id order) is multiplied by its own
    factor drawn uniformly from [low, high] with ``random.Random(seed)``. Where
    ``weight_ranges`` gives a criterion a spread (the lowest and highest weight the
    boroughs chose), its weight is first drawn uniformly from that spread, so the
    robustness reflects how differently the boroughs weigh things as well. The overall
    combined score is the mean, over the boroughs with both dimensions complete, of
    their combined scores. Options tied for first share that run's credit equally. An
    option nobody scored never ranks first.
    """
    by_dim = _by_dimension(criteria)
    ordered = [c for dim in DIMENSIONS for c in by_dim[dim]]
    index = _index_scores(scores, {c.id for c in ordered}, {o.id for o in options})
    # The mean over boroughs of a weighted mean is the weighted mean of the per-criterion
    # means, so each run needs only the average score per option × criterion.
    averages: dict[int, dict[int, float]] = {}
    for option in options:
        counted = [
            sc
            for sc in index.get(option.id, {}).values()
            if all(_complete(sc, by_dim[dim]) for dim in DIMENSIONS)
        ]
        if counted:
            averages[option.id] = {
                c.id: statistics.fmean(sc[c.id] for sc in counted) for c in ordered
            }
    credit = dict.fromkeys((o.id for o in options), Fraction(0))
    weighted = all(sum(c.weight for c in by_dim[dim]) > 0 for dim in DIMENSIONS)
    if not averages or not weighted or runs <= 0:
        return {option_id: 0.0 for option_id in credit}
    draw_order = sorted(ordered, key=lambda c: c.id)
    rng = random.Random(seed)
    for _ in range(runs):
        weights = {}
        for c in draw_order:
            lowest, highest = (weight_ranges or {}).get(c.id, (c.weight, c.weight))
            base = c.weight if lowest == highest else rng.uniform(lowest, highest)
            weights[c.id] = base * rng.uniform(low, high)
        totals = {dim: sum(weights[c.id] for c in by_dim[dim]) for dim in DIMENSIONS}
        overall = {
            option_id: sum(
                # ½ × 100 / 5 = 10: the mean of the two dimensions, each scaled to 0–100
                10 * sum(weights[c.id] * avg[c.id] for c in by_dim[dim]) / totals[dim]
                for dim in DIMENSIONS
            )
            for option_id, avg in averages.items()
        }
        best = max(overall.values())
        winners = [
            o for o, v in overall.items() if math.isclose(v, best, rel_tol=1e-9, abs_tol=1e-9)
        ]
        for option_id in winners:
            credit[option_id] += Fraction(1, len(winners))
    return {option_id: float(c / runs) for option_id, c in credit.items()}


def _moderation_index(
    moderated: Iterable[ModeratedInput], criterion_ids: set[int], option_ids: set[int]
) -> dict[int, dict[int, int]]:
    index: dict[int, dict[int, int]] = {}
    for m in moderated:
        if m.criterion_id in criterion_ids and m.option_id in option_ids:
            index.setdefault(m.option_id, {})[m.criterion_id] = m.score
    return index


def moderated_consensus(
    option_id: int,
    dimension: str,
    criteria: Sequence[CriterionInput],
    scores: Iterable[ScoreInput],
    moderated: Iterable[ModeratedInput],
) -> tuple[Stats, Stats | None]:
    """Raw and moderated figures of one option in one dimension.

    Where a moderated score exists for a criterion it replaces every counted borough's own
    score for it; the moderated figures describe the borough scores so recomputed, over
    the same boroughs. The moderated Stats are None when no moderated score touches the
    option.
    """
    dim_criteria = _by_dimension(criteria)[dimension]
    criterion_ids = {c.id for c in criteria}
    scorecards = _index_scores(scores, criterion_ids, {option_id}).get(option_id, {})
    substitutes = _moderation_index(moderated, criterion_ids, {option_id}).get(option_id)
    raw = describe(_borough_scores(scorecards, dim_criteria).values())
    if not substitutes:
        return raw, None
    return raw, describe(_borough_scores(scorecards, dim_criteria, substitutes).values())


def _quadrant_or_none(f: Stats, d: Stats, threshold: float) -> str | None:
    if f.mean is None or d.mean is None:
        return None
    return quadrant(f.mean, d.mean, threshold)


def _moderated_stats(
    scorecards: _Scorecards,
    by_dim: Mapping[str, Sequence[CriterionInput]],
    substitutes: Mapping[int, int] | None,
) -> ModeratedStats | None:
    if not substitutes:
        return None
    return ModeratedStats(
        *(
            describe(_borough_scores(scorecards, by_dim[dim], substitutes).values())
            for dim in DIMENSIONS
        )
    )


def _borough_ranking(
    organisation_id: int, option_ids: Sequence[int], combined: Mapping[int, Mapping[int, Fraction]]
) -> BoroughRanking:
    own = {o: combined[o][organisation_id] for o in option_ids if organisation_id in combined[o]}
    ranks = competition_ranks(own)
    entries = [
        RankedOption(o, float(own[o]) if o in own else None, ranks.get(o)) for o in option_ids
    ]
    entries.sort(key=lambda e: (e.rank is None, e.rank or 0))
    return BoroughRanking(organisation_id, tuple(entries))


def analyse(
    options: Sequence[OptionInput],
    criteria: Sequence[CriterionInput],
    scores: Iterable[ScoreInput],
    moderated: Iterable[ModeratedInput] = (),
    threshold: float = 50,
    *,
    seed: int = 1,
    runs: int = 500,
    weight_ranges: Mapping[int, tuple[int, int]] | None = None,
) -> Analysis:
    """The scoring read model of an experiment.

    ``scores`` should hold only submitted scorecards; a borough still counts for an option
    in a dimension only when it scored every criterion of that dimension. Scores and
    moderated scores of options or criteria not passed in are ignored. Kendall's W is
    computed over the boroughs with a combined score for every option passed in.
    ``weight_ranges`` (criterion id → lowest and highest weight the boroughs chose)
    widens the robustness runs.
    """
    option_ids = list(dict.fromkeys(o.id for o in options))
    criterion_ids = {c.id for c in criteria}
    wanted = set(option_ids)
    scores = [s for s in scores if s.option_id in wanted]
    by_dim = _by_dimension(criteria)
    index = _index_scores(scores, criterion_ids)
    moderation = _moderation_index(moderated, criterion_ids, wanted)
    shares = robustness(
        options, criteria, scores, seed=seed, runs=runs, weight_ranges=weight_ranges
    )

    raw = {
        o: {dim: _borough_scores(index.get(o, {}), by_dim[dim]) for dim in DIMENSIONS}
        for o in option_ids
    }
    combined = {o: _combined(r[FEASIBILITY], r[DESIRABILITY]) for o, r in raw.items()}
    ranks = competition_ranks({o: statistics.mean(c.values()) for o, c in combined.items() if c})

    results = []
    for option in options:
        f, d = (describe(raw[option.id][dim].values()) for dim in DIMENSIONS)
        moderated_stats = _moderated_stats(
            index.get(option.id, {}), by_dim, moderation.get(option.id)
        )
        moderated_quadrant = (
            _quadrant_or_none(moderated_stats.feasibility, moderated_stats.desirability, threshold)
            if moderated_stats
            else None
        )
        results.append(
            OptionAnalysis(
                option_id=option.id,
                name=option.name,
                feasibility=f,
                desirability=d,
                combined=describe(combined[option.id].values()),
                moderated=moderated_stats,
                quadrant=_quadrant_or_none(f, d, threshold),
                moderated_quadrant=moderated_quadrant,
                robustness=shares[option.id],
                rank=ranks.get(option.id),
            )
        )

    organisation_ids = sorted({org for scorecards in index.values() for org in scorecards})
    boroughs = tuple(_borough_ranking(org, option_ids, combined) for org in organisation_ids)
    rankings = {
        b.organisation_id: {e.option_id: e.combined for e in b.entries if e.combined is not None}
        for b in boroughs
    }
    return Analysis(
        options=tuple(results),
        boroughs=boroughs,
        agenda=tuple(moderation_agenda(criteria, scores)),
        agreement=kendalls_w(rankings, items=option_ids),
        threshold=threshold,
    )
