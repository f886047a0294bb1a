"""Close calls, the smallest change that swaps the top two, and each borough's own weights:
hand-worked examples.

The example used throughout: criteria F1 and F2 (feasibility, weight 1 each) and D1
(desirability, weight 1); one borough (7).

    A: F1 5, F2 1, D1 3 → feasibility 100 × 6 / 10 = 60, desirability 60 → combined 60
    B: F1 3, F2 4, D1 3 → feasibility 100 × 7 / 10 = 70, desirability 60 → combined 65

B leads A by 5 points. One point on D1 moves the combined score by 10 × 1 / (1 × 1) = 10,
one point on F1 or F2 by 10 × 1 / (2 × 1) = 5. So lowering B's D1 or raising A's D1
swaps them (10 > 5); a move of 5 only ties them, which is not a swap. Under weights
F1 = w1, F2 = 1 the feasibility of A is 10 × (5·w1 + 1) / (w1 + 1) and of B
10 × (3·w1 + 4) / (w1 + 1): A leads when 2·w1 > 3, so F1's weight 2 (one more) swaps them.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from procure.scoring.analysis import CriterionInput, OptionInput, ScoreInput, robustness
from procure.scoring.what_if import (
    close_call,
    overall_scores,
    rankings_under_borough_weights,
    weight_ranges,
)

F1 = CriterionInput(1, "feasibility", 1, "F1")
F2 = CriterionInput(2, "feasibility", 1, "F2")
D1 = CriterionInput(3, "desirability", 1, "D1")
CRITERIA = [F1, F2, D1]
A, B = OptionInput(10, "A"), OptionInput(20, "B")
OPTIONS = [A, B]


def card(option, org, f1, f2, d1):
    return [
        ScoreInput(option.id, org, F1.id, f1),
        ScoreInput(option.id, org, F2.id, f2),
        ScoreInput(option.id, org, D1.id, d1),
    ]


SCORES = card(A, 7, 5, 1, 3) + card(B, 7, 3, 4, 3)


def test_overall_scores_by_hand():
    assert overall_scores(OPTIONS, CRITERIA, SCORES) == {A.id: 60, B.id: 65}
    assert overall_scores(OPTIONS, CRITERIA, SCORES, {F1.id: 2}) == {
        A.id: Fraction(200, 3),  # 10 × 11 / 3 + 30
        B.id: Fraction(190, 3),  # 10 × 10 / 3 + 30
    }


def test_a_clear_winner_and_what_would_swap_it():
    call = close_call(OPTIONS, CRITERIA, SCORES)
    assert (call.leader_id, call.runner_up_id) == (B.id, A.id)
    assert (call.leader_score, call.runner_up_score, call.gap) == (65, 60, 5)
    assert not call.within_margin and not call.ranges_overlap and not call.is_close
    # Two single moves swap them; the leader's own score comes first.
    assert call.score_moves_that_swap == 2
    move = call.score_move
    assert (move.option_id, move.organisation_id, move.criterion_id) == (B.id, 7, D1.id)
    assert (move.before, move.after, move.effect) == (3, 2, 10)
    weight = call.weight_move
    assert (weight.criterion_id, weight.before, weight.after) == (F1.id, 1, 2)


def test_within_the_margin_is_a_close_call():
    call = close_call(OPTIONS, CRITERIA, SCORES, margin=5)
    assert call.within_margin and call.is_close


def test_a_move_that_only_ties_is_not_a_swap():
    # B's F1 moved from 3 to 4 widens the gap to 10: now only D1 moves (10) would tie.
    scores = card(A, 7, 5, 1, 3) + card(B, 7, 4, 4, 3)
    call = close_call(OPTIONS, CRITERIA, scores)
    assert call.gap == 10
    assert call.score_moves_that_swap == 0 and call.score_move is None
    # A leads when 5·w1 + 1 > 4·w1 + 4, so F1 needs 4: three more, the least that works.
    weight = call.weight_move
    assert (weight.criterion_id, weight.before, weight.after) == (F1.id, 1, 4)


def test_overlapping_borough_ranges_make_a_close_call():
    # Borough 8 puts A at 80 and B at 60: the ranges 60–80 (A) and 60–65 (B) overlap.
    scores = SCORES + card(A, 8, 5, 3, 4) + card(B, 8, 3, 3, 3)
    call = close_call(OPTIONS, CRITERIA, scores)
    # A: (60 + 80) / 2 = 70, B: (65 + 60) / 2 = 62.5
    assert (call.leader_id, call.leader_score, call.runner_up_score) == (A.id, 70, 62.5)
    assert call.ranges_overlap and call.is_close and not call.within_margin


def test_the_effect_of_a_move_matches_recomputing():
    """10 × w / (W × n), checked against the scores recomputed with the move made.

    Criteria F1, F2 (weight 1 each), D1 (1) and D3 (3); two boroughs.
    A: (4, 4, 4, 4) → 80 and (3, 3, 3, 3) → 60: mean 70.
    B: (4, 3, 4, 3) → (70 + 65) / 2 = 67.5 and (3, 3, 3, 4) → (60 + 75) / 2 = 67.5.
    A leads by 2.5; only a D3 move (10 × 3 / (4 × 2) = 3.75) beats that.
    """
    d3 = CriterionInput(4, "desirability", 3, "D3")
    criteria = [F1, F2, D1, d3]
    scores = [
        ScoreInput(o.id, org, c.id, s)
        for o, org, values in [
            (A, 1, (4, 4, 4, 4)),
            (A, 2, (3, 3, 3, 3)),
            (B, 1, (4, 3, 4, 3)),
            (B, 2, (3, 3, 3, 4)),
        ]
        for c, s in zip(criteria, values, strict=True)
    ]
    call = close_call(OPTIONS, criteria, scores, margin=0)
    assert (call.leader_score, call.runner_up_score) == (70, 67.5)
    moved = call.score_move
    assert (moved.option_id, moved.organisation_id, moved.criterion_id) == (A.id, 1, d3.id)
    assert (moved.before, moved.after, moved.effect) == (4, 3, Fraction(15, 4))
    # Lowering A's D3 (2 boroughs) or raising B's D3 in either borough: four moves.
    assert call.score_moves_that_swap == 4
    changed = [
        ScoreInput(s.option_id, s.organisation_id, s.criterion_id, moved.after)
        if (s.option_id, s.organisation_id, s.criterion_id)
        == (moved.option_id, moved.organisation_id, moved.criterion_id)
        else s
        for s in scores
    ]
    before = overall_scores(OPTIONS, criteria, scores)
    after = overall_scores(OPTIONS, criteria, changed)
    assert (before[A.id] - before[B.id]) - (after[A.id] - after[B.id]) == moved.effect
    assert after[B.id] > after[A.id]


def test_fewer_than_two_scored_options_is_no_call():
    assert close_call(OPTIONS, CRITERIA, card(A, 7, 5, 1, 3)) is None


def test_each_boroughs_ranking_under_its_own_weights():
    scores = SCORES + card(A, 8, 5, 1, 3) + card(B, 8, 3, 4, 3)
    own = {7: {F1.id: 2}}
    rankings = rankings_under_borough_weights(OPTIONS, CRITERIA, scores, own, [7, 8])
    seven, eight = rankings
    # Shared weights: A (60 + 60) / 2 = 60, B (65 + 65) / 2 = 65: B first.
    assert (eight.own_weights, eight.winner_ids, eight.winner_changes) == (False, (B.id,), False)
    # Borough 7's weights (F1 = 2), as in the module docstring: A 66.67, B 63.33.
    assert seven.own_weights and seven.weights == ((F1.id, 2), (F2.id, 1), (D1.id, 1))
    assert [o for o, _, _ in seven.order] == [A.id, B.id]
    assert seven.order[0][1] == pytest.approx(200 / 3)
    assert seven.order[1][1] == pytest.approx(190 / 3)
    assert seven.winner_ids == (A.id,) and seven.winner_changes


def test_weight_ranges_span_the_shared_and_every_boroughs_weight():
    assert weight_ranges(CRITERIA, {7: {F1.id: 4}, 8: {F1.id: 1, D1.id: 3}}) == {
        F1.id: (1, 4),
        F2.id: (1, 1),
        D1.id: (1, 3),
    }


def test_robustness_with_no_spread_is_unchanged_and_a_spread_moves_it():
    plain = robustness(OPTIONS, CRITERIA, SCORES, seed=3)
    same = robustness(OPTIONS, CRITERIA, SCORES, seed=3, weight_ranges=weight_ranges(CRITERIA, {}))
    assert plain == same
    spread = robustness(
        OPTIONS, CRITERIA, SCORES, seed=3, weight_ranges={F1.id: (1, 4), F2.id: (1, 1)}
    )
    # A comes first when F1 weighs more than 1.5 × F2: rare within ±25 % of equal weights,
    # common when F1's weight is drawn from 1 to 4.
    assert plain[A.id] < 0.05 and spread[A.id] > 0.5
    assert sum(spread.values()) == pytest.approx(1)
    assert spread == robustness(
        OPTIONS, CRITERIA, SCORES, seed=3, weight_ranges={F1.id: (1, 4), F2.id: (1, 1)}
    )
