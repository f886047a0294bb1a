"""Server-rendered SVG for the alignment planner's contract timeline.

The SVG is inline, script-free and sized by its ``viewBox`` alone (``width="100%"``),
so it prints in WeasyPrint and scales down to a phone. The viewBox is narrow
(480 units) and the type large (16–18 units) so that labels stay readable when
the chart is 320px wide; on wide screens put it in a container with a
``max-width`` (around 40rem). No ``style`` attributes are used: the content
security policy may forbid them, and presentation attributes do the same job.

Every meaning is carried by shape and text as well as colour: a diamond at the
contract end, a solid bar for extension months available, a dashed outline for a
bridging extension, a green tick at a cohort's joint start and the words
"Cohort N" on each member's row. Text has a contrast of at least 4.5:1 against
its background and marks at least 3:1. The accessible name and description come
from ``<title>`` and ``<desc>``, referenced by ``aria-labelledby``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from markupsafe import Markup, escape

from procure.market.planner import Cohort, ContractWindow

WIDTH = 480
PAD = 12
PLOT_LEFT, PLOT_RIGHT = PAD, WIDTH - PAD
AXIS_Y = 30
ROWS_TOP = 44
ROW_HEIGHT = 50
NAME_SIZE = 18
SMALL_SIZE = 16
MAX_NAME_CHARS = 38
MAX_YEAR_LABELS = 7
LEGEND_LINE = 26
NAME_LINE = 23  # a row's name occupies its top 23 units; vertical lines skip it

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
INK = "#0b0c0c"  # 19.6:1 on white
SECONDARY = "#505a5f"  # 7.1:1: axis ticks
EXTENSION = "#1d70b8"  # 5.2:1 on white, 4.4:1 on the cohort band
JOINT = "#00703c"  # 6.2:1
TODAY = "#d4351c"  # 4.9:1
BAND = "#e3f1e8"  # decorative tint behind a cohort; never the only signal
GRID = "#dddddd"  # decorative year lines

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def timeline_svg(
    windows: Sequence[ContractWindow],
    cohorts: Sequence[Cohort],
    *,
    today: date,
    title: str,
    description: str,
    chart_id: str = "contract-timeline",
) -> Markup:
    """One row per organisation, sorted by contract end, on a year axis.

    ``cohorts`` are numbered from 1 in the order given, as the page around the
    chart should number them too. ``chart_id`` prefixes the element ids so two
    charts can share a page. Every text and attribute value is escaped.
    """
    if not _ID.match(chart_id):
        raise ValueError(f"chart_id must be a simple identifier, not {chart_id!r}")
    rows = sorted(
        windows, key=lambda w: (w.contract_end, w.organisation_name.casefold(), w.organisation_id)
    )
    cohort_of = {m.organisation_id: (n, c) for n, c in enumerate(cohorts, 1) for m in c.members}
    scale = _Scale(_dates(rows, cohorts, today))
    rows_bottom = ROWS_TOP + ROW_HEIGHT * max(len(rows), 1)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [_el("title", title, id=title_id), _el("desc", description, id=desc_id)]
    parts += _axis(scale, rows_bottom)
    parts += _bands(rows, cohort_of, scale)
    for index, window in enumerate(rows):
        top = ROWS_TOP + index * ROW_HEIGHT
        parts.append(_row(window, top, cohort_of.get(window.organisation_id), scale))
    if not rows:
        parts.append(
            _text(PLOT_LEFT, ROWS_TOP + 19, "No contract end dates recorded yet.", NAME_SIZE)
        )
    parts += _today(scale, today, rows_bottom)
    legend, height = _legend(rows, cohort_of, rows_bottom + 30)
    return _el(
        "svg",
        _join(parts + legend),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {WIDTH} {height}",
        width="100%",
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        font_family=FONT,
        fill=INK,
        class_="contract-timeline",
    )


class _Scale:
    """Maps dates to x between whole years that cover every date drawn."""

    def __init__(self, dates: list[date]) -> None:
        self.first_year = min(d.year for d in dates)
        self.last_year = max(d.year for d in dates)
        self.start = date(self.first_year, 1, 1)
        self.days = (date(self.last_year + 1, 1, 1) - self.start).days

    def x(self, d: date) -> float:
        return PLOT_LEFT + (d - self.start).days / self.days * (PLOT_RIGHT - PLOT_LEFT)


def _dates(rows: Sequence[ContractWindow], cohorts: Sequence[Cohort], today: date) -> list[date]:
    dates = [today]
    for w in rows:
        dates += [w.contract_end, w.window_end]
    for c in cohorts:
        dates += [c.earliest_common_start, c.latest_common_start]
    return dates


def _axis(scale: _Scale, rows_bottom: int) -> list[Markup]:
    """A tick and a faint grid line at each new year; labels centred on (every nth) year."""
    years = range(scale.first_year, scale.last_year + 1)
    step = -(-len(years) // MAX_YEAR_LABELS)
    parts = [_line(PLOT_LEFT, AXIS_Y, PLOT_RIGHT, AXIS_Y, SECONDARY, 1.5)]
    for year in [*years, scale.last_year + 1]:
        x = scale.x(date(year, 1, 1))
        parts += [_line(x, y0, x, y1, GRID, 1) for y0, y1 in _clear_of_names(rows_bottom)]
        parts.append(_line(x, AXIS_Y - 6, x, AXIS_Y, SECONDARY, 1.5))
    for year in years[::step]:
        middle = (scale.x(date(year, 1, 1)) + scale.x(date(year + 1, 1, 1))) / 2
        parts.append(_text(middle, AXIS_Y - 10, str(year), SMALL_SIZE, anchor="middle"))
    return parts


def _bands(rows: Sequence[ContractWindow], cohort_of: dict, scale: _Scale) -> list[Markup]:
    """A tint behind each cohort member's bar, over the cohort's start window. It stays
    below the row's name line, so a long name never sits on the tint; adjacent members'
    tints touch and read as one band."""
    parts: list[Markup] = []
    for index, window in enumerate(rows):
        entry = cohort_of.get(window.organisation_id)
        if not entry:
            continue
        cohort = entry[1]
        x0, x1 = scale.x(cohort.earliest_common_start), scale.x(cohort.latest_common_start)
        top = ROWS_TOP + index * ROW_HEIGHT + NAME_LINE
        parts.append(_rect(x0, top, max(x1 - x0, 2), ROW_HEIGHT - NAME_LINE, fill=BAND))
    return parts


def _row(
    window: ContractWindow, top: int, entry: tuple[int, Cohort] | None, scale: _Scale
) -> Markup:
    bar_top, bar_height = top + 26, 14
    middle = bar_top + bar_height / 2
    end_x, window_x = scale.x(window.contract_end), scale.x(window.window_end)
    parts = [_text(PLOT_LEFT, top + 19, _short(window.organisation_name), NAME_SIZE)]
    if window.extension_months:
        parts.append(_rect(end_x, bar_top, window_x - end_x, bar_height, fill=EXTENSION))
    if entry:
        number, cohort = entry
        label = f"Cohort {number}"
        parts.append(_text(PLOT_RIGHT, top + 19, label, SMALL_SIZE, anchor="end", bold=True))
        start_x = scale.x(cohort.earliest_common_start)
        if start_x > window_x:
            bridge = (start_x - window_x, bar_height - 2)
            parts.append(_rect(window_x, bar_top + 1, *bridge, stroke=EXTENSION, dashed=True))
        parts.append(_line(start_x, middle - 12, start_x, middle + 12, JOINT, 4))
    parts.append(_diamond(end_x, middle))
    return _el("g", _join(parts), class_="timeline-row")


def _today(scale: _Scale, today: date, rows_bottom: int) -> list[Markup]:
    """The dashed line at today's date; the key below the chart names it (a label under
    the plot stood alone, apart from both the line's meaning and the key)."""
    x = scale.x(today)
    segments = _clear_of_names(rows_bottom)
    return [_line(x, y0, x, y1, TODAY, 2, dashed=True) for y0, y1 in segments]


