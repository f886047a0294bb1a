"""The scoring arithmetic of DESIGN.md, pinned on examples worked out by hand."""

from __future__ import annotations

import json
import math
import random
import statistics
from dataclasses import replace

import pytest

from procure.scoring.analysis import (
    CriterionInput,
    ModeratedInput,
    OptionInput,
    ScoreInput,
    Stats,
    analyse,
    borough_dimension_score,
    describe,
    kendalls_w,
    moderated_consensus,
    moderation_agenda,
    quadrant,
    robustness,
)

F, D = "feasibility", "desirability"

# Two criteria per dimension; feasibility is weighted 3:1, desirability 2:2.
CRITERIA = (
    CriterionInput(id=1, dimension=F, weight=3, name="Fits our route to market"),
    CriterionInput(id=2, dimension=F, weight=1, name="Migration effort"),
    CriterionInput(id=3, dimension=D, weight=2, name="Tenant self-service"),
    CriterionInput(id=4, dimension=D, weight=2, name="Open data"),
)
FEAS = [c for c in CRITERIA if c.dimension == F]
DESI = [c for c in CRITERIA if c.dimension == D]


def cards(option_id: int, org_id: int, **by_criterion: int) -> list[ScoreInput]:
    """Scores written as cards(option, borough, c1=4, c2=2)."""
    return [
        ScoreInput(option_id, org_id, int(name[1:]), score) for name, score in by_criterion.items()
    ]


def scaled(criteria, factor: int):
    return tuple(replace(c, weight=c.weight * factor) for c in criteria)


# --- borough score -------------------------------------------------------------------------


def test_borough_score_weights_each_criterion():
    # 100 × (3·4 + 1·2) / (5 × (3 + 1)) = 100 × 14 / 20 = 70
    assert borough_dimension_score({1: 4, 2: 2}, FEAS) == 70.0
    # 100 × (2·5 + 2·3) / (5 × 4) = 100 × 16 / 20 = 80
    assert borough_dimension_score({3: 5, 4: 3}, DESI) == 80.0
    # 100 × (3·1 + 1·0) / 20 = 15: a 0 is a score, not a gap
    assert borough_dimension_score({1: 1, 2: 0}, FEAS) == 15.0
    assert borough_dimension_score({1: 5, 2: 5}, FEAS) == 100.0


def test_borough_score_is_none_when_a_criterion_is_missing_or_there_are_none():
    assert borough_dimension_score({1: 4}, FEAS) is None
    assert borough_dimension_score({}, FEAS) is None
    assert borough_dimension_score({1: 4}, []) is None


def test_borough_score_ignores_scores_of_other_dimensions():
    assert borough_dimension_score({1: 4, 2: 2, 3: 0, 4: 0}, FEAS) == 70.0


# --- descriptive statistics -----------------------------------------------------------------


def test_describe_four_values():
    # values 70, 40, 55, 85: mean 250 / 4 = 62.5; sorted 40 55 70 85 → median (55 + 70) / 2 = 62.5
    # deviations 7.5, −22.5, −7.5, 22.5 → squares 56.25 + 506.25 + 56.25 + 506.25 = 1125
    # sample variance 1125 / 3 = 375 → sd √375 = 19.3649…
    stats = describe([70, 40, 55, 85])
    assert (stats.mean, stats.median, stats.min, stats.max, stats.n) == (62.5, 62.5, 40, 85, 4)
    assert stats.sd == pytest.approx(math.sqrt(375))
    assert stats.sd == pytest.approx(19.3649, abs=1e-4)


def test_describe_odd_count_median_is_the_middle_value():
    assert describe([10, 90, 30]).median == 30


def test_describe_single_value_has_no_spread():
    stats = describe([42])
    assert stats == Stats(mean=42, median=42, min=42, max=42, sd=0.0, n=1)


