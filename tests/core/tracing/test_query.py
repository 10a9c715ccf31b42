"""Querying traces and spans: filters, time windows, sorting, keyset pages, project isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from agenta.core.tracing.costs import price_table_cost
from agenta.core.tracing.query import get_trace, query_spans, query_traces
from agenta.core.tracing.query_model import QueryError, SpanQuery, query_from_body
from agenta.core.tracing.store import write_spans
from agenta.core.tracing.trees import trace_response
from agenta.platform import Platform
from tests.core.tracing.storage_support import EPOCH, llm_trace
from tests.support.accounts import Persona

HOUR = timedelta(hours=1)


@pytest.fixture
async def traces(platform: Platform, owner: Persona, outsider: Persona) -> dict[str, str]:
    """Four traces an hour apart (t1 oldest) in the owner's project, one in the outsider's."""
    made = {
        "t1": llm_trace(
            at=EPOCH,
            root_attributes={
                "ag.refs.application.slug": "geo-qa",
                "ag.refs.environment.slug": "production",
                "ag.session.id": "s-1",
                "ag.user.id": "u-1",
            },
            cost_fn=price_table_cost,
        ),
        "t2": llm_trace(
            at=EPOCH + HOUR,
            root_attributes={
                "ag.refs.application.slug": "geo-qa",
                "ag.refs.environment.slug": "staging",
                "ag.session.id": "s-1",
            },
            child_attributes={"ag.meta.response.model": "gpt-4o"},
            error_child=True,
            cost_fn=price_table_cost,
        ),
        "t3": llm_trace(
            at=EPOCH + 2 * HOUR,
            children=3,
            root_attributes={"ag.refs.application.slug": "other", "ag.session.id": "s-2"},
            child_attributes={"ag.data.outputs.completion": "Bonjour le MONDE"},
            cost_fn=price_table_cost,
        ),
        "t4": llm_trace(at=EPOCH + 3 * HOUR, children=1, cost_fn=price_table_cost),
    }
    async with platform.db.session() as session:
        for spans in made.values():
            await write_spans(session, owner.project_id, spans)
        await write_spans(session, outsider.project_id, llm_trace(at=EPOCH + 4 * HOUR))
    return {name: spans[0].trace_id for name, spans in made.items()}


async def found(platform: Platform, owner: Persona, body: dict[str, Any]) -> list[str]:
    async with platform.db.session() as session:
        page = await query_traces(session, owner.project_id, query_from_body(body))
    return [span.trace_id for span in page.spans]


def named(traces: dict[str, str], *names: str) -> list[str]:
    return [traces[name] for name in names]


async def test_traces_are_listed_newest_first_by_default(platform, owner, traces) -> None:
    assert await found(platform, owner, {}) == named(traces, "t4", "t3", "t2", "t1")


async def test_a_time_window_bounds_the_trace_start(platform, owner, traces) -> None:
    window = {"oldest": (EPOCH + HOUR).isoformat(), "newest": (EPOCH + 2 * HOUR).isoformat()}

    assert await found(platform, owner, {"windowing": window}) == named(traces, "t3", "t2")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "error"}, ["t2"]),
        ({"model": "gpt-4o"}, ["t2"]),
        ({"application": "geo-qa"}, ["t2", "t1"]),
        ({"application": "geo-qa", "environment": "production"}, ["t1"]),
        ({"session_id": "s-1"}, ["t2", "t1"]),
        ({"user_id": "u-1"}, ["t1"]),
        ({"search": "bonjour le monde"}, ["t3"]),
        ({"min_tokens": 40}, ["t3"]),
        ({"max_latency_ms": 2500}, ["t4"]),
        ({"span_types": ["workflow"], "name": "GENER"}, ["t4", "t3", "t2", "t1"]),
        ({"min_cost": 0.0001}, ["t2"]),
    ],
)
async def test_trace_filters_select_the_traces_with_a_matching_span(
    platform, owner, traces, filters: dict[str, Any], expected: list[str]
) -> None:
    assert await found(platform, owner, {"filters": filters}) == named(traces, *expected)


async def test_the_agenta_filter_dsl_is_understood(platform, owner, traces) -> None:
    body = {
        "filtering": {
            "operator": "and",
            "conditions": [
                {"field": "status_code", "operator": "is", "value": "STATUS_CODE_ERROR"},
                {
                    "field": "references",
                    "operator": "in",
                    "value": [{"slug": "geo-qa", "attributes": {"key": "application"}}],
                },
                {
                    "field": "attributes",
                    "key": "ag.metrics.costs.cumulative.total",
                    "operator": "gt",
                    "value": 0.00001,
                },
                {
                    "field": "attributes",
                    "key": "ag.data.inputs.country",
                    "operator": "is",
                    "value": "France",
                },
            ],
        }
    }

    assert await found(platform, owner, body) == named(traces, "t2")


async def test_keyset_pages_cover_every_trace_once_in_both_orders(platform, owner, traces) -> None:
    for order, expected in (("descending", "t4 t3 t2 t1"), ("ascending", "t1 t2 t3 t4")):
        seen: list[str] = []
        cursor = None
        async with platform.db.session() as session:
            while True:
                windowing = {"limit": 1, "order": order, "next": cursor}
                page = await query_traces(
                    session, owner.project_id, query_from_body({"windowing": windowing})
                )
                seen += [span.trace_id for span in page.spans]
                if (cursor := page.next) is None:
                    break
        assert seen == named(traces, *expected.split())


async def test_traces_sort_by_tokens_then_by_trace_id(platform, owner, traces) -> None:
    body = {"sort": "tokens", "windowing": {"limit": 3}}

    # t3 has 45 tokens; t1 and t2 tie at 30, so the larger trace id comes first.
    tied = sorted(named(traces, "t1", "t2"), reverse=True)
    assert await found(platform, owner, body) == [traces["t3"], *tied]


async def test_spans_are_filtered_one_by_one(platform, owner, traces) -> None:
    query = query_from_body({"filters": {"span_types": ["chat"], "name": "CHAT-2"}})
    async with platform.db.session() as session:
        page = await query_spans(session, owner.project_id, query)

    assert [(span.trace_id, span.name) for span in page.spans] == [(traces["t3"], "chat-2")]


async def test_another_projects_traces_never_show(platform, owner, outsider, traces) -> None:
    async with platform.db.session() as session:
        theirs = await query_traces(session, outsider.project_id, SpanQuery())
        stolen = await get_trace(session, outsider.project_id, traces["t1"])

    assert len(theirs.spans) == 1
    assert theirs.spans[0].trace_id not in traces.values()
    assert stolen is None


async def test_a_trace_reads_back_as_a_tree_root_first(platform, owner, traces) -> None:
    async with platform.db.session() as session:
        tree = await get_trace(session, owner.project_id, traces["t3"])

    body = trace_response(tree)
    assert body["count"] == 1
    root = body["trace"]["spans"]["generate"]
    assert list(root["spans"]) == ["chat-0", "chat-1", "chat-2"]
    assert root["attributes"]["ag"]["metrics"]["tokens"]["cumulative"]["total"] == 45


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"filters": {"colour": "red"}}, "unknown filter 'colour'"),
        ({"filters": {"status": "broken"}}, "filters.status"),
        ({"filters": {"min_cost": "cheap"}}, "filters.min_cost must be a number"),
        ({"windowing": {"next": "garbage!"}}, "windowing.next"),
        ({"windowing": {"oldest": "yesterday"}}, "windowing.oldest"),
        ({"windowing": {"oldest": "2026-01-01T00:00:00"}}, "time zone"),
        ({"windowing": {"limit": 0}}, "windowing.limit"),
        ({"sort": "colour"}, "sort must be one of"),
        ({"filtering": {"conditions": [{"field": "colour"}]}}, "'colour' is not supported"),
        ({"filtering": {"operator": "or", "conditions": []}}, "'or' is not supported"),
    ],
)
def test_a_query_it_cannot_run_is_refused_with_the_reason(
    body: dict[str, Any], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        query_from_body(body)


async def test_a_numeric_filter_given_text_is_refused(platform, owner, traces) -> None:
    condition = {"field": "duration", "operator": "gt", "value": "slow"}
    query = query_from_body({"filtering": {"conditions": [condition]}})

    with pytest.raises(QueryError, match="duration compares with numbers"):
        async with platform.db.session() as session:
            await query_traces(session, owner.project_id, query)
