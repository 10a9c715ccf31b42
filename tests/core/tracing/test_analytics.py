"""Aggregates: sessions and users of traces, and the dashboard's time buckets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agenta.core.tracing.analytics import dashboard, list_groups, percentile
from agenta.core.tracing.query_model import QueryError, SpanQuery, query_from_body
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import EPOCH, llm_trace
from tests.support.accounts import Persona

HOUR = timedelta(hours=1)


@pytest.fixture
async def traffic(platform: Platform, owner: Persona) -> None:
    """Three traces in the first hour (2, 3 and 4 s long), a failed one in the third hour."""
    traces = [
        llm_trace(at=EPOCH, children=1, root_attributes={"ag.session.id": "s-1"}),
        llm_trace(
            at=EPOCH + timedelta(minutes=10),
            children=2,
            root_attributes={"ag.session.id": "s-1", "ag.user.id": "ada"},
        ),
        llm_trace(
            at=EPOCH + timedelta(minutes=20),
            children=3,
            root_attributes={"ag.session.id": "s-2", "ag.user.id": "ada"},
        ),
        llm_trace(
            at=EPOCH + 2 * HOUR,
            children=1,
            error_child=True,
            root_attributes={"ag.user.id": "bob"},
        ),
    ]
    async with platform.db.session() as session:
        for spans in traces:
            await write_spans(session, owner.project_id, spans)


def window(hours: int) -> SpanQuery:
    return query_from_body(
        {"windowing": {"oldest": EPOCH.isoformat(), "newest": (EPOCH + hours * HOUR).isoformat()}}
    )


async def test_the_dashboard_buckets_requests_errors_latency_and_tokens(
    platform: Platform, owner: Persona, traffic: None
) -> None:
    async with platform.db.session() as session:
        buckets = await dashboard(session, owner.project_id, window(3), HOUR)

    assert [bucket.start for bucket in buckets] == [EPOCH, EPOCH + HOUR, EPOCH + 2 * HOUR]
    first, empty, last = buckets
    assert (first.requests, first.errors, first.tokens) == (3, 0, 90)
    assert first.latency_p50_ms == pytest.approx(3000.0)
    assert first.latency_p95_ms == pytest.approx(3900.0)
    assert (empty.requests, empty.latency_p50_ms) == (0, None)
    assert (last.requests, last.errors) == (1, 1)


async def test_the_dashboard_applies_filters(
    platform: Platform, owner: Persona, traffic: None
) -> None:
    query = query_from_body(
        {
            "windowing": {"oldest": EPOCH.isoformat(), "newest": (EPOCH + HOUR).isoformat()},
            "filters": {"session_id": "s-1"},
        }
    )
    async with platform.db.session() as session:
        [bucket] = await dashboard(session, owner.project_id, query, HOUR)

    assert bucket.requests == 2


async def test_the_dashboard_refuses_an_open_or_huge_window(platform: Platform, owner) -> None:
    async with platform.db.session() as session:
        with pytest.raises(QueryError, match=r"oldest and windowing\.newest"):
            await dashboard(session, owner.project_id, SpanQuery(), HOUR)
        with pytest.raises(QueryError, match="too many"):
            await dashboard(session, owner.project_id, window(3), timedelta(seconds=1))


async def test_sessions_sum_their_traces_most_recent_first(
    platform: Platform, owner: Persona, traffic: None
) -> None:
    async with platform.db.session() as session:
        page = await list_groups(session, owner.project_id, SpanQuery(), "session_id")

    assert [(group.id, group.traces, group.tokens) for group in page.groups] == [
        ("s-2", 1, 45),
        ("s-1", 2, 45),
    ]
    s1 = page.groups[1]
    assert (s1.first_seen, s1.last_seen) == (EPOCH, EPOCH + timedelta(minutes=10))
    assert s1.duration_ms == pytest.approx(5000.0)


async def test_users_page_through_with_a_cursor(
    platform: Platform, owner: Persona, traffic: None
) -> None:
    seen: list[tuple[str, int, int]] = []
    cursor = None
    async with platform.db.session() as session:
        while True:
            query = query_from_body({"windowing": {"limit": 1, "next": cursor}})
            page = await list_groups(session, owner.project_id, query, "user_id")
            seen += [(group.id, group.traces, group.errors) for group in page.groups]
            if (cursor := page.next) is None:
                break

    assert seen == [("bob", 1, 1), ("ada", 2, 0)]


def test_percentiles_interpolate_like_percentile_cont() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
