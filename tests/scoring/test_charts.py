"""The feasibility × desirability chart is well-formed, accessible and escapes what it shows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markupsafe import Markup

from procure.scoring.charts import ScatterPoint, scatter_svg

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"

POINTS = [
    ScatterPoint("1", "Product A", 72.5, 80, 55, 90, 60, 95),
    ScatterPoint("2", HOSTILE, 45, 66.7, 30, 60, 50, 80),
    ScatterPoint("3", 'Build "together" & share', 35, 30, 20, 50, 10, 45),
]


def render(points=POINTS, **kwargs) -> tuple[Markup, ET.Element]:
    kwargs.setdefault("title", "Options by feasibility and desirability")
    kwargs.setdefault("description", "Three options; one is in the pursue-together quadrant.")
    svg = scatter_svg(points, **kwargs)
    return svg, parse(svg)


def parse(svg: Markup) -> ET.Element:
    # The input is this app's own output, parsed to prove it is well-formed XML.
    return ET.fromstring(str(svg))  # noqa: S314


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_is_well_formed_accessible_and_scalable():
    svg, root = render()
    assert isinstance(svg, Markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Options by feasibility and desirability"
    assert desc.text == "Three options; one is in the pursue-together quadrant."
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert "Liberation Sans" in root.get("font-family")
    assert root.find(f".//{SVG}script") is None
    assert "<script" not in str(svg)


def test_one_point_per_option_with_its_label_and_spread():
    _, root = render()
    points = root.findall(f".//{SVG}g[@class='point']")
    assert len(points) == 3
    assert len(root.findall(f".//{SVG}circle")) == 3
    assert [p.find(f"{SVG}title").text.split(".")[0] for p in points] == ["1", "2", "3"]
    first = points[0].find(f"{SVG}title").text
    assert first == ("1. Product A: feasibility 72.5 (range 55–90), desirability 80 (range 60–95)")
    # two bars with two caps each per option
    spread = root.find(f".//{SVG}g[@class='spread']")
    assert len(spread.findall(f"{SVG}line")) == 3 * 6


def test_quadrants_axes_and_key_are_labelled():
    _, root = render()
    words = texts(root)
    for label in ("Pursue together", "Make feasible", "Easy but unwanted", "Set aside"):
        assert label in words
    for tick in ("0", "25", "50", "75", "100"):
        assert words.count(tick) >= 2  # on both axes
    assert "Feasibility (0–100)" in words and "Desirability (0–100)" in words
    assert "1 Product A" in words  # the key names each numbered point


def test_hostile_names_are_escaped():
    svg, root = render(
        title=HOSTILE, description=HOSTILE, points=[ScatterPoint(HOSTILE, HOSTILE, 50, 50)]
    )
    assert "<script>" not in str(svg)
    assert "&lt;script&gt;" in str(svg)
    assert root.find(f".//{SVG}script") is None
    # the text survives, as text
    assert root.find(f"{SVG}title").text == HOSTILE
    assert HOSTILE in texts(root)


def test_quotes_cannot_break_out_of_attributes():
    _, root = render(id_prefix='x" onload="alert(1)')
    assert "onload" not in root.attrib
    assert all(not key.startswith("on") for el in root.iter() for key in el.attrib)
    assert root.find(f"{SVG}title").get("id").startswith("x-")
    assert '3 Build "together" & share' in texts(root)


def test_options_without_both_means_are_left_out():
    points = [*POINTS, ScatterPoint("4", "Nobody scored this", None, None)]
    _, root = render(points)
    assert len(root.findall(f".//{SVG}g[@class='point']")) == 3
    _, empty = render([ScatterPoint("4", "Nobody scored this", None, None)])
    assert empty.findall(f".//{SVG}g[@class='point']") == []
    assert "No option has been scored in both dimensions yet." in texts(empty)


def test_threshold_moves_the_quadrant_lines_and_ids_differ_per_chart():
    svg50, root50 = render()
    svg60, root60 = render(threshold=60)
    assert svg50 != svg60
    dashed = [el for el in root60.iter(f"{SVG}line") if el.get("stroke-dasharray")]
    assert len(dashed) == 2
    _, other = render(title="Another chart")
    assert other.find(f"{SVG}title").get("id") != root50.find(f"{SVG}title").get("id")


def test_points_are_kept_inside_the_plot():
    _, root = render([ScatterPoint("9", "Out of range", 130, -20, -5, 140, -30, 10)])
    circle = root.find(f".//{SVG}circle")
    frame = next(r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none")
    left, top = float(frame.get("x")), float(frame.get("y"))
    right, bottom = left + float(frame.get("width")), top + float(frame.get("height"))
    assert left <= float(circle.get("cx")) <= right
    assert top <= float(circle.get("cy")) <= bottom