def test_describe_no_values():
    stats = describe([])
    assert stats.n == 0
    assert (stats.mean, stats.median, stats.min, stats.max, stats.sd) == (None,) * 5
    assert stats.to_dict() == {
        "mean": None,
        "median": None,
        "min": None,
        "max": None,
        "sd": None,
        "n": 0,
    }


# --- quadrants ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "d", "expected"),
    [
        (50, 50, "pursue together"),  # exactly on both thresholds counts as meeting them
        (100, 100, "pursue together"),
        (49.99, 50, "make feasible"),
        (0, 100, "make feasible"),
        (50, 49.99, "easy but unwanted"),
        (100, 0, "easy but unwanted"),
        (49.99, 49.99, "set aside"),
        (0, 0, "set aside"),
    ],
)
def test_quadrant_boundaries(f, d, expected):
    assert quadrant(f, d) == expected


def test_quadrant_threshold_is_a_setting():
    assert quadrant(55, 55, threshold=60) == "set aside"
    assert quadrant(60, 60, threshold=60) == "pursue together"


# --- moderation agenda ----------------------------------------------------------------------


def test_agenda_takes_a_range_of_three_but_not_two():
    scores = [
        # option 10: criterion 1 scored 1 and 4 → range 3 (on the agenda);
        # criterion 2 scored 2 and 4 → range 2 (not on the agenda).
        *cards(10, 101, c1=1, c2=2),
        *cards(10, 102, c1=4, c2=4),
        # Borough 103 scored criterion 1 = 5 but left criterion 2 empty: its feasibility
        # scorecard is incomplete, so it does not widen the range to 4.
        *cards(10, 103, c1=5),
        # option 11: criterion 3 scored 0 and 5 → range 5, the widest, so first.
        *cards(11, 101, c3=0, c4=3),
        *cards(11, 102, c3=5, c4=3),
    ]
    agenda = moderation_agenda(CRITERIA, scores)
    assert agenda == [(11, 3, 0, 5, 5, 2), (10, 1, 1, 4, 3, 2)]
    item = agenda[1]
    assert item._asdict() == {
        "option_id": 10,
        "criterion_id": 1,
        "min": 1,
        "max": 4,
        "range": 3,
        "n": 2,
    }


def test_agenda_orders_equal_ranges_by_option_then_criterion():
    scores = [*cards(20, 1, c3=1, c4=0), *cards(20, 2, c3=4, c4=3), *cards(19, 1, c1=0, c2=0)]
    scores += cards(19, 2, c1=3, c2=1)
    assert [(a.option_id, a.criterion_id) for a in moderation_agenda(CRITERIA, scores)] == [
        (19, 1),
        (20, 3),
        (20, 4),
    ]


# --- Kendall's W ----------------------------------------------------------------------------


def test_w_is_one_when_every_borough_ranks_alike():
    same = {1: 90.0, 2: 70.0, 3: 50.0, 4: 10.0}
    result = kendalls_w({101: same, 102: same, 103: {1: 80.0, 2: 60.0, 3: 40.0, 4: 20.0}})
    # rank totals 3, 6, 9, 12; mean 3·5/2 = 7.5; S = 20.25 + 2.25 + 2.25 + 20.25 = 45
    # W = 12·45 / (9·(64 − 4)) = 540 / 540 = 1
    assert result.w == 1.0
    assert (result.n_raters, result.n_items) == (3, 4)
    assert result.reading == (
        "Very strong agreement: the 3 boroughs rank the 4 options in the same order (W = 1.00)."
    )


def test_w_is_zero_when_two_boroughs_rank_in_reverse():
    # ranks 1,2,3,4 and 4,3,2,1: every total is 5 = m(n+1)/2, so S = 0 and W = 0
    result = kendalls_w(
        {101: {1: 90.0, 2: 70.0, 3: 50.0, 4: 10.0}, 102: {1: 10.0, 2: 50.0, 3: 70.0, 4: 90.0}}
    )
    assert result.w == 0.0
    assert result.reading.startswith("Very weak agreement: the 2 boroughs rank the 4 options")