def _clear_of_names(bottom: int) -> list[tuple[int, int]]:
    """Vertical spans from the axis to ``bottom`` that skip each row's name line."""
    tops = range(ROWS_TOP, bottom - ROW_HEIGHT + 1, ROW_HEIGHT)
    starts = [AXIS_Y, *(top + NAME_LINE for top in tops)]
    ends = [*(top + 2 for top in tops), bottom]
    return list(zip(starts, ends, strict=True))


def _legend(rows: Sequence[ContractWindow], cohort_of: dict, top: int) -> tuple[list[Markup], int]:
    """A key below the chart, one item a line, listing only the marks drawn."""
    keys = [(_diamond(PLOT_LEFT + 10, 0), "Contract ends")]
    if any(w.extension_months for w in rows):
        keys.append((_rect(PLOT_LEFT, -7, 20, 14, fill=EXTENSION), "Extension available"))
    if any(
        cohort_of[w.organisation_id][1].earliest_common_start > w.window_end
        for w in rows
        if w.organisation_id in cohort_of
    ):
        swatch = _rect(PLOT_LEFT, -6, 20, 12, stroke=EXTENSION, dashed=True)
        keys.append((swatch, "Bridging extension needed"))
    if cohort_of:
        tick = _line(PLOT_LEFT + 10, -10, PLOT_LEFT + 10, 10, JOINT, 4)
        keys.append((tick, "Earliest joint start"))
        keys.append(
            (_rect(PLOT_LEFT, -10, 20, 20, fill=BAND, stroke=SECONDARY), "Joint start window")
        )
    keys.append((_line(PLOT_LEFT + 10, -10, PLOT_LEFT + 10, 10, TODAY, 2, dashed=True), "Today"))
    parts = [
        _el(
            "g",
            mark + _text(PLOT_LEFT + 30, 5.5, label, SMALL_SIZE),
            transform=f"translate(0 {top + index * LEGEND_LINE})",
        )
        for index, (mark, label) in enumerate(keys)
    ]
    return parts, top + len(keys) * LEGEND_LINE


