"""From an OTLP export to scores: traces sent to the app are stored, then scored once by a rule."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from agenta.core.online.jobs import evaluate_rules
from agenta.core.tracing.annotations import AnnotationFilter, query_annotations
from agenta.core.tracing.models import SpanRecord
from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.online.conftest import Factory, claims_of, job_context
from tests.support.accounts import Persona


def otlp_export(answers: list[str]) -> bytes:
    """One root span per answer, started now, in OTLP/JSON."""
    now = time.time_ns()
    spans = [
        {
            "traceId": uuid.uuid4().hex,
            "spanId": uuid.uuid4().hex[:16],
            "name": "answer",
            "kind": 2,
            "startTimeUnixNano": str(now - 2_000_000_000),
            "endTimeUnixNano": str(now - 1_000_000_000),
            "attributes": [
                {"key": "ag.type.node", "value": {"stringValue": "workflow"}},
                {"key": "ag.data.inputs.question", "value": {"stringValue": "Capital?"}},
                {"key": "ag.data.outputs", "value": {"stringValue": answer}},
            ],
        }
        for answer in answers
    ]
    scope = {"scope": {"name": "tests"}, "spans": spans}
    return json.dumps({"resourceSpans": [{"resource": {}, "scopeSpans": [scope]}]}).encode()


async def stored_roots(platform: Platform, project_id: uuid.UUID, expected: int) -> None:
    async with asyncio.timeout(20):
        while True:
            async with platform.db.session() as session:
                count = await session.scalar(
                    select(func.count()).where(
                        SpanRecord.project_id == project_id, SpanRecord.trace_type == "invocation"
                    )
                )
            if count == expected:
                return
            await asyncio.sleep(0.05)


async def scored_count(client: Any, owner: Persona, rule_id: uuid.UUID, expected: int) -> int:
    """The rule's scored traces in its metrics, once they reach ``expected`` (or after 20 s)."""
    count = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(20):
            while count != expected:
                metrics = await client.get(
                    f"/api/online/rules/{rule_id}/metrics?range=1h", headers=owner.headers
                )
                count = sum(b["count"] for b in metrics.json()["evaluators"]["says-paris"])
                await asyncio.sleep(0.05)
    return count


async def test_traces_sent_over_otlp_are_scored_on_the_traces_and_in_the_metrics(
    settings: Settings,
    make_client: Callable[..., Any],
    platform: Platform,
    owner: Persona,
    says_paris: Factory,
) -> None:
    evaluator = await says_paris()
    async with make_client(settings) as client:  # runs the embedded span consumer (and crons)
        created = await client.post(
            "/api/online/rules",
            json={"name": "live", "evaluator_ids": [str(evaluator)]},
            headers=owner.headers,
        )
        rule_id = uuid.UUID(created.json()["id"])
        sent = await client.post(
            "/api/otlp/v1/traces",
            content=otlp_export(["Paris", "Rome", "Paris"]),
            headers={**owner.headers, "Content-Type": "application/json"},
        )
        assert sent.status_code == 200, sent.text
        await stored_roots(platform, owner.project_id, 3)

        # The app's own minute cron may score them first (and still be writing a score when
        # this call skips the trace it claimed); either way each is scored once.
        await evaluate_rules(job_context(platform))
        scored = await scored_count(client, owner, rule_id, expected=3)
    assert scored == 3
    claims = Counter(claim.trace_id for claim in await claims_of(platform.db, rule_id))
    assert len(claims) == 3 and set(claims.values()) == {1}
    async with platform.db.session() as session:
        annotations = await query_annotations(
            session, owner.project_id, AnnotationFilter(origin="auto")
        )
    verdicts = sorted(a["data"]["outputs"]["success"] for a in annotations)
    assert verdicts == [False, True, True]
