"""The alignment planner: the cohort rule, its boundaries and a deterministic partition."""

import random
from datetime import date

import pytest

from procure.market.planner import (
    Cohort,
    ContractWindow,
    PlannerResult,
    add_months,
    bridge_months,
    cohorts,
    months_until,
    plan,
    unaligned,
)


def window(org_id: int, end: date, extension: int = 0, name: str | None = None) -> ContractWindow:
    return ContractWindow(
        organisation_id=org_id,
        organisation_name=name or f"Borough {org_id}",
        product=None,
        contract_end=end,
        extension_months=extension,
    )


def ids(group: Cohort) -> list[int]:
    return [m.organisation_id for m in group.members]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 9, 30), 6, date(2026, 3, 31)),  # month end stays month end
        (date(2025, 3, 30), 1, date(2025, 4, 30)),
        (date(2025, 3, 29), 1, date(2025, 4, 29)),
        (date(2025, 11, 15), 2, date(2026, 1, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
        (date(2025, 5, 20), 0, date(2025, 5, 20)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_months_until_counts_whole_months_rounding_up():
    assert months_until(date(2025, 1, 31), date(2025, 1, 31)) == 0
    assert months_until(date(2025, 1, 31), date(2024, 1, 1)) == 0
    assert months_until(date(2025, 1, 31), date(2025, 2, 28)) == 1
    assert months_until(date(2025, 1, 15), date(2025, 2, 16)) == 2
    assert months_until(date(2024, 9, 30), date(2025, 3, 31)) == 6


def test_no_windows_no_cohorts():
    assert plan([]) == PlannerResult(cohorts=(), unaligned=(), span_months=12)


def test_one_organisation_is_unaligned():
    only = window(1, date(2026, 3, 31), 12)
    assert cohorts([only]) == []
    assert unaligned([only]) == [only]


def test_identical_dates_form_one_cohort():
    a, b, c = (window(i, date(2026, 3, 31)) for i in (1, 2, 3))
    [group] = cohorts([a, b, c], span_months=0)
    assert ids(group) == [1, 2, 3]
    assert group.earliest_common_start == date(2026, 3, 31)
    assert group.latest_common_start == date(2026, 3, 31)


def test_no_overlap_leaves_everyone_unaligned():
    windows = [
        window(1, date(2024, 3, 31)),
        window(2, date(2026, 3, 31)),
        window(3, date(2028, 3, 31)),
    ]
    result = plan(windows, span_months=12)
    assert result.cohorts == ()
    assert [w.organisation_id for w in result.unaligned] == [1, 2, 3]


def test_extension_months_create_the_overlap():
    early = window(1, date(2025, 3, 31), extension=12)
    late = window(2, date(2026, 3, 31))
    assert cohorts([window(1, date(2025, 3, 31)), late], span_months=0) == []
    [group] = cohorts([early, late], span_months=0)
    assert group.earliest_common_start == date(2026, 3, 31)
    assert group.latest_common_start == date(2026, 3, 31)
    assert group.bridge_months(early) == 0


def test_span_bridges_a_gap_and_counts_the_bridge():
    early = window(1, date(2025, 3, 31), extension=6)  # window closes 2025-09-30
    late = window(2, date(2026, 1, 31), extension=6)
    [group] = cohorts([early, late], span_months=12)
    assert group.earliest_common_start == date(2026, 1, 31)
    assert group.latest_common_start == date(2026, 9, 30)  # early's window + 12 months
    assert group.bridge_months(early) == 4
    assert bridge_months(late, group.earliest_common_start) == 0


def test_span_boundary_is_inclusive():
    first = window(1, date(2025, 3, 31), extension=3)  # 2025-06-30, +12 → 2026-06-30
    at_limit = window(2, date(2026, 6, 30))
    one_day_late = window(3, date(2026, 7, 1))
    [group] = cohorts([first, at_limit], span_months=12)
    assert group.earliest_common_start == group.latest_common_start == date(2026, 6, 30)
    assert cohorts([first, one_day_late], span_months=12) == []


def test_boundary_uses_month_end_clamping():
    january = window(1, date(2025, 1, 31), extension=1)  # window closes 28 February
    assert cohorts([january, window(2, date(2025, 2, 28))], span_months=0)
    assert cohorts([january, window(2, date(2025, 3, 1))], span_months=0) == []
    leap = window(1, date(2024, 1, 31), extension=1)  # 29 February in a leap year
    assert cohorts([leap, window(2, date(2024, 2, 29))], span_months=0)
    mid_month = window(1, date(2025, 1, 30), extension=1)  # 28 February, not a month end
    assert cohorts([mid_month, window(2, date(2025, 3, 1))], span_months=0) == []


def test_extension_and_span_are_added_in_one_step():
    # 30 January + 1 month is 28 February, a month end, and + 1 more would be 31 March;
    # + 2 months in one step is 30 March.
    january = window(1, date(2025, 1, 30), extension=1)
    [group] = cohorts([january, window(2, date(2025, 3, 30))], span_months=1)
    assert group.latest_common_start == date(2025, 3, 30)
    assert cohorts([january, window(2, date(2025, 3, 31))], span_months=1) == []


def test_module_docstring_example():
    camden = window(1, date(2025, 3, 31), 12, "Camden")
    hackney = window(2, date(2025, 12, 31), 0, "Hackney")
    islington = window(3, date(2027, 6, 30), 6, "Islington")
    result = plan([islington, hackney, camden])
    [group] = result.cohorts
    assert group.members == (camden, hackney)
    assert group.earliest_common_start == date(2025, 12, 31)
    assert group.latest_common_start == date(2026, 12, 31)
    assert result.unaligned == (islington,)


def test_most_urgent_organisation_is_grouped_first():
    # 2 could buy with 1 or with 3, but 1 and 3 are too far apart to buy together.
    # 1's window closes first, so it takes 2 and 3 is left alone.
    one = window(1, date(2025, 1, 31))  # latest start 2026-01-31
    two = window(2, date(2025, 12, 31))  # latest start 2026-12-31
    three = window(3, date(2026, 12, 31))
    result = plan([three, two, one], span_months=12)
    assert [ids(c) for c in result.cohorts] == [[1, 2]]
    assert result.unaligned == (three,)


def test_several_cohorts_in_start_order():
    windows = [
        window(1, date(2025, 3, 31), 6),
        window(2, date(2025, 6, 30)),
        window(3, date(2028, 3, 31), 12),
        window(4, date(2028, 12, 31)),
        window(5, date(2031, 1, 31)),
    ]
    result = plan(windows, span_months=6)
    assert [ids(c) for c in result.cohorts] == [[1, 2], [3, 4]]
    starts = [c.earliest_common_start for c in result.cohorts]
    assert starts == sorted(starts)
    assert [w.organisation_id for w in result.unaligned] == [5]


def test_partition_is_deterministic_and_complete():
    rng = random.Random(20251122)
    windows = [
        window(
            i,
            date(rng.randint(2025, 2030), rng.randint(1, 12), rng.choice([1, 15, 28])),
            rng.choice([0, 3, 6, 12, 24]),
        )
        for i in range(1, 41)
    ]
    expected = plan(windows)
    for _ in range(5):
        rng.shuffle(windows)
        assert plan(windows) == expected
    placed = [m.organisation_id for c in expected.cohorts for m in c.members]
    placed += [w.organisation_id for w in expected.unaligned]
    assert sorted(placed) == list(range(1, 41))
    for group in expected.cohorts:
        assert len(group.members) >= 2
        assert group.earliest_common_start <= group.latest_common_start
        for member in group.members:
            assert member.contract_end <= group.earliest_common_start
            assert group.latest_common_start <= member.latest_start(12)


def test_ties_broken_by_name_then_id():
    same = date(2026, 3, 31)
    windows = [
        window(3, same, name="Barnet"),
        window(1, same, name="barking"),
        window(2, same, name="Barnet"),
    ]
    [group] = cohorts(windows)
    assert ids(group) == [1, 2, 3]


@pytest.mark.parametrize(
    ("windows", "span"),
    [
        ([window(1, date(2025, 1, 1), extension=-1)], 12),
        ([window(1, date(2025, 1, 1))], -1),
        ([window(1, date(2025, 1, 1)), window(1, date(2026, 1, 1))], 12),
    ],
)
def test_invalid_input_is_refused(windows, span):
    with pytest.raises(ValueError):
        plan(windows, span)
