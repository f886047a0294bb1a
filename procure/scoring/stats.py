"""Descriptive statistics, rankings and Kendall's W for the scoring analysis.

Pure standard-library arithmetic with no knowledge of options or criteria;
:mod:`procure.scoring.analysis` re-exports the public names.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def round_or_none(value: float | None, ndigits: int = 2) -> float | None:
    """``round`` that lets a missing figure stay missing."""
    return None if value is None else round(float(value), ndigits)


@dataclass(frozen=True)
class Stats:
    """Summary of a set of scores; every figure is None when there are no values (n == 0)."""

    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    sd: float | None
    n: int

    def to_dict(self, ndigits: int = 2) -> dict[str, float | int | None]:
        """JSON-ready figures, rounded to ``ndigits`` decimals."""
        return {
            "mean": round_or_none(self.mean, ndigits),
            "median": round_or_none(self.median, ndigits),
            "min": round_or_none(self.min, ndigits),
            "max": round_or_none(self.max, ndigits),
            "sd": round_or_none(self.sd, ndigits),
            "n": self.n,
        }


EMPTY_STATS = Stats(mean=None, median=None, min=None, max=None, sd=None, n=0)


def describe(values: Iterable[Real]) -> Stats:
    """Mean, median, min, max, sample standard deviation and n of ``values``.

    The standard deviation is the sample one (``statistics.stdev``, divisor n − 1);
    a single value has a spread of 0.0. Exact inputs (ints, Fractions) stay exact
    until the final conversion to float.
    """
    data = list(values)
    if not data:
        return EMPTY_STATS
    return Stats(
        mean=float(statistics.mean(data)),
        median=float(statistics.median(data)),
        min=float(min(data)),
        max=float(max(data)),
        sd=float(statistics.stdev(data)) if len(data) > 1 else 0.0,
        n=len(data),
    )


def _tie_groups(values: Mapping[K, Real]) -> list[list[K]]:
    """Keys grouped by equal value, highest value first."""
    groups: list[list[K]] = []
    previous: Real | None = None
    for key, value in sorted(values.items(), key=lambda item: item[1], reverse=True):
        if groups and value == previous:
            groups[-1].append(key)
        else:
            groups.append([key])
        previous = value
    return groups


def mean_ranks(values: Mapping[K, Real]) -> dict[K, Fraction]:
    """Rank 1 for the highest value; tied values share the mean of the ranks they span."""
    ranks: dict[K, Fraction] = {}
    position = 0
    for group in _tie_groups(values):
        shared = Fraction(2 * position + len(group) + 1, 2)  # mean of position+1 … position+t
        ranks.update(dict.fromkeys(group, shared))
        position += len(group)
    return ranks


def competition_ranks(values: Mapping[K, Real]) -> dict[K, int]:
    """Rank 1 for the highest value; tied values share the best rank ("1, 1, 3")."""
    ranks: dict[K, int] = {}
    position = 0
    for group in _tie_groups(values):
        ranks.update(dict.fromkeys(group, position + 1))
        position += len(group)
    return ranks


@dataclass(frozen=True)
class AgreementResult:
    """Kendall's W over ``n_raters`` boroughs ranking ``n_items`` options, with a reading."""

    w: float | None
    n_raters: int
    n_items: int
    reading: str

    def to_dict(self, ndigits: int = 2) -> dict[str, float | int | str | None]:
        """JSON-ready result, W rounded to ``ndigits`` decimals."""
        return {
            "w": round_or_none(self.w, ndigits),
            "n_raters": self.n_raters,
            "n_items": self.n_items,
            "reading": self.reading,
        }


# Upper bounds of W (rounded to 2 decimals) for each band, and how each band reads.
_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.1, "Very weak agreement", "in very different orders"),
    (0.3, "Weak agreement", "in rather different orders"),
    (0.5, "Moderate agreement", "in partly similar orders"),
    (0.7, "Strong agreement", "in a broadly similar order"),
)


def agreement_reading(w: float, n_raters: int, n_items: int) -> str:
    """A plain-words sentence for a computed W.

    The band is chosen from W rounded as printed, so the words never contradict the figure;
    only a W of exactly 1 reads "in the same order".
    """
    shown = round(w, 2)
    label, order = next(
        ((band_label, band_order) for upper, band_label, band_order in _BANDS if shown < upper),
        ("Very strong agreement", "in the same order" if w >= 1 else "in almost the same order"),
    )
    return f"{label}: the {n_raters} boroughs rank the {n_items} options {order} (W = {shown:.2f})."


def _unavailable(n_raters: int, n_items: int, reason: str) -> AgreementResult:
    return AgreementResult(w=None, n_raters=n_raters, n_items=n_items, reading=reason)


def kendalls_w(
    rankings: Mapping[int, Mapping[int, float | None]],
    items: Collection[int] | None = None,
) -> AgreementResult:
    """Kendall's coefficient of concordance W, with the correction for ties.

    ``rankings`` maps each borough (organisation id) to its combined score per option.
    ``items`` are the options to rank (default: every option any borough scored). Only
    boroughs with a score for every item are raters. Each rater ranks the items by score,
    highest = rank 1, ties sharing the mean rank. With m raters, n items, Rᵢ the rank
    total of item i and T = Σ(t³ − t) over each rater's groups of t tied items::

        S = Σ (Rᵢ − m(n + 1)/2)²        W = 12·S / (m²(n³ − n) − m·ΣT)

    W is None, with a reading saying why, when there are fewer than 2 raters or items or
    when every rater tied every item (the denominator is 0).
    """
    item_ids = sorted(
        set(items) if items is not None else {i for r in rankings.values() for i in r}
    )
    raters = [
        scores
        for _, scores in sorted(rankings.items())
        if all(scores.get(item) is not None for item in item_ids)
    ]
    m, n = len(raters), len(item_ids)
    if n < 2:
        there = "there is only 1" if n == 1 else "there are none"
        return _unavailable(
            m, n, f"Agreement cannot be measured: ranking needs at least 2 options, and {there}."
        )
    if m < 2:
        there = "there is only 1" if m == 1 else "there are none"
        return _unavailable(
            m,
            n,
            "Agreement cannot be measured yet: it needs at least 2 boroughs with "
            f"complete scorecards for all {n} options, and {there}.",
        )
    rank_totals = dict.fromkeys(item_ids, Fraction(0))
    tie_total = 0
    for scores in raters:
        ranks = mean_ranks({item: scores[item] for item in item_ids})
        for item, rank in ranks.items():
            rank_totals[item] += rank
        tie_total += sum(t**3 - t for t in Counter(ranks.values()).values())
    expected = Fraction(m * (n + 1), 2)
    s = sum((total - expected) ** 2 for total in rank_totals.values())
    denominator = m * m * (n**3 - n) - m * tie_total
    if denominator == 0:
        return _unavailable(
            m,
            n,
            f"Agreement cannot be measured: every borough gave all {n} options the same "
            "combined score.",
        )
    w = float(12 * s / denominator)
    return AgreementResult(w=w, n_raters=m, n_items=n, reading=agreement_reading(w, m, n))