def test_w_with_ties_uses_the_correction():
    # Three boroughs, three options a=1, b=2, c=3 (higher combined score = better rank):
    #   borough 101: a 80, b 60, c 40 → ranks 1, 2, 3                  T = 0
    #   borough 102: a 70, b 70, c 30 → a and b tie for 1st and 2nd → 1.5, 1.5, 3
    #                one group of t = 2 tied options                   T = 2³ − 2 = 6
    #   borough 103: a 50, b 90, c 20 → ranks 2, 1, 3                  T = 0
    # rank totals a 4.5, b 4.5, c 9; mean m(n+1)/2 = 3·4/2 = 6
    # S = 1.5² + 1.5² + 3² = 2.25 + 2.25 + 9 = 13.5
    # W = 12·S / (m²(n³ − n) − m·ΣT) = 162 / (9·24 − 3·6) = 162 / 198 = 9/11 = 0.8181…
    # (without the correction it would be 162 / 216 = 0.75)
    result = kendalls_w(
        {
            101: {1: 80.0, 2: 60.0, 3: 40.0},
            102: {1: 70.0, 2: 70.0, 3: 30.0},
            103: {1: 50.0, 2: 90.0, 3: 20.0},
        }
    )
    assert result.w == pytest.approx(9 / 11)
    assert (result.n_raters, result.n_items) == (3, 3)
    assert result.reading == (
        "Very strong agreement: the 3 boroughs rank the 3 options in almost the same order"
        " (W = 0.82)."
    )


@pytest.mark.parametrize(
    ("w_orders", "w", "phrase"),
    [
        # Two boroughs, 3 options, no ties: W = 12·S / (2²·(3³ − 3)) = 12·S / 96 = S / 8; mean 4
        # ranks (1,2,3) and (1,3,2): totals 2, 5, 5; S = 4 + 1 + 1 = 6 → W = 0.75
        (((1, 2, 3), (1, 3, 2)), 0.75, "Very strong agreement"),
        # ranks (1,2,3) and (2,3,1): totals 3, 5, 4; S = 1 + 1 + 0 = 2 → W = 0.25
        (((1, 2, 3), (2, 3, 1)), 0.25, "Weak agreement"),
    ],
)
def test_w_readings(w_orders, w, phrase):
    # a rank r becomes the score 100 − r, so rank 1 is the highest score
    rankings = {
        org: {i + 1: 100.0 - r for i, r in enumerate(order)} for org, order in enumerate(w_orders)
    }
    result = kendalls_w(rankings)
    assert result.w == w
    assert result.reading.startswith(phrase + ":")
    assert result.reading.endswith(f"(W = {w:.2f}).")


def test_w_needs_two_boroughs():
    result = kendalls_w({101: {1: 80.0, 2: 60.0}})
    assert result.w is None
    assert (result.n_raters, result.n_items) == (1, 2)
    assert "at least 2 boroughs" in result.reading
    assert "there is only 1" in result.reading


def test_w_needs_two_options():
    result = kendalls_w({101: {1: 80.0}, 102: {1: 60.0}})
    assert result.w is None
    assert "at least 2 options" in result.reading


def test_w_is_none_when_everyone_ties_everything():
    result = kendalls_w({101: {1: 50.0, 2: 50.0}, 102: {1: 70.0, 2: 70.0}})
    assert result.w is None
    assert "same combined score" in result.reading


def test_w_leaves_out_a_borough_missing_a_scorecard():
    rankings = {
        101: {1: 90.0, 2: 70.0, 3: 50.0},
        102: {1: 80.0, 2: 60.0, 3: 40.0},
        # 103 ranks in reverse but has not scored option 2, so it is not a rater
        103: {1: 10.0, 3: 90.0},
    }
    result = kendalls_w(rankings)
    assert (result.w, result.n_raters, result.n_items) == (1.0, 2, 3)


