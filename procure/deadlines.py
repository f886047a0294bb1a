"""Deadlines in the words people read them: "Due Friday 12 December 2026 (in 3 days)".

A due date is a day in Europe/London: the work is due by the end of that day, whatever
the clock says about summer time. "Now" is always an aware or UTC-naive instant, turned
into the London calendar day before any counting, so the count of days is right on the
nights the clocks change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utc_now() -> datetime:
    """Now, as the naive UTC datetime the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def london_day(instant: datetime) -> date:
    """The calendar day in London at ``instant`` (naive values are UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(LONDON).date()


def end_of_day_utc(day: date) -> datetime:
    """The instant (naive UTC) at which a London day ends: the next London midnight."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)
    return midnight.astimezone(UTC).replace(tzinfo=None)


def london_wall_clock_to_utc(moment: datetime) -> datetime:
    """A naive London wall-clock time (how workshops are stored) as naive UTC."""
    return moment.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def is_past(day: date, now: datetime) -> bool:
    """Has London's day ``day`` ended at ``now``?"""
    return london_day(now) > day


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 1:
        return f"in {days} days"
    if days == -1:
        return "yesterday"
    return f"{-days} days ago"


@dataclass(frozen=True)
class Due:
    """A due date as read on a page: the words, and whether it has passed."""

    day: date
    days_left: int  # negative once overdue
    verb: str = "Due"

    @property
    def overdue(self) -> bool:
        return self.verb == "Due" and self.days_left < 0

    @property
    def soon(self) -> bool:
        return 0 <= self.days_left <= 3

    @property
    def text(self) -> str:
        return f"{self.verb} {long_date(self.day)} ({_in_days(self.days_left)})"

    @property
    def iso(self) -> str:
        return self.day.isoformat()


def due(day: date | None, now: datetime, verb: str = "Due") -> Due | None:
    """``day`` as a ``Due`` counted from London's day at ``now``; None when there is no date."""
    if day is None:
        return None
    return Due(day, (day - london_day(now)).days, verb)
