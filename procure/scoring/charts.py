"""Server-rendered SVG charts for the scoring pages and printed reports.

The SVG is built as text with every piece of content escaped, uses no scripts and no
external fonts, and scales through its viewBox, so the same markup works inline in a
browser and in WeasyPrint. Position and text labels carry the meaning; colour only helps.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT_FAMILY = "Arial, 'Liberation Sans', Helvetica, sans-serif"

# Text is near-black (19:1 on white); marks are at least 3:1 against white and the fills.
TEXT = "#0b0c0c"
SECONDARY = "#505a5f"  # axes, threshold lines, error bars: 7:1 on white
POINT = "#1d70b8"  # 5.2:1 on white
GRID = "#ffffff"
# Light, decorative fills: each quadrant is also named in text.
QUADRANT_FILLS = {
    "pursue": "#dcefe0",
    "make": "#e1ebf7",
    "easy": "#fbefd8",
    "aside": "#ededed",
}

WIDTH = 640
LEFT, RIGHT, TOP = 72, 24, 16
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = 400
BOTTOM = TOP + PLOT_HEIGHT
AXIS_SPACE = 64  # tick labels and axis title under the plot
KEY_ROW = 20
KEY_NAME_CHARS = 40
TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class ScatterPoint:
    """One option on the feasibility × desirability chart (all figures 0–100).

    ``label`` is the short text drawn beside the point (a number or the name); the
    spread (min–max) is drawn as error bars when known.
    """

    label: str
    name: str
    f_mean: float | None
    d_mean: float | None
    f_min: float | None = None
    f_max: float | None = None
    d_min: float | None = None
    d_max: float | None = None


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, float(value)))


def _x(value: float) -> float:
    return round(LEFT + PLOT_WIDTH * _clamp(value) / 100, 2)


def _y(value: float) -> float:
    return round(BOTTOM - PLOT_HEIGHT * _clamp(value) / 100, 2)


def _figure(value: float) -> str:
    """A score as people read it: 62.5, 70, not 70.0."""
    return f"{value:.1f}".removesuffix(".0")


def _el(tag: str, *children: str, **attrs: str | float) -> Markup:
    """One SVG element; attribute values and text children are escaped, Markup kept as is.

    Attribute names are written in Python style (``font_size`` → ``font-size``, ``class_``).
    """
    # Plain string building with explicit escape(): Markup.format is several times slower,
    # and a chart of 40 options with their spreads is hundreds of elements.
    name = escape(tag)
    attributes = "".join(
        f' {escape(key.rstrip("_").replace("_", "-"))}="{escape(value)}"'
        for key, value in attrs.items()
    )
    if not children:
        return Markup(f"<{name}{attributes}/>")  # noqa: S704 - escaped above
    inner = "".join(escape(child) for child in children)
    return Markup(f"<{name}{attributes}>{inner}</{name}>")  # noqa: S704 - escaped above


def _text(x: float, y: float, content: str, **attrs: str | float) -> Markup:
    return _el("text", content, x=x, y=y, **attrs)


def _line(x1: float, y1: float, x2: float, y2: float, **attrs: str | float) -> Markup:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)


def _id_prefix(id_prefix: str | None, *parts: str) -> str:
    if id_prefix:
        cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix)
        return cleaned if cleaned[0].isalpha() else f"chart-{cleaned}"
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:10]
    return f"scatter-{digest}"


def _quadrants(threshold: float) -> list[Markup]:
    tx, ty = _x(threshold), _y(threshold)
    right, top = _x(100), _y(100)
    areas = [
        ("pursue", tx, top, right - tx, ty - top),
        ("make", LEFT, top, tx - LEFT, ty - top),
        ("easy", tx, ty, right - tx, BOTTOM - ty),
        ("aside", LEFT, ty, tx - LEFT, BOTTOM - ty),
    ]
    parts = [
        _el("rect", x=x, y=y, width=round(w, 2), height=round(h, 2), fill=QUADRANT_FILLS[key])
        for key, x, y, w, h in areas
        if w > 0 and h > 0
    ]
    label = {"font_size": 13, "font_weight": "bold", "fill": TEXT}
    parts += [
        _text(right - 8, top + 20, "Pursue together", text_anchor="end", **label),
        _text(LEFT + 8, top + 20, "Make feasible", **label),
        _text(right - 8, BOTTOM - 10, "Easy but unwanted", text_anchor="end", **label),
        _text(LEFT + 8, BOTTOM - 10, "Set aside", **label),
    ]
    return parts


def _axes(threshold: float) -> list[Markup]:
    inner = TICKS[1:-1]
    grid = [_line(_x(t), TOP, _x(t), BOTTOM) for t in inner]
    grid += [_line(LEFT, _y(t), _x(100), _y(t)) for t in inner]
    parts = [_el("g", *grid, stroke=GRID, stroke_width=1)]
    dashed = {"stroke": SECONDARY, "stroke_width": 1.5, "stroke_dasharray": "6 4"}
    parts += [
        _line(_x(threshold), TOP, _x(threshold), BOTTOM, **dashed),
        _line(LEFT, _y(threshold), _x(100), _y(threshold), **dashed),
        _el(
            "rect",
            x=LEFT,
            y=TOP,
            width=PLOT_WIDTH,
            height=PLOT_HEIGHT,
            fill="none",
            stroke=SECONDARY,
            stroke_width=1,
        ),
    ]
    tick = {"stroke": SECONDARY, "stroke_width": 1}
    small = {"font_size": 12, "fill": TEXT}
    for t in TICKS:
        parts.append(_line(_x(t), BOTTOM, _x(t), BOTTOM + 6, **tick))
        parts.append(_text(_x(t), BOTTOM + 21, str(t), text_anchor="middle", **small))
        parts.append(_line(LEFT - 6, _y(t), LEFT, _y(t), **tick))
        parts.append(_text(LEFT - 10, _y(t) + 4, str(t), text_anchor="end", **small))
    middle_y = round(TOP + PLOT_HEIGHT / 2, 2)
    title = {"font_size": 13, "font_weight": "bold", "fill": TEXT, "text_anchor": "middle"}
    parts.append(_text(_x(50), BOTTOM + 48, "Feasibility (0–100)", **title))
    parts.append(
        _text(22, middle_y, "Desirability (0–100)", transform=f"rotate(-90 22 {middle_y})", **title)
    )
    return parts


def _spread(point: ScatterPoint, x: float, y: float) -> list[Markup]:
    """Error bars: min–max feasibility across, min–max desirability up, with end caps."""
    parts = []
    if point.f_min is not None and point.f_max is not None:
        x1, x2 = _x(point.f_min), _x(point.f_max)
        parts += [_line(x1, y, x2, y), _line(x1, y - 4, x1, y + 4), _line(x2, y - 4, x2, y + 4)]
    if point.d_min is not None and point.d_max is not None:
        y1, y2 = _y(point.d_min), _y(point.d_max)
        parts += [_line(x, y1, x, y2), _line(x - 4, y1, x + 4, y1), _line(x - 4, y2, x + 4, y2)]
    return parts


def _range(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f" (range {_figure(low)}–{_figure(high)})"


def _point(point: ScatterPoint, f: float, d: float) -> Markup:
    x, y = _x(f), _y(d)
    tooltip = (
        f"{point.label}. {point.name}: feasibility {_figure(f)}"
        f"{_range(point.f_min, point.f_max)}, desirability {_figure(d)}"
        f"{_range(point.d_min, point.d_max)}"
    )
    label = {"font_size": 12, "font_weight": "bold"}
    # The label sits to the right of the point, or to the left near the right-hand edge.
    lx, anchor = (x + 9, "start") if f < 88 else (x - 9, "end")
    ly = max(TOP + 12, y - 7)
    halo = {"stroke": "#ffffff", "stroke_width": 3, "stroke_linejoin": "round", "fill": "#ffffff"}
    return _el(
        "g",
        _el("title", tooltip),
        _el("circle", cx=x, cy=y, r=5.5, fill=POINT, stroke="#ffffff", stroke_width=1.5),
        # A white halo under the label keeps it legible over grid lines and error bars.
        _text(lx, ly, point.label, text_anchor=anchor, aria_hidden="true", **halo, **label),
        _text(lx, ly, point.label, text_anchor=anchor, fill=TEXT, **label),
        class_="point",
    )


def _key(points: Sequence[ScatterPoint], top: float) -> list[Markup]:
    """Which label is which option, in two columns, for readers of a printed copy."""
    parts = [_text(LEFT, top, "Key", font_size=12, font_weight="bold", fill=TEXT)]
    rows = (len(points) + 1) // 2
    for i, point in enumerate(points):
        column, row = divmod(i, rows)
        x, y = LEFT + column * (PLOT_WIDTH / 2), top + (row + 1) * KEY_ROW
        name = point.name if len(point.name) <= KEY_NAME_CHARS else point.name[:39] + "…"
        label = _el("tspan", point.label, font_weight="bold")
        parts.append(_el("text", label, " ", name, x=x, y=y, font_size=12, fill=TEXT))
    return parts


def scatter_svg(
    points: Iterable[ScatterPoint],
    *,
    threshold: float = 50,
    title: str,
    description: str,
    id_prefix: str | None = None,
) -> Markup:
    """Feasibility (x, 0–100) × desirability (y, 0–100) scatter of the options.

    Quadrants split at ``threshold`` are shaded and named, each option is a labelled
    point with error bars for its min–max spread, and a key names the options whose
    label is not their name. Options without both means are left out. ``title`` and
    ``description`` become the accessible name and description (``role="img"``);
    ``id_prefix`` makes their element ids unique on a page (default: derived from the
    content).
    """
    points = list(points)
    plotted = [
        (p, p.f_mean, p.d_mean) for p in points if p.f_mean is not None and p.d_mean is not None
    ]
    keyed = [p for p, _, _ in plotted if p.label != p.name]
    height = BOTTOM + AXIS_SPACE + (16 + KEY_ROW * ((len(keyed) + 1) // 2 + 1) if keyed else 0)
    prefix = _id_prefix(id_prefix, title, description, *(p.label for p in points))
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"

    parts = [
        _el("title", title, id=title_id),
        _el("desc", description, id=desc_id),
        *_quadrants(threshold),
        *_axes(threshold),
    ]
    if not plotted:
        message = "No option has been scored in both dimensions yet."
        y = TOP + PLOT_HEIGHT / 2 + 30
        parts.append(_text(_x(50), y, message, text_anchor="middle", font_size=13, fill=TEXT))
    bars = [bar for point, f, d in plotted for bar in _spread(point, _x(f), _y(d))]
    if bars:
        parts.append(_el("g", *bars, class_="spread", stroke=SECONDARY, stroke_width=1.5))
    parts += [_point(point, f, d) for point, f, d in plotted]
    if keyed:
        parts += _key(keyed, BOTTOM + AXIS_SPACE + 16)
    return _el(
        "svg",
        Markup("\n"),
        Markup("\n").join(parts),
        Markup("\n"),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {WIDTH} {height}",
        width="100%",
        role="img",
        aria_labelledby=f"{title_id} {desc_id}",
        class_="scatter-chart",
        font_family=FONT_FAMILY,
    )
