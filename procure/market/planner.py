"""The alignment planner: which organisations could buy together, and from when.

Each landscape entry gives an organisation's current contract end date and the
extension months it may still take. Its **procurement window** runs from the
contract end to the contract end plus those extension months: a new contract
must start inside it.

The rule
--------
An organisation can join a joint contract starting on date ``S`` when::

    contract_end  ≤  S  ≤  contract_end + extension_months + span_months

* **Never before its contract ends.** Starting early means paying two suppliers
  at once or buying out the old contract, which a procurement lead would not plan
  for; the planner never assumes it.
* **Up to ``span_months`` after its window closes.** An organisation whose window
  closes before the others' opens can still wait for them by negotiating a
  short *bridging* extension (or a direct award) of at most ``span_months``. The
  span (default 12 months) is how long a bridge the partners are prepared to ask for.

With no extensions recorded the rule reads as "contracts that end within
``span_months`` of each other", and extension months that are genuinely
available shorten or remove the bridge. Boundaries count: a contract ending
exactly ``span_months`` after another's window closes is aligned with it.

A group of organisations is a **cohort** when one start date suits them all,
that is when the latest contract end among them is no later than the earliest
window close plus the span. Its ``earliest_common_start`` is that latest
contract end (the first date every member is free, and the date that needs the
least bridging); its ``latest_common_start`` is the earliest
``contract_end + extension_months + span_months`` among them.

Example (span 12 months)::

    organisation  contract end  extension  window                    latest start
    Camden        2025-03-31    12 months  2025-03-31 … 2026-03-31   2027-03-31
    Hackney       2025-12-31    none       2025-12-31 … 2025-12-31   2026-12-31
    Islington     2027-06-30    6 months   2027-06-30 … 2027-12-31   2028-12-31

Camden and Hackney form a cohort. A joint contract can start from 2025-12-31
(Hackney's contract end, inside Camden's extension, so no bridge is needed) until
2026-12-31 (Hackney after a 12-month bridge). Islington's contract ends three
months after the latest date either of them could wait for, so it is unaligned.

The partition
-------------
Cohorts are built greedily and deterministically, most urgent first: take the
organisation whose window (plus span) closes soonest, and put in its cohort
every organisation not yet placed whose contract ends by then. Repeat with the
organisations left. Each organisation is in at most one cohort; a cohort cannot
gain a member left over from later rounds (their contracts end after the
cohort's latest start), and cohorts come out in order of start date. A round
that finds no partner leaves that organisation **unaligned** (a partner it
might have had may already be in a more urgent cohort). Ties are broken by
contract end, organisation name and id, so the input order never matters.

Months are added the way contract dates run. The day is clamped to the end of
the month (31 January + 1 month = 28 or 29 February), and a date on the last day
of its month stays on the last day (30 September + 6 months = 31 March), so that
contracts ending at month ends, as most do, are whole months apart. The
``extension_months + span_months`` are added in one step.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

DEFAULT_SPAN_MONTHS = 12


@dataclass(frozen=True)
class ContractWindow:
    """One organisation's current contract, as the planner sees it."""

    organisation_id: int
    organisation_name: str
    product: str | None
    contract_end: date
    extension_months: int

    @property
    def window_end(self) -> date:
        """The last date a new contract can start using only the extension available."""
        return add_months(self.contract_end, self.extension_months)

    def latest_start(self, span_months: int) -> date:
        """The last date this organisation could start, with a bridge of up to ``span_months``."""
        return add_months(self.contract_end, self.extension_months + span_months)


@dataclass(frozen=True)
class Cohort:
    """Organisations that can start one joint contract; members sorted by contract end."""

    members: tuple[ContractWindow, ...]
    earliest_common_start: date
    latest_common_start: date

    def bridge_months(self, member: ContractWindow) -> int:
        """Bridging months ``member`` needs to start on the earliest common start."""
        return bridge_months(member, self.earliest_common_start)


@dataclass(frozen=True)
class PlannerResult:
    """Every organisation either in exactly one cohort or in ``unaligned``."""

    cohorts: tuple[Cohort, ...]
    unaligned: tuple[ContractWindow, ...]
    span_months: int


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` months (may be negative), clamped to and sticking at month ends."""
    years, month_index = divmod(d.month - 1 + n, 12)
    year, month = d.year + years, month_index + 1
    last_day = calendar.monthrange(year, month)[1]
    if d.day == calendar.monthrange(d.year, d.month)[1]:
        return date(year, month, last_day)
    return date(year, month, min(d.day, last_day))


def months_until(start: date, end: date) -> int:
    """The fewest whole months ``n ≥ 0`` with ``add_months(start, n) ≥ end``."""
    if end <= start:
        return 0
    n = (end.year - start.year) * 12 + end.month - start.month
    while add_months(start, n) < end:
        n += 1
    while n > 0 and add_months(start, n - 1) >= end:
        n -= 1
    return n


def bridge_months(window: ContractWindow, start: date) -> int:
    """Months of cover beyond the available extension that ``window`` needs to reach ``start``."""
    return months_until(window.window_end, start)


def plan(
    windows: Iterable[ContractWindow], span_months: int = DEFAULT_SPAN_MONTHS
) -> PlannerResult:
    """Partition organisations into cohorts and unaligned organisations (see the module doc).

    Raises ``ValueError`` for a negative span or extension, or when an organisation
    appears twice: pass one window per organisation (the contract in scope).
    """
    remaining = _validated(windows, span_months)
    remaining.sort(key=lambda w: (w.latest_start(span_months), *_order(w)))
    found: list[Cohort] = []
    alone: list[ContractWindow] = []
    while remaining:
        urgent = remaining[0]
        latest = urgent.latest_start(span_months)
        group = [w for w in remaining if w.contract_end <= latest]
        remaining = [w for w in remaining if w.contract_end > latest]
        if len(group) == 1:
            alone.append(urgent)
            continue
        group.sort(key=_order)
        found.append(
            Cohort(
                members=tuple(group),
                earliest_common_start=max(w.contract_end for w in group),
                latest_common_start=latest,
            )
        )
    found.sort(key=lambda c: c.earliest_common_start)
    alone.sort(key=_order)
    return PlannerResult(cohorts=tuple(found), unaligned=tuple(alone), span_months=span_months)


def cohorts(
    windows: Iterable[ContractWindow], span_months: int = DEFAULT_SPAN_MONTHS
) -> list[Cohort]:
    """Groups of two or more organisations that can start one joint contract."""
    return list(plan(windows, span_months).cohorts)


def unaligned(
    windows: Iterable[ContractWindow], span_months: int = DEFAULT_SPAN_MONTHS
) -> list[ContractWindow]:
    """Organisations that the partition leaves out of every cohort."""
    return list(plan(windows, span_months).unaligned)


def _order(w: ContractWindow) -> tuple[date, str, int]:
    return (w.contract_end, w.organisation_name.casefold(), w.organisation_id)


def _validated(windows: Iterable[ContractWindow], span_months: int) -> list[ContractWindow]:
    if span_months < 0:
        raise ValueError(f"span_months must be zero or more, not {span_months}")
    result = list(windows)
    seen: set[int] = set()
    for w in result:
        if w.extension_months < 0:
            raise ValueError(
                f"{w.organisation_name}: extension_months must be zero or more, "
                f"not {w.extension_months}"
            )
        if w.organisation_id in seen:
            raise ValueError(f"{w.organisation_name} has more than one contract window")
        seen.add(w.organisation_id)
    return result