def test_w_items_can_be_named_explicitly():
    # Nobody scored option 4, so with it on the list no borough has scored every option.
    rankings = {101: {1: 90.0, 2: 70.0}, 102: {1: 80.0, 2: 60.0}}
    assert kendalls_w(rankings, items=[1, 2]).w == 1.0
    result = kendalls_w(rankings, items=[1, 2, 4])
    assert (result.w, result.n_raters, result.n_items) == (None, 0, 3)


# --- the whole analysis ---------------------------------------------------------------------

# One criterion per dimension, weight 1, so a borough score is 20 × the score and the
# combined score is 10 × (feasibility score + desirability score).
SIMPLE = (CriterionInput(1, F, 1, "Feasible"), CriterionInput(2, D, 1, "Desirable"))
OPTIONS = (OptionInput(1, "Product A"), OptionInput(2, "Product B"), OptionInput(3, "Build"))
SIMPLE_SCORES = [
    #                  F   D      F    D     combined
    *cards(1, 101, c1=5, c2=4),  # 100, 80 → 90
    *cards(1, 102, c1=4, c2=4),  # 80,  80 → 80     option 1: mean 85
    *cards(2, 101, c1=3, c2=3),  # 60,  60 → 60
    *cards(2, 102, c1=5, c2=5),  # 100, 100 → 100   option 2: mean 80
    *cards(3, 101, c1=5, c2=3),  # 100, 60 → 80
    *cards(3, 102, c1=4, c2=5),  # 80,  100 → 90    option 3: mean 85
    # Borough 103 scored only feasibility of option 1: it counts in option 1's
    # feasibility figures but has no combined score and is not a rater.
    *cards(1, 103, c1=1),
]


def test_analyse_figures_ranks_and_quadrants():
    result = analyse(OPTIONS, SIMPLE, SIMPLE_SCORES)
    one, two, three = result.options
    # option 1 feasibility: 100, 80, 20 → mean 66.67, median 80, n 3
    assert one.feasibility.mean == pytest.approx(200 / 3)
    assert (one.feasibility.median, one.feasibility.min, one.feasibility.max) == (80, 20, 100)
    assert one.feasibility.n == 3
    assert (one.desirability.mean, one.desirability.n) == (80, 2)
    assert (one.combined.mean, one.combined.n) == (85, 2)
    # ranks by combined mean: 85, 80, 85 → options 1 and 3 share rank 1, option 2 is 3rd
    assert [o.rank for o in result.options] == [1, 3, 1]
    assert one.quadrant == "pursue together"
    assert (two.feasibility.mean, two.desirability.mean) == (80, 80)
    assert (three.feasibility.mean, three.desirability.mean) == (90, 80)
    assert one.moderated is None and one.moderated_quadrant is None
    # borough 101 ranks 1 (90), 3 (80), 2 (60); borough 102 ranks 2 (100), 3 (90), 1 (80)
    b101, b102, b103 = result.boroughs
    assert [(e.option_id, e.combined, e.rank) for e in b101.entries] == [
        (1, 90, 1),
        (3, 80, 2),
        (2, 60, 3),
    ]
    assert [e.option_id for e in b102.entries] == [2, 3, 1]
    assert b103.organisation_id == 103
    assert [e.rank for e in b103.entries] == [None, None, None]
    assert b101.rank_of(2) == 3
    # rank totals 1+3, 3+1, 2+2 = 4, 4, 4 = m(n+1)/2 → S = 0 → W = 0, over boroughs 101 and 102
    assert (result.agreement.w, result.agreement.n_raters, result.agreement.n_items) == (0, 2, 3)
    # score ranges are 1–2 points, except option 1 criterion 1: 5, 4, 1 → range 4
    assert result.agenda == ((1, 1, 1, 5, 4, 3),)


