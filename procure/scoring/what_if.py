"""What would change the result: close calls, the smallest change that swaps the top two,
and the ranking under each borough's own weights.

Pure arithmetic like :mod:`procure.scoring.analysis`, on the same inputs. The overall
score of an option is the mean, over the boroughs that scored both dimensions
completely, of their combined scores (the figure the dashboard ranks by). Everything is
computed exactly with ``Fraction`` so a tie is a tie.

Because the mean over boroughs of a weighted mean is the weighted mean of the
per-criterion means, moving one borough's score on criterion *c* of dimension *d* by δ
moves the option's overall score by ``10 × w_c × δ / (W_d × n)`` (½ for the mean of the
two dimensions, × 100 / 5 for the 0–100 scale; n counted boroughs). The tests pin this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from procure.scoring.analysis import (
    DIMENSIONS,
    MAX_SCORE,
    CriterionInput,
    OptionInput,
    ScoreInput,
)
from procure.scoring.stats import competition_ranks

#: Points on the 0–100 combined score within which the top two are a close call.
CLOSE_MARGIN = 2
#: The largest weight the search for a swapping weight tries.
MAX_WEIGHT_TRIED = 100


@dataclass(frozen=True)
class ScoreMove:
    """One borough's score of one option on one criterion, moved by one point."""

    option_id: int
    organisation_id: int
    criterion_id: int
    before: int
    after: int
    effect: Fraction  # change of the gap between leader and runner-up (positive closes it)


@dataclass(frozen=True)
class WeightMove:
    """One criterion's weight changed to the nearest value that swaps the top two."""

    criterion_id: int
    before: int
    after: int


@dataclass(frozen=True)
class CloseCall:
    """The top two options, how far apart, and the smallest changes that swap them."""

    leader_id: int
    runner_up_id: int
    leader_score: float
    runner_up_score: float
    gap: float
    margin: float
    ranges_overlap: bool
    score_move: ScoreMove | None  # the one-point move that swings the most, if one swaps them
    score_moves_that_swap: int  # how many single one-point moves would swap them
    weight_move: WeightMove | None

    @property
    def within_margin(self) -> bool:
        return self.gap <= self.margin

    @property
    def is_close(self) -> bool:
        return self.within_margin or self.ranges_overlap


@dataclass(frozen=True)
class WeightedRanking:
    """The options ranked under one borough's weights, applied to every borough's scores."""

    organisation_id: int
    own_weights: bool  # False: the borough uses the shared weights
    weights: tuple[tuple[int, int], ...]  # (criterion id, weight) in criterion order
    order: tuple[tuple[int, float, int], ...]  # (option id, overall score, rank), best first
    winner_ids: tuple[int, ...]
    winner_changes: bool  # its first choice differs from the overall one


# --- the overall score ------------------------------------------------------------


def _by_dimension(criteria: Iterable[CriterionInput]) -> dict[str, list[CriterionInput]]:
    ordered = sorted(criteria, key=lambda c: c.id)
    return {dim: [c for c in ordered if c.dimension == dim] for dim in DIMENSIONS}


def counted_scorecards(
    options: Sequence[OptionInput], criteria: Sequence[CriterionInput], scores: Iterable[ScoreInput]
) -> dict[int, dict[int, dict[int, int]]]:
    """option id → organisation id → criterion id → score, for the boroughs that scored
    every criterion of both dimensions of that option."""
    criterion_ids = {c.id for c in criteria}
    option_ids = {o.id for o in options}
    index: dict[int, dict[int, dict[int, int]]] = {}
    for s in scores:
        if s.criterion_id in criterion_ids and s.option_id in option_ids:
            index.setdefault(s.option_id, {}).setdefault(s.organisation_id, {})[s.criterion_id] = (
                s.score
            )
    by_dim = _by_dimension(criteria)
    if not all(by_dim[dim] for dim in DIMENSIONS):
        return {}
    return {
        option_id: {org: card for org, card in cards.items() if criterion_ids <= card.keys()}
        for option_id, cards in index.items()
    }


