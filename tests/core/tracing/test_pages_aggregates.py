"""The sessions, users and dashboard pages through the test client."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.tracing.pages_dashboard import (
    aligned,
    axis_number,
    bucket_interval,
    interval_label,
)
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import EPOCH, llm_trace
from tests.support.accounts import Persona, login_as

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


async def store(platform: Platform, persona: Persona, *traces: list[Span]) -> None:
    async with platform.db.session() as session:
        for spans in traces:
            await write_spans(session, persona.project_id, spans)


async def traffic(platform: Platform, owner: Persona) -> None:
    """Three traces of session s-1 / user ada in the first hour, a failed one of bob later."""
    await store(
        platform,
        owner,
        llm_trace(at=EPOCH, root_attributes={"ag.session.id": "s-1", "ag.user.id": "ada"}),
        llm_trace(
            at=EPOCH + 10 * MINUTE, root_attributes={"ag.session.id": "s-1", "ag.user.id": "ada"}
        ),
        llm_trace(at=EPOCH + 20 * MINUTE, root_attributes={"ag.session.id": "s-2"}),
        llm_trace(at=EPOCH + 2 * HOUR, error_child=True, root_attributes={"ag.user.id": "bob"}),
    )


def groups(page: str) -> list[str]:
    return re.findall(r'<tr data-group="([^"]+)">', page)


async def test_the_sessions_view_groups_traces_and_links_to_them(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await traffic(platform, owner)
    await login_as(client, owner)

    page = await client.get("/observability/sessions")

    assert page.status_code == 200
    assert groups(page.text) == ["s-2", "s-1"]  # most recently active first
    row = page.text.split('<tr data-group="s-1">')[1].split("</tr>")[0]
    assert '<a href="/observability/traces?session_id=s-1">s-1</a>' in row
    assert '<td class="num">2</td>' in row  # two traces
    linked = await client.get("/observability/traces?session_id=s-1")
    assert len(re.findall(r'<tr data-trace="', linked.text)) == 2


async def test_the_users_view_keeps_the_filters_and_pages_through(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await traffic(platform, owner)
    await login_as(client, owner)

    first = await client.get("/observability/users?limit=1")
    next_link = re.search(r'<a href="([^"]+)" rel="next"', first.text)
    assert next_link is not None
    second = await client.get(next_link.group(1).replace("&amp;", "&"))
    errors_only = await client.get("/observability/users?status=error")

    assert groups(first.text) == ["bob"] and groups(second.text) == ["ada"]
    assert 'class="pill bad">1</span>' in first.text
    assert groups(errors_only.text) == ["bob"]
    assert 'href="/observability/traces?status=error&amp;user_id=bob"' in errors_only.text


async def test_a_bad_filter_on_a_group_view_is_named(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)

    page = await client.get("/observability/sessions?range=forever")

    assert page.status_code == 400
    assert "range must be one of" in page.text


async def test_the_dashboard_draws_one_point_per_bucket_of_the_window(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await traffic(platform, owner)
    await login_as(client, owner)
    since, until = EPOCH.isoformat(), (EPOCH + 3 * HOUR).isoformat()

    page = await client.get("/observability/dashboard", params={"since": since, "until": until})

    assert page.status_code == 200
    # Three hours in at most 60 points: five-minute buckets, 36 of them.
    for chart in ("requests", "errors", "tokens", "cost"):
        svg = re.search(rf'<svg class="chart"[^>]*data-chart="{chart}".*?</svg>', page.text, re.S)
        assert svg is not None, chart
        assert svg.group(0).count('<circle class="point"') == 36
    latency = re.search(r'data-chart="latency".*?</svg>', page.text, re.S)
    assert latency is not None
    assert latency.group(0).count('<circle class="point"') == 2 * 4  # p50 and p95, 4 buckets
    assert re.search(r"<dt>Requests</dt><dd>4</dd>", page.text)
    assert '1 <span class="muted">(25.0%)</span>' in page.text
    assert "one point per 5 minutes" in page.text


async def test_the_dashboard_shows_a_day_by_default_and_refuses_all_time(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)

    default = await client.get("/observability/dashboard")
    all_time = await client.get("/observability/dashboard?range=all")

    assert default.status_code == 200
    assert '<option value="24h" selected>' in default.text
    assert default.text.count('<svg class="chart"') == 5
    assert "one point per 1 hour" in default.text
    assert all_time.status_code == 400
    assert "the dashboard needs a time range" in all_time.text


def test_buckets_are_picked_to_fit_and_start_on_round_times() -> None:
    assert bucket_interval(EPOCH, EPOCH + HOUR) == MINUTE
    assert bucket_interval(EPOCH, EPOCH + 24 * HOUR) == HOUR
    assert bucket_interval(EPOCH, EPOCH + timedelta(days=30)) == timedelta(days=1)
    assert aligned(EPOCH + 7 * MINUTE + timedelta(seconds=5), 5 * MINUTE) == EPOCH + 5 * MINUTE
    assert interval_label(5 * MINUTE) == "5 minutes" and interval_label(HOUR) == "1 hour"


def test_axis_numbers_keep_the_fractions_of_small_scales() -> None:
    assert [axis_number(value) for value in (0.0, 0.5, 2.5, 5.0, 25_000.0)] == [
        "0",
        "0.5",
        "2.5",
        "5",
        "25,000",
    ]