def test_analyse_quadrants_use_the_threshold():
    scores = [*cards(1, 101, c1=3, c2=2), *cards(2, 101, c1=2, c2=3), *cards(3, 101, c1=1, c2=1)]
    # option 1: F 60, D 40; option 2: F 40, D 60; option 3: F 20, D 20
    result = analyse(OPTIONS, SIMPLE, scores)
    assert [o.quadrant for o in result.options] == [
        "easy but unwanted",
        "make feasible",
        "set aside",
    ]
    # with the threshold at 40, 40 counts as meeting it
    result = analyse(OPTIONS, SIMPLE, scores, threshold=40)
    assert [o.quadrant for o in result.options] == [
        "pursue together",
        "pursue together",
        "set aside",
    ]


def test_moderated_scores_replace_every_boroughs_score_for_that_criterion():
    scores = [
        # feasibility 100 × (3·4 + 1·2)/20 = 70; desirability 100 × (2·5 + 2·3)/20 = 80
        *cards(10, 101, c1=4, c2=2, c3=5, c4=3),
        # feasibility 100 × (3·1 + 1·4)/20 = 35; desirability 100 × (2·2 + 2·2)/20 = 40
        *cards(10, 102, c1=1, c2=4, c3=2, c4=2),
        *cards(11, 101, c1=5, c2=5, c3=5, c4=5),
    ]
    # The moderation workshop agreed criterion 1 = 2 for option 10:
    # borough 101 feasibility 100 × (3·2 + 1·2)/20 = 40; borough 102 100 × (3·2 + 1·4)/20 = 50
    moderated = [ModeratedInput(option_id=10, criterion_id=1, score=2)]
    options = (OptionInput(10, "Shared system"), OptionInput(11, "Solo"))
    result = analyse(options, CRITERIA, scores, moderated)
    ten, eleven = result.options
    # raw: F mean (70 + 35)/2 = 52.5, D mean (80 + 40)/2 = 60 → pursue together
    assert (ten.feasibility.mean, ten.desirability.mean) == (52.5, 60)
    assert ten.quadrant == "pursue together"
    # moderated: F (40 + 50)/2 = 45, sd √((5² + 5²)/1) = √50; D unchanged 60 → make feasible
    assert ten.moderated.feasibility.mean == 45
    assert (ten.moderated.feasibility.min, ten.moderated.feasibility.max) == (40, 50)
    assert ten.moderated.feasibility.sd == pytest.approx(math.sqrt(50))
    assert ten.moderated.desirability == ten.desirability
    assert ten.moderated_quadrant == "make feasible"
    # no moderated score touches option 11
    assert eleven.moderated is None and eleven.moderated_quadrant is None
    # the same figures one dimension at a time
    raw, mod = moderated_consensus(10, F, CRITERIA, scores, moderated)
    assert (raw.mean, mod.mean) == (52.5, 45)
    assert moderated_consensus(11, F, CRITERIA, scores, moderated)[1] is None
    data = result.to_dict()["options"]
    assert data[0]["moderated"]["feasibility"]["mean"] == 45
    assert data[1]["moderated"] is None


def test_an_option_nobody_scored():
    options = (*OPTIONS, OptionInput(4, "Nobody looked at this"))
    result = analyse(options, SIMPLE, SIMPLE_SCORES)
    unscored = result.option(4)
    assert unscored.feasibility.n == 0 and unscored.feasibility.mean is None
    assert unscored.desirability.n == 0 and unscored.combined.n == 0
    assert (unscored.quadrant, unscored.rank, unscored.robustness) == (None, None, 0.0)
    assert unscored.moderated is None
    # the others are unaffected
    assert [o.rank for o in result.options[:3]] == [1, 3, 1]
    # nobody scored every option, so agreement cannot be measured
    assert result.agreement.w is None
    assert result.agreement.n_raters == 0 and result.agreement.n_items == 4
    assert "at least 2 boroughs" in result.agreement.reading
    data = json.loads(json.dumps(result.to_dict()))
    assert data["options"][3]["feasibility"] == {
        "mean": None,
        "median": None,
        "min": None,
        "max": None,
        "sd": None,
        "n": 0,
    }
    assert data["options"][3]["quadrant"] is None