def _averages(cards: Mapping[int, Mapping[int, int]], criteria: Sequence[CriterionInput]):
    n = len(cards)
    return {c.id: Fraction(sum(card[c.id] for card in cards.values()), n) for c in criteria}


def overall_score(
    averages: Mapping[int, Fraction], criteria: Sequence[CriterionInput], weights: Mapping[int, int]
) -> Fraction:
    """10 × Σ_dimensions Σ w·avg / Σ w: the mean combined score from per-criterion means."""
    by_dim = _by_dimension(criteria)
    total = Fraction(0)
    for dim in DIMENSIONS:
        weight_sum = sum(weights[c.id] for c in by_dim[dim])
        total += Fraction(100, 2 * MAX_SCORE) * Fraction(
            sum(weights[c.id] * averages[c.id] for c in by_dim[dim]), weight_sum
        )
    return total


def overall_scores(
    options: Sequence[OptionInput],
    criteria: Sequence[CriterionInput],
    scores: Iterable[ScoreInput],
    weights: Mapping[int, int] | None = None,
) -> dict[int, Fraction]:
    """Option id → overall score under ``weights`` (criterion id → weight; the criteria's
    own by default), for the options at least one borough scored completely."""
    weights = {c.id: c.weight for c in criteria} | dict(weights or {})
    cards = counted_scorecards(options, criteria, scores)
    return {
        o.id: overall_score(_averages(cards[o.id], criteria), criteria, weights)
        for o in options
        if cards.get(o.id)
    }


# --- close calls --------------------------------------------------------------------


def _score_moves(
    leader: int,
    runner_up: int,
    cards: Mapping[int, Mapping[int, Mapping[int, int]]],
    criteria: Sequence[CriterionInput],
) -> list[ScoreMove]:
    """Every single one-point move that narrows the gap: the leader's scores down, the
    runner-up's up; most effective first, then by option, borough and criterion."""
    by_dim = _by_dimension(criteria)
    dim_weight = {dim: sum(c.weight for c in by_dim[dim]) for dim in DIMENSIONS}
    moves = []
    for option_id, step in ((leader, -1), (runner_up, 1)):
        option_cards = cards[option_id]
        n = len(option_cards)
        for org_id, card in sorted(option_cards.items()):
            for c in sorted(criteria, key=lambda c: c.id):
                before = card[c.id]
                after = before + step
                if not 0 <= after <= MAX_SCORE:
                    continue
                effect = Fraction(10 * c.weight, dim_weight[c.dimension] * n)
                moves.append(ScoreMove(option_id, org_id, c.id, before, after, effect))
    moves.sort(key=lambda m: (-m.effect, m.option_id != leader, m.organisation_id, m.criterion_id))
    return moves


def _weight_move(
    leader: int,
    runner_up: int,
    averages: Mapping[int, Mapping[int, Fraction]],
    criteria: Sequence[CriterionInput],
) -> WeightMove | None:
    """The criterion weight whose change to the nearest positive whole number puts the
    runner-up strictly ahead; the smallest change wins, then the first criterion."""
    weights = {c.id: c.weight for c in criteria}
    best: WeightMove | None = None
    for c in sorted(criteria, key=lambda c: c.id):
        for distance in range(1, MAX_WEIGHT_TRIED):
            if best is not None and distance >= abs(best.after - best.before):
                break
            found = next(
                (
                    candidate
                    for candidate in (c.weight - distance, c.weight + distance)
                    if 1 <= candidate <= MAX_WEIGHT_TRIED
                    and overall_score(averages[runner_up], criteria, weights | {c.id: candidate})
                    > overall_score(averages[leader], criteria, weights | {c.id: candidate})
                ),
                None,
            )
            if found is not None:
                best = WeightMove(c.id, c.weight, found)
                break
    return best


