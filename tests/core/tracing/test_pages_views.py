"""View models of the trace pages: the waterfall, the cost explanation, mapping and rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from agenta.core.tracing.costs import price_table_cost
from agenta.core.tracing.normalize import normalize_span
from agenta.core.tracing.pages_views import cost_view, mapping_view, trace_row, waterfall
from agenta.core.tracing.span import Cost, Span
from agenta.core.tracing.trees import build_trees
from tests.core.tracing.storage_support import raw_span

MakeSpan = Callable[..., Span]
CHAT = {
    "ag.type.node": "chat",
    "ag.meta.response.model": "gpt-4o-mini",
    "ag.metrics.unit.tokens.prompt": 1000.0,
    "ag.metrics.unit.tokens.completion": 500.0,
}


def test_the_waterfall_lists_spans_parents_first_with_depth_and_bars(make_span: MakeSpan) -> None:
    root = make_span("root", "a" * 16, start=0, end=4)
    child = make_span("child", "b" * 16, parent="a" * 16, start=1, end=2)
    late = make_span("late", "c" * 16, parent="b" * 16, start=3, end=5)  # outlives the root
    [tree] = build_trees([late, child, root])

    chart = waterfall(tree)

    assert [(row.span.name, row.depth, row.children) for row in chart.rows] == [
        ("root", 0, 1),
        ("child", 1, 1),
        ("late", 2, 0),
    ]
    assert chart.total_ms == 5000.0
    assert [(row.offset_pct, row.width_pct) for row in chart.rows] == [
        (0.0, 80.0),
        (20.0, 20.0),
        (60.0, 40.0),
    ]


def test_a_zero_length_trace_draws_full_width_bars(make_span: MakeSpan) -> None:
    [tree] = build_trees([make_span("instant", start=1, end=1)])

    [row] = waterfall(tree).rows

    assert (row.offset_pct, row.width_pct) == (0.0, 100.0)


def test_a_computed_cost_names_the_model_the_token_kinds_and_the_prices() -> None:
    priced = normalize_span(raw_span("chat", trace_id="a" * 32, attributes=CHAT), price_table_cost)

    view = cost_view(priced)

    assert view.source == "computed" and view.model == "gpt-4o-mini"
    assert view.total == priced.cost.total  # type: ignore[union-attr]
    assert view.tokens == (("prompt", 1000), ("completion", 500), ("total", 1500))
    assert [label for label, _ in view.prices] == ["input", "cached input", "output"]
    assert dict(view.prices)["output"] > dict(view.prices)["input"]


def test_cached_and_reasoning_tokens_are_listed_when_the_cost_used_them() -> None:
    span = Span(
        trace_id="a" * 32,
        span_id="b" * 16,
        parent_id=None,
        name="chat",
        kind="SPAN_KIND_CLIENT",
        span_type="chat",
        trace_type="invocation",
        start_time=datetime(2026, 1, 1, tzinfo=UTC),
        end_time=datetime(2026, 1, 1, tzinfo=UTC),
        duration_ms=0.0,
        status_code="STATUS_CODE_UNSET",
        status_message="",
        attributes={},
        model="o1",
        cost=None,
        cost_details={
            "source": "computed",
            "model": "o1",
            "tokens": {"prompt": 10, "completion": 8, "total": 18, "cached": 4, "reasoning": 6},
            "prices": {"input": 15.0, "output": 60.0, "cached_input": 7.5},
        },
    )
    view = cost_view(replace(span, cost=Cost(0.0001, 0.00048, 0.00058)))

    assert view.tokens == (
        ("prompt", 10),
        ("cached prompt (read from cache)", 4),
        ("completion", 8),
        ("reasoning (part of completion)", 6),
        ("total", 18),
    )
    assert view.prices == (("input", 15.0), ("cached input", 7.5), ("output", 60.0))


def test_a_reported_cost_and_a_missing_one_say_so(make_span: MakeSpan) -> None:
    reported = make_span("r", attributes={**CHAT, "ag.metrics.unit.costs.total": 0.25})
    unpriced = make_span("u", attributes={**CHAT, "ag.meta.response.model": "my-own-model"})
    no_tokens = make_span("n", attributes={"ag.type.node": "chat", "ag.meta.response.model": "x"})
    tool = make_span("t", attributes={"ag.type.node": "tool"})

    assert (cost_view(reported).source, cost_view(reported).total) == ("reported", 0.25)
    assert cost_view(unpriced).reason == "the price table has no price for my-own-model"
    assert cost_view(no_tokens).reason.startswith("no token counts were recorded")
    assert cost_view(tool).reason.startswith("a tool span is not a model call")


def test_the_mapping_view_lists_conventions_and_unmapped_keys(make_span: MakeSpan) -> None:
    span = make_span("s", attributes={"gen_ai.request.model": "gpt-4o", "vendor.trace.flag": "1"})

    view = mapping_view(span)

    assert view.conventions == ("gen_ai",)
    assert view.unmapped == ("vendor.trace.flag",)


def test_a_trace_row_reads_the_roots_totals(make_span: MakeSpan) -> None:
    root = make_span(
        "root",
        "a" * 16,
        end=3,
        attributes={"ag.data.inputs.q": "Capital?", "ag.refs.application.slug": "geo-qa"},
    )
    child = make_span(
        "chat", "b" * 16, parent="a" * 16, start=1, end=4, attributes=CHAT, error=True
    )
    build_trees([root, child])

    row = trace_row(root)

    assert (row.latency_ms, row.tokens, row.errors, row.is_error) == (4000.0, 1500, 1, True)
    assert row.inputs == "Capital?" and row.references == {"application": "geo-qa"}