def test_nothing_scored_at_all():
    result = analyse(OPTIONS, SIMPLE, [])
    assert [o.rank for o in result.options] == [None, None, None]
    assert [o.robustness for o in result.options] == [0.0, 0.0, 0.0]
    assert result.boroughs == () and result.agenda == ()
    assert result.agreement.w is None


def test_to_dict_shape_and_rounding():
    data = analyse(OPTIONS, SIMPLE, SIMPLE_SCORES).to_dict()
    json.dumps(data)  # JSON-ready
    assert set(data) >= {"kendall_w", "options"}
    assert data["kendall_w"] == {
        "w": 0.0,
        "n_raters": 2,
        "n_items": 3,
        "reading": data["kendall_w"]["reading"],
    }
    first = data["options"][0]
    assert set(first) >= {
        "name",
        "feasibility",
        "desirability",
        "moderated",
        "quadrant",
        "robustness",
    }
    assert first["name"] == "Product A"
    # 200 / 3 = 66.666… → 66.67; sd of 100, 80, 20 = √(((33.3)² + (13.3)² + (46.7)²)/2) = √1733.3
    assert first["feasibility"] == {
        "mean": 66.67,
        "median": 80.0,
        "min": 20.0,
        "max": 100.0,
        "sd": round(math.sqrt(5200 / 3), 2),
        "n": 3,
    }
    assert first["feasibility"]["sd"] == 41.63
    assert "boroughs" not in data
    boroughs = analyse(OPTIONS, SIMPLE, SIMPLE_SCORES).to_dict(include_boroughs=True)["boroughs"]
    assert boroughs[0]["options"][0] == {"id": 1, "combined": 90.0, "rank": 1}


def test_scores_of_unknown_options_and_criteria_are_ignored():
    extra = [ScoreInput(99, 101, 1, 0), ScoreInput(1, 101, 77, 0)]
    plain = analyse(OPTIONS, SIMPLE, SIMPLE_SCORES)
    noisy = analyse(OPTIONS, SIMPLE, SIMPLE_SCORES + extra)
    assert plain == noisy


# --- scaling every weight alike changes nothing ---------------------------------------------


def varied_scores(seed: int = 54) -> list[ScoreInput]:
    # seeds 54 and 22 give close races, so the weight perturbations change the winner
    rng = random.Random(seed)
    scores = [
        ScoreInput(option, org, criterion.id, rng.randint(0, 5))
        for option in (1, 2, 3, 4)
        for org in (101, 102, 103, 104, 105)
        for criterion in CRITERIA
    ]
    # borough 105 has no scorecard for option 4 at all
    return [s for s in scores if not (s.organisation_id == 105 and s.option_id == 4)]


@pytest.mark.parametrize("factor", [2, 3, 7, 10, 1000])
def test_scaling_every_weight_by_the_same_factor_changes_nothing(factor):
    options = tuple(OptionInput(i, f"Option {i}") for i in (1, 2, 3, 4))
    scores = varied_scores()
    moderated = [ModeratedInput(2, 3, 4)]
    base = analyse(options, CRITERIA, scores, moderated)
    bigger = analyse(options, scaled(CRITERIA, factor), scores, moderated)
    card = {1: 3, 2: 1, 3: 4, 4: 0}
    assert borough_dimension_score(card, scaled(FEAS, factor)) == borough_dimension_score(
        card, FEAS
    )
    assert borough_dimension_score(card, scaled(DESI, factor)) == borough_dimension_score(
        card, DESI
    )
    for a, b in zip(base.options, bigger.options, strict=True):
        assert replace(a, robustness=0) == replace(b, robustness=0)  # means, sds, ranks, quadrants
        assert a.robustness == pytest.approx(b.robustness, abs=0.01)
    assert base.boroughs == bigger.boroughs
    assert base.agreement == bigger.agreement
    assert base.agenda == bigger.agenda


# --- robustness -----------------------------------------------------------------------------