def close_call(
    options: Sequence[OptionInput],
    criteria: Sequence[CriterionInput],
    scores: Iterable[ScoreInput],
    *,
    margin: float = CLOSE_MARGIN,
) -> CloseCall | None:
    """The top two options by overall score and what would swap them; None with fewer
    than two scored options.

    The call is close when they are within ``margin`` points or the ranges of their
    boroughs' combined scores overlap. A one-point move swaps them when the runner-up
    then scores strictly more than the leader.
    """
    scores = list(scores)
    cards = counted_scorecards(options, criteria, scores)
    overall = overall_scores(options, criteria, scores)
    if len(overall) < 2:
        return None
    order = {o.id: i for i, o in enumerate(options)}
    leader, runner_up = sorted(overall, key=lambda o: (-overall[o], order[o]))[:2]
    gap = overall[leader] - overall[runner_up]
    moves = [m for m in _score_moves(leader, runner_up, cards, criteria) if m.effect > gap]
    averages = {o: _averages(cards[o], criteria) for o in (leader, runner_up)}
    by_dim = _by_dimension(criteria)

    def combined_range(option_id: int) -> tuple[Fraction, Fraction]:
        values = []
        for card in cards[option_id].values():
            dims = []
            for dim in DIMENSIONS:
                crit = by_dim[dim]
                dims.append(
                    Fraction(100 * sum(c.weight * card[c.id] for c in crit))
                    / (MAX_SCORE * sum(c.weight for c in crit))
                )
            values.append(sum(dims) / 2)
        return min(values), max(values)

    low_leader, _ = combined_range(leader)
    _, high_runner = combined_range(runner_up)
    return CloseCall(
        leader_id=leader,
        runner_up_id=runner_up,
        leader_score=float(overall[leader]),
        runner_up_score=float(overall[runner_up]),
        gap=float(gap),
        margin=margin,
        ranges_overlap=high_runner >= low_leader,
        score_move=moves[0] if moves else None,
        score_moves_that_swap=len(moves),
        weight_move=_weight_move(leader, runner_up, averages, criteria),
    )


# --- each borough's own weights -------------------------------------------------------


def weight_ranges(
    criteria: Sequence[CriterionInput], borough_weights: Mapping[int, Mapping[int, int]]
) -> dict[int, tuple[int, int]]:
    """Criterion id → (lowest, highest) weight over the shared set and every borough's own."""
    ranges = {}
    for c in criteria:
        values = [c.weight] + [w[c.id] for w in borough_weights.values() if c.id in w]
        ranges[c.id] = (min(values), max(values))
    return ranges


def rankings_under_borough_weights(
    options: Sequence[OptionInput],
    criteria: Sequence[CriterionInput],
    scores: Iterable[ScoreInput],
    borough_weights: Mapping[int, Mapping[int, int]],
    organisation_ids: Sequence[int],
) -> tuple[WeightedRanking, ...]:
    """For each borough in ``organisation_ids``: every borough's scores ranked under its
    weights (the shared weight where it set none), and whether the winner changes."""
    scores = list(scores)
    cards = counted_scorecards(options, criteria, scores)
    averages = {o.id: _averages(cards[o.id], criteria) for o in options if cards.get(o.id)}
    shared = {c.id: c.weight for c in criteria}
    order = {o.id: i for i, o in enumerate(options)}

    def ranked(weights: Mapping[int, int]):
        overall = {o: overall_score(a, criteria, weights) for o, a in averages.items()}
        ranks = competition_ranks(overall)
        best = sorted(overall, key=lambda o: (ranks[o], order[o]))
        return overall, ranks, best

    _, shared_ranks, _ = ranked(shared)
    shared_winners = {o for o, r in shared_ranks.items() if r == 1}
    results = []
    for org_id in organisation_ids:
        own = borough_weights.get(org_id, {})
        weights = shared | {k: v for k, v in own.items() if k in shared}
        overall, ranks, best = ranked(weights)
        winners = tuple(o for o in best if ranks[o] == 1)
        results.append(
            WeightedRanking(
                organisation_id=org_id,
                own_weights=weights != shared,
                weights=tuple(sorted(weights.items())),
                order=tuple((o, float(overall[o]), ranks[o]) for o in best),
                winner_ids=winners,
                winner_changes=set(winners) != shared_winners,
            )
        )
    return tuple(results)
