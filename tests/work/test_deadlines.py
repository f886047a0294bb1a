"""Deadline arithmetic in London days, across the changes to and from British Summer Time."""

from __future__ import annotations

from datetime import date, datetime

from procure.deadlines import due, end_of_day_utc, is_past, london_day, london_wall_clock_to_utc


def test_words_and_days_left():
    now = datetime(2026, 12, 9, 12, 0)  # Wednesday, GMT
    d = due(date(2026, 12, 12), now)
    assert d.text == "Due Saturday 12 December 2026 (in 3 days)"
    assert not d.overdue and d.soon
    assert due(date(2026, 12, 10), now).text.endswith("(tomorrow)")
    assert due(date(2026, 12, 9), now).text.endswith("(today)")
    late = due(date(2026, 12, 7), now)
    assert late.overdue and late.text == "Due Monday 7 December 2026 (2 days ago)"
    assert due(None, now) is None


def test_a_late_evening_in_summer_is_already_the_next_day_in_london():
    # 23:30 UTC on 24 October 2026 is 00:30 on Sunday 25 October in London (still BST).
    now = datetime(2026, 10, 24, 23, 30)
    assert london_day(now) == date(2026, 10, 25)
    assert due(date(2026, 10, 24), now).overdue
    # The same clock time after the clocks go back (GMT) is still the same day.
    assert london_day(datetime(2026, 10, 25, 23, 30)) == date(2026, 10, 25)


def test_a_day_ends_at_london_midnight_on_both_sides_of_the_change():
    # Clocks go forward on Sunday 29 March 2026: that day ends at 23:00 UTC (BST).
    assert end_of_day_utc(date(2026, 3, 28)) == datetime(2026, 3, 29, 0, 0)
    assert end_of_day_utc(date(2026, 3, 29)) == datetime(2026, 3, 29, 23, 0)
    # Clocks go back on Sunday 25 October 2026: 24 October ends at 23:00 UTC, 25th at midnight.
    assert end_of_day_utc(date(2026, 10, 24)) == datetime(2026, 10, 24, 23, 0)
    assert end_of_day_utc(date(2026, 10, 25)) == datetime(2026, 10, 26, 0, 0)


def test_is_past_flips_exactly_at_the_end_of_the_london_day():
    closes = date(2026, 3, 29)  # the day summer time starts
    assert not is_past(closes, datetime(2026, 3, 29, 22, 59, 59))
    assert is_past(closes, datetime(2026, 3, 29, 23, 0, 0))
    closes = date(2026, 10, 25)  # the day summer time ends
    assert not is_past(closes, datetime(2026, 10, 25, 23, 59, 59))
    assert is_past(closes, datetime(2026, 10, 26, 0, 0, 0))


def test_days_left_counts_calendar_days_over_a_23_and_a_25_hour_day():
    # From Saturday noon to Monday: two days, although only 47 hours pass.
    assert due(date(2026, 3, 30), datetime(2026, 3, 28, 12, 0)).days_left == 2
    # Across the 25-hour day in October, still two days.
    assert due(date(2026, 10, 26), datetime(2026, 10, 24, 11, 0)).days_left == 2


def test_workshop_wall_clock_times_convert_with_the_season():
    assert london_wall_clock_to_utc(datetime(2026, 7, 1, 10, 0)) == datetime(2026, 7, 1, 9, 0)
    assert london_wall_clock_to_utc(datetime(2026, 12, 1, 10, 0)) == datetime(2026, 12, 1, 10, 0)