def test_robustness_is_deterministic_for_a_seed_and_sums_to_one():
    options = tuple(OptionInput(i, f"Option {i}") for i in (1, 2, 3, 4))
    scores = varied_scores()
    first = robustness(options, CRITERIA, scores, seed=7)
    again = robustness(options, CRITERIA, scores, seed=7)
    assert first == again
    assert set(first) == {1, 2, 3, 4}
    assert sum(first.values()) == pytest.approx(1.0)
    assert all(0 <= share <= 1 for share in first.values())
    assert sum(share > 0 for share in first.values()) >= 2  # a real race, not a walkover
    assert robustness(options, CRITERIA, scores, seed=8) != first


def test_robustness_of_a_clear_winner_and_of_a_coin_toss():
    criteria = (
        CriterionInput(1, F, 1, "a"),
        CriterionInput(2, F, 1, "b"),
        CriterionInput(3, D, 1, "c"),
    )
    options = (OptionInput(1, "Strong on a"), OptionInput(2, "Strong on b"), OptionInput(3, "Weak"))
    # Options 1 and 2 tie under the agreed weights (F = 50 each, D = 60); which of them
    # comes first depends only on whether a's or b's weight is pushed up more.
    scores = [
        *cards(1, 101, c1=5, c2=0, c3=3),
        *cards(2, 101, c1=0, c2=5, c3=3),
        *cards(3, 101, c1=1, c2=1, c3=1),
    ]
    shares = robustness(options, criteria, scores, seed=11, runs=400)
    assert shares[3] == 0.0
    assert 0.3 < shares[1] < 0.7 and 0.3 < shares[2] < 0.7
    assert shares[1] + shares[2] == pytest.approx(1.0)
    # Identical scores tie in every run and split the credit.
    twins = [*cards(1, 101, c1=4, c2=4, c3=4), *cards(2, 101, c1=4, c2=4, c3=4)]
    assert robustness(options, criteria, twins) == {1: 0.5, 2: 0.5, 3: 0.0}
    # Without perturbation (factors in [1, 1]) the tie of 1 and 2 is exact.
    assert robustness(options, criteria, scores, low=1, high=1) == {1: 0.5, 2: 0.5, 3: 0.0}


def test_robustness_matches_recomputing_every_borough_score():
    """The shortcut (weighted means of per-criterion averages) equals the definition."""
    options = tuple(OptionInput(i, f"Option {i}") for i in (1, 2, 3, 4))
    scores = varied_scores(seed=22)
    seed, runs = 13, 60
    rng = random.Random(seed)
    wins = dict.fromkeys((o.id for o in options), 0.0)
    for _ in range(runs):
        perturbed = [
            replace(c, weight=c.weight * rng.uniform(0.75, 1.25))
            for c in sorted(CRITERIA, key=lambda c: c.id)
        ]
        overall = {}
        for option in options:
            combined = []
            for org in (101, 102, 103, 104, 105):
                card = {
                    s.criterion_id: s.score
                    for s in scores
                    if s.option_id == option.id and s.organisation_id == org
                }
                f = borough_dimension_score(card, [c for c in perturbed if c.dimension == F])
                d = borough_dimension_score(card, [c for c in perturbed if c.dimension == D])
                if f is not None and d is not None:
                    combined.append((f + d) / 2)
            overall[option.id] = statistics.fmean(combined)
        best = max(overall.values())
        winners = [o for o, v in overall.items() if math.isclose(v, best, rel_tol=1e-9)]
        for o in winners:
            wins[o] += 1 / len(winners)
    expected = {o: w / runs for o, w in wins.items()}
    assert robustness(options, CRITERIA, scores, seed=seed, runs=runs) == pytest.approx(expected)


def test_analyse_reports_robustness_with_its_seed():
    options = tuple(OptionInput(i, f"Option {i}") for i in (1, 2, 3, 4))
    scores = varied_scores()
    result = analyse(options, CRITERIA, scores, seed=7)
    assert {o.option_id: o.robustness for o in result.options} == robustness(
        options, CRITERIA, scores, seed=7
    )
    assert analyse(options, CRITERIA, scores, seed=7) == result