def _short(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1].rstrip() + "…"


# SVG elements ------------------------------------------------------------------


def _el(tag: str, content: str | None = None, **attributes: object) -> Markup:
    """An element with escaped attributes; ``content`` is escaped unless it is ``Markup``."""
    # f-strings with explicit escape(): Markup.format is several times slower, and a
    # timeline of 33 boroughs is thousands of attributes.
    # Tag and attribute names are ours (keyword arguments); values and text are escaped.
    rendered = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(_value(value))}"'
        for name, value in attributes.items()
        if value is not None
    )
    if content is None:
        return Markup(f"<{tag}{rendered}/>")  # noqa: S704 - values escaped above
    return Markup(f"<{tag}{rendered}>{escape(content)}</{tag}>")  # noqa: S704 - as above


def _value(value: object) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def _join(parts: Iterable[Markup]) -> Markup:
    return Markup("").join(parts)


def _text(
    x: float, y: float, text: str, size: int, *, anchor: str = "start", bold: bool = False
) -> Markup:
    weight = "bold" if bold else None
    return _el("text", text, x=x, y=y, font_size=size, text_anchor=anchor, font_weight=weight)


def _line(
    x1: float, y1: float, x2: float, y2: float, colour: str, width: float, *, dashed: bool = False
) -> Markup:
    dash = "6 4" if dashed else None
    return _el(
        "line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=colour, stroke_width=width, stroke_dasharray=dash
    )


def _rect(
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: str = "none",
    stroke: str | None = None,
    dashed: bool = False,
) -> Markup:
    return _el(
        "rect",
        x=x,
        y=y,
        width=width,
        height=height,
        fill=fill,
        stroke=stroke,
        stroke_width=2 if stroke else None,
        stroke_dasharray="5 3" if dashed else None,
    )


def _diamond(x: float, y: float, r: float = 8) -> Markup:
    points = [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    path = "M" + "L".join(f"{_value(px)} {_value(py)}" for px, py in points) + "Z"
    return _el("path", d=path, fill=INK, stroke="#ffffff", stroke_width=1.5)
