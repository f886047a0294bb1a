"""Pages of an in-memory list and the page numbers GOV.UK pagination links."""

from __future__ import annotations

import pytest

from procure.paging import page_number, paginate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), ("", 1), (None, 1), ("0", 1), ("-2", 1), ("2.5", 1), ("x", 1), ("999999", 1)],
)
def test_page_number_is_a_positive_integer_or_one(raw, expected):
    assert page_number({"page": raw} if raw is not None else {}) == expected


def test_pages_slice_and_report_their_range():
    items = list(range(1, 121))
    first = paginate(items, 1, 50)
    assert (first.page, first.pages, first.total) == (1, 3, 120)
    assert first.items == items[:50] and (first.first, first.last) == (1, 50)
    last = paginate(items, 3, 50)
    assert last.items == items[100:] and (last.first, last.last) == (101, 120)


def test_a_page_past_the_end_shows_the_last_and_empty_lists_have_one_page():
    assert paginate(list(range(60)), 9, 50).page == 2
    empty = paginate([], 4, 50)
    assert (empty.page, empty.pages, empty.first, empty.last) == (1, 1, 0, 0)


def test_numbers_keep_the_ends_and_neighbours_with_ellipses_between():
    paged = paginate(list(range(1000)), 10, 50)  # 20 pages
    assert paged.numbers() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert paginate(list(range(200)), 1, 50).numbers() == [1, 2, 3, 4]
