"""The SVG charts (homeward/reporting/charts.py): accessible, no inline styles, drawn to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from homeward.reporting import charts
from homeward.reporting.charts import Series

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def drawn(root: ET.Element, tag: str = "rect") -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if e.get("data-value") is not None]


def column(values, *, series_names=("This year",), **kw):
    series = [Series(name, vals) for name, vals in zip(series_names, values)]
    cats = [f"Cat {i}" for i in range(len(values[0]))]
    return charts.column_chart(chart_id="c1", title="Episodes by month", categories=cats, series=series, **kw)


def test_a_chart_is_an_image_named_by_its_title_and_described_by_its_desc():
    root = parse(column([[3, 6, 0]], summary="episodes in each month"))
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title.get("id") == "c1-title" and title.text == "Episodes by month"
    assert desc.get("id") == "c1-desc" and "episodes in each month" in desc.text
    assert "table after the chart" in desc.text
    assert root.get("viewBox", "").startswith("0 0 ")


@pytest.mark.parametrize("make", [
    lambda: column([[3, 6, 0], [1, "<5", None]], series_names=("2025", "2024")),
    lambda: charts.bar_chart(chart_id="b", title="Reasons", categories=["A", "B"], series=[Series("All", [4, 2])]),
    lambda: charts.line_chart(chart_id="l", title="Children", categories=["Jan", "Feb", "Mar"],
                              series=[Series("2025", [1, 2, 3]), Series("2024", [3, "<5", 1])]),
])
def test_no_element_has_a_style_attribute_or_a_style_element(make):
    svg = str(make())
    root = parse(svg)
    assert all(e.get("style") is None for e in root.iter())
    assert not list(root.iter(SVG + "style"))
    assert "<script" not in svg and "style=" not in svg


def test_bar_heights_are_proportional_to_the_values():
    root = parse(column([[3, 6, 0, 12]]))
    bars = drawn(root)
    assert [b.get("data-value") for b in bars] == ["3", "6", "0", "12"]
    heights = [float(b.get("height")) for b in bars]
    assert heights[2] == 0
    ratio = heights[0] / 3
    for bar, value in zip(heights, (3, 6, 0, 12)):
        assert bar == pytest.approx(ratio * value, abs=0.11)
    # all bars stand on the same baseline
    baselines = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}
    assert len(baselines) == 1


def test_the_axis_top_is_a_round_number_at_or_above_the_largest_value():
    assert [charts.nice_top(v) for v in (0, 1, 2, 3, 7, 10, 11, 45, 120, 999)] == \
        [1, 1, 2, 5, 10, 10, 20, 50, 200, 1000]
    assert charts.ticks(10) == [0, 2, 4, 6, 8, 10]
    assert charts.ticks(20) == [0, 4, 8, 12, 16, 20]
    assert charts.ticks(1) == [0, 1]
    assert charts.ticks(2) == [0, 1, 2]


def test_the_largest_bar_reaches_at_most_the_top_of_the_plot():
    root = parse(column([[10, 5]]))
    tallest = max(float(b.get("height")) for b in drawn(root))
    top_tick = max(float(t.text.replace(",", "")) for t in root.iter(SVG + "text")
                   if t.get("text-anchor") == "end" and t.text and t.text.replace(",", "").isdigit())
    assert top_tick == 10
    assert tallest == pytest.approx(300 - 44 - 40, abs=0.2)  # the plot's full height


def test_grouped_columns_draw_one_bar_per_series_in_each_group_with_a_legend():
    root = parse(column([[3, 6], [4, 1]], series_names=("Jan to Mar 2025", "Jan to Mar 2024")))
    bars = drawn(root)
    assert [(b.get("data-series"), b.get("data-category")) for b in bars] == [
        ("Jan to Mar 2025", "Cat 0"), ("Jan to Mar 2025", "Cat 1"),
        ("Jan to Mar 2024", "Cat 0"), ("Jan to Mar 2024", "Cat 1")]
    assert len({b.get("fill") for b in bars}) == 2
    legend = root.find(f"{SVG}g[@class='hw-chart__legend']")
    assert [t.text for t in legend.iter(SVG + "text")] == ["Jan to Mar 2025", "Jan to Mar 2024"]
    # the second series' bar sits to the right of the first in its group
    assert float(bars[2].get("x")) > float(bars[0].get("x"))


def test_a_withheld_count_is_not_drawn_but_its_marker_is_written():
    root = parse(column([[3, "<5", 0]]))
    assert [b.get("data-value") for b in drawn(root)] == ["3", "0"]
    marks = drawn(root, "text")
    assert [(m.get("data-category"), m.text) for m in marks] == [("Cat 1", "<5")]
    assert "1 small count is withheld" in root.find(SVG + "desc").text


def test_a_line_chart_breaks_at_a_withheld_value_and_dashes_the_second_series():
    root = parse(charts.line_chart(chart_id="l", title="Children by month", categories=["Jan", "Feb", "Mar", "Apr"],
                                   series=[Series("2025", [1, 2, "<5", 3]), Series("2024", [2, 2, 2, 2])]))
    lines = list(root.iter(SVG + "polyline"))
    assert len(lines) == 2  # 2025: one segment of two points (the lone point after the gap is a dot only); 2024: one
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")
    points = [e for e in root.iter(SVG + "circle")]
    assert [c.get("data-value") for c in points] == ["1", "2", "3", "2", "2", "2", "2"]
    # higher values sit higher (smaller y)
    assert float(points[1].get("cy")) < float(points[0].get("cy"))


def test_a_horizontal_bar_chart_is_proportional_along_x():
    root = parse(charts.bar_chart(chart_id="b", title="Reasons", categories=["Contact", "Conflict", "School"],
                                  series=[Series("All", [8, 4, 2])]))
    widths = [float(b.get("width")) for b in drawn(root)]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.11) == pytest.approx(4 * widths[2], abs=0.21)
    assert [t.text for t in root.find(f"{SVG}g[@class='hw-chart__categories']")] == ["Contact", "Conflict", "School"]


def test_text_is_escaped():
    svg = charts.bar_chart(chart_id="x", title="A & B <c>", categories=["<script>"], series=[Series("S & T", [1])])
    root = parse(svg)
    assert root.find(SVG + "title").text == "A & B <c>"
    assert "<script>" not in str(svg)


def test_bad_data_is_refused():
    with pytest.raises(ValueError):
        charts.column_chart(chart_id="x", title="t", categories=["a", "b"], series=[Series("s", [1])])
    with pytest.raises(ValueError):
        charts.column_chart(chart_id="x", title="t", categories=["a"], series=[Series("s", [-1])])
    with pytest.raises(ValueError):
        charts.column_chart(chart_id="x", title="t", categories=["a"], series=[])
