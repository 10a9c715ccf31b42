"""Window totals of requests for alert rules: failures, latency p95, cost, and their scope."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from agenta.core.tracing.analytics import TraceTotals, trace_totals
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import EPOCH, llm_trace, request_trace
from tests.support.accounts import Persona

HOUR = timedelta(hours=1)
GEO = str(uuid.UUID("0190f0a0-0000-7000-8000-00000000a001"))


@pytest.fixture
async def requests(platform: Platform, owner: Persona, outsider: Persona) -> None:
    """Four requests in the first hour (1 to 4 s, $0.01 to $0.04), others outside it."""
    made = [
        request_trace(
            at=EPOCH,
            seconds=1,
            cost=0.01,
            references={"application.id": GEO, "environment.slug": "production"},
        ),
        request_trace(
            at=EPOCH + timedelta(minutes=10),
            seconds=2,
            cost=0.02,
            failed=True,
            references={"application.id": GEO, "environment.slug": "staging"},
        ),
        request_trace(
            at=EPOCH + timedelta(minutes=20),
            seconds=3,
            cost=0.03,
            references={"application.slug": "other", "environment.slug": "production"},
        ),
        request_trace(at=EPOCH + timedelta(minutes=30), seconds=4, cost=0.04, failed=True),
        request_trace(at=EPOCH - timedelta(minutes=1), seconds=9, cost=1.0, failed=True),
        request_trace(at=EPOCH + HOUR, seconds=9, cost=1.0, failed=True),
    ]
    async with platform.db.session() as session:
        for spans in made:
            await write_spans(session, owner.project_id, spans)
        await write_spans(session, outsider.project_id, request_trace(at=EPOCH, failed=True))


async def totals(platform: Platform, owner: Persona, **scope: str | None) -> TraceTotals:
    async with platform.db.session() as session:
        return await trace_totals(session, owner.project_id, EPOCH, EPOCH + HOUR, **scope)


async def test_totals_count_failed_requests_and_sum_their_cost_in_the_window(
    platform: Platform, owner: Persona, requests: None
) -> None:
    found = await totals(platform, owner)

    assert (found.requests, found.failed) == (4, 2)
    assert found.cost == pytest.approx(0.10)
    assert found.latency_p95_ms == pytest.approx(3850.0)


async def test_totals_keep_one_application_by_id_or_slug(
    platform: Platform, owner: Persona, requests: None
) -> None:
    geo = await totals(platform, owner, application=GEO)
    other = await totals(platform, owner, application="other")

    assert (geo.requests, geo.failed, geo.cost) == (2, 1, pytest.approx(0.03))
    assert geo.latency_p95_ms == pytest.approx(1950.0)
    assert (other.requests, other.failed, other.latency_p95_ms) == (1, 0, pytest.approx(3000.0))


async def test_totals_keep_one_environment_and_both_scopes_together(
    platform: Platform, owner: Persona, requests: None
) -> None:
    production = await totals(platform, owner, environment="production")
    geo_production = await totals(platform, owner, application=GEO, environment="production")

    assert (production.requests, production.failed) == (2, 0)
    assert production.cost == pytest.approx(0.04)
    assert (geo_production.requests, geo_production.cost) == (1, pytest.approx(0.01))


async def test_an_empty_window_has_no_requests_and_no_latency(
    platform: Platform, owner: Persona, requests: None
) -> None:
    nothing = await totals(platform, owner, environment="nowhere")

    assert nothing == TraceTotals(requests=0, failed=0, latency_p95_ms=None, cost=0.0)


async def test_a_child_error_the_request_recovered_from_is_not_a_failed_request(
    platform: Platform, owner: Persona
) -> None:
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, llm_trace(at=EPOCH, error_child=True))

    found = await totals(platform, owner)

    assert (found.requests, found.failed) == (1, 0)
