"""The contract timeline SVG: well formed, accessible, one row per organisation, escaped."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from markupsafe import Markup

from procure.market import charts
from procure.market.charts import timeline_svg
from procure.market.planner import ContractWindow, plan

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2025, 11, 22)


def window(org_id: int, name: str, end: date, extension: int = 0) -> ContractWindow:
    return ContractWindow(org_id, name, None, end, extension)


WINDOWS = [
    window(1, "Southwark", date(2027, 9, 30), 24),
    window(2, "Camden", date(2025, 3, 31), 12),
    window(3, "Hackney", date(2025, 12, 31)),
    window(4, "Islington", date(2027, 6, 30), 6),
    window(5, "Lambeth", date(2024, 9, 30)),
]


def render(windows=WINDOWS, **overrides) -> tuple[Markup, ET.Element]:
    arguments = {
        "today": TODAY,
        "title": "Contract end dates",
        "description": "Five boroughs, two cohorts.",
    }
    arguments.update(overrides)
    svg = timeline_svg(windows, plan(windows).cohorts, **arguments)
    return svg, ET.fromstring(str(svg))  # noqa: S314 - our own output, under test


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_is_well_formed_accessible_markup():
    svg, root = render()
    assert isinstance(svg, Markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 480 ")
    assert "Arial" in root.get("font-family")
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.text == "Contract end dates"
    assert desc.text == "Five boroughs, two cohorts."
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert "<script" not in svg
    assert root.find(f".//{SVG}script") is None
    assert " style=" not in svg


def test_one_row_per_organisation_sorted_by_contract_end():
    _, root = render()
    rows = root.findall(f".//{SVG}g[@class='timeline-row']")
    names = [next(row.iter(f"{SVG}text")).text for row in rows]
    assert names == ["Lambeth", "Camden", "Hackney", "Islington", "Southwark"]
    diamonds = [row.findall(f"{SVG}path") for row in rows]
    assert all(len(marks) == 1 for marks in diamonds)


def test_cohorts_are_labelled_in_words():
    _, root = render()
    rows = root.findall(f".//{SVG}g[@class='timeline-row']")
    labels = [[t.text for t in row.iter(f"{SVG}text")][1:] for row in rows]
    result = plan(WINDOWS)
    assert len(result.cohorts) == 2
    assert labels == [["Cohort 1"], ["Cohort 1"], [], ["Cohort 2"], ["Cohort 2"]]
    assert [w.organisation_name for w in result.unaligned] == ["Hackney"]


def test_year_axis_and_today_line():
    _, root = render()
    labels = texts(root)
    for year in ("2024", "2025", "2026", "2027", "2028", "2029"):
        assert year in labels
    assert "Today" in labels
    assert any(line.get("stroke") == "#d4351c" for line in root.iter(f"{SVG}line"))


def test_long_spans_label_fewer_years():
    windows = [window(1, "Barnet", date(2020, 1, 31)), window(2, "Brent", date(2039, 1, 31))]
    _, root = render(windows)
    years = [t for t in texts(root) if t.isdigit()]
    assert 2 <= len(years) <= 7
    assert years[0] == "2020"


def test_hostile_text_is_escaped():
    hostile = '<script>alert(1)</script> & "Brent"'
    windows = [window(1, hostile, date(2026, 3, 31)), window(2, "Ealing", date(2026, 4, 30))]
    svg, root = render(windows, title="</title><script>", description="a & b < c")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert root.find(f"{SVG}title").text == "</title><script>"
    assert root.find(f"{SVG}desc").text == "a & b < c"
    assert hostile in texts(root)


def test_long_names_are_shortened_with_an_ellipsis():
    long_name = "Royal Borough of Kensington and Chelsea Housing Partnership"
    _, root = render([window(1, long_name, date(2026, 3, 31))])
    [label] = [t for t in texts(root) if t.startswith("Royal")]
    assert label.endswith("…")
    assert len(label) <= 38


def test_no_windows_still_renders_a_message():
    _, root = render([])
    assert "No contract end dates recorded yet." in texts(root)
    assert root.findall(f".//{SVG}g[@class='timeline-row']") == []


def test_legend_lists_only_marks_drawn():
    lone = [window(1, "Barnet", date(2026, 3, 31))]
    _, root = render(lone)
    labels = texts(root)
    assert "Contract ends" in labels
    assert "Extension available" not in labels
    assert "Joint start window" not in labels
    _, root = render()
    labels = texts(root)
    assert {"Extension available", "Bridging extension needed", "Joint start window"} <= set(labels)


def test_ids_take_the_chart_id_and_refuse_anything_else():
    _, root = render(chart_id="landscape-2")
    assert root.get("aria-labelledby") == "landscape-2-title landscape-2-desc"
    with pytest.raises(ValueError):
        render(chart_id='x" onload="alert(1)')


def test_names_sit_clear_of_the_cohort_tint_and_no_label_stands_under_the_plot():
    _, root = render()
    rows_bottom = charts.ROWS_TOP + charts.ROW_HEIGHT * len(WINDOWS)
    tints = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == charts.BAND]
    assert tints
    for tint in tints:
        offset = (float(tint.get("y")) - charts.ROWS_TOP) % charts.ROW_HEIGHT
        assert offset >= charts.NAME_LINE  # below the row's name line
    under = [
        t.text
        for t in root.iter(f"{SVG}text")
        if rows_bottom < float(t.get("y")) < rows_bottom + charts.LEGEND_LINE
    ]
    assert under == []
