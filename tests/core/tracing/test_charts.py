"""The dashboard's SVG line charts: points, gaps, scale, labels and escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest

from agenta.core.tracing.charts import HEIGHT, Chart, Series, line_chart, nice_ceiling, x_of, y_of

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ElementTree.Element:
    """The chart as XML (proves it is well formed); the namespace is added for parsing."""
    return ElementTree.fromstring(
        str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def chart(*series: Series, labels: list[str] | None = None) -> Chart:
    count = len(series[0].values)
    return Chart("requests", "Requests", labels or [f"t{i}" for i in range(count)], series)


def test_each_present_value_is_one_point_of_its_series() -> None:
    svg = parsed(line_chart(chart(Series("requests", [1.0, 4.0, 2.0, 0.0, 3.0]))))

    [group] = svg.findall(f".//{SVG}g[@data-series='requests']")
    assert len(group.findall(f"{SVG}circle")) == 5
    [line] = group.findall(f"{SVG}polyline")
    assert len(line.get("points", "").split()) == 5


def test_a_missing_value_breaks_the_line_and_has_no_point() -> None:
    svg = parsed(line_chart(chart(Series("p95", [1.0, 2.0, None, 5.0, 6.0, None, 7.0]))))

    [group] = svg.findall(f".//{SVG}g[@data-series='p95']")
    lines = [line.get("points", "").split() for line in group.findall(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2, 2]  # the lone last value has no line
    assert len(group.findall(f"{SVG}circle")) == 5


def test_points_are_scaled_from_zero_to_a_round_maximum() -> None:
    markup = line_chart(chart(Series("requests", [0.0, 37.0])))
    circles = re.findall(r'<circle class="point" cx="([\d.]+)" cy="([\d.]+)"', markup)

    assert [float(y) for _, y in circles] == [round(y_of(0, 50), 1), round(y_of(37, 50), 1)]
    assert [float(x) for x, _ in circles] == [round(x_of(0, 2), 1), round(x_of(1, 2), 1)]
    assert ">50<" in markup and ">25<" in markup and ">0<" in markup  # the axis labels


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (0.3, 0.5), (1, 1), (37, 50), (101, 200), (2400, 2500)]
)
def test_the_axis_maximum_is_a_round_number(value: float, ceiling: float) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_tooltips_name_the_bucket_and_the_formatted_value() -> None:
    markup = line_chart(
        Chart(
            "cost",
            "Cost",
            ["01-01 00:00", "01-01 01:00"],
            [Series("cost", [0.5, 1.25])],
            lambda v: f"${v:.2f}",
        )
    )

    assert "<title>01-01 01:00: $1.25</title>" in markup


def test_several_series_get_a_legend_and_their_own_classes() -> None:
    svg = parsed(line_chart(chart(Series("p50", [1.0, 2.0]), Series("p95", [3.0, 9.0]))))

    names = [group.get("data-series") for group in svg.iter(f"{SVG}g") if group.get("data-series")]
    assert names == ["p50", "p95"]
    legend = [
        text.text
        for group in svg.iter(f"{SVG}g")
        if group.get("class") == "legend"
        for text in group.iter(f"{SVG}text")
    ]
    assert legend == ["p50", "p95"]


def test_text_in_a_chart_is_escaped() -> None:
    markup = line_chart(
        Chart("x", "<b>Title</b>", ["<i>", "b&c"], [Series('"quoted"', [1.0, 2.0])])
    )

    assert "<b>" not in markup and "<i>" not in markup
    assert "&lt;b&gt;Title&lt;/b&gt;" in markup and "b&amp;c" in markup
    parsed(markup)


def test_a_single_bucket_sits_in_the_middle() -> None:
    svg = parsed(line_chart(chart(Series("requests", [4.0]))))

    [circle] = svg.iter(f"{SVG}circle")
    assert float(circle.get("cx", "0")) == round(x_of(0, 1), 1)
    assert 0 < float(circle.get("cy", "0")) < HEIGHT


def test_series_and_labels_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="series 'requests' has 2 values for 3 labels"):
        line_chart(chart(Series("requests", [1.0, 2.0]), labels=["a", "b", "c"]))
