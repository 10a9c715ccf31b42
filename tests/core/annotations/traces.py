"""Stored traces for the annotation and online evaluation tests.

``store_trace`` writes one invocation trace (a workflow root with its inputs and output, as the
Agenta SDK records them, optionally referencing an application and environment) through the
tracing service's ``write_spans``, and returns its trace id.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from agenta.core.tracing.normalize import normalize_span
from agenta.core.tracing.raw import RawSpan
from agenta.core.tracing.store import write_spans
from agenta.db import Database


async def store_trace(
    db: Database,
    project_id: uuid.UUID,
    *,
    question: str = "What is the capital of France?",
    answer: str = "Paris",
    at: datetime | None = None,
    error: bool = False,
    application: str | None = None,
    environment: str | None = None,
    name: str = "answer",
    trace_id: str | None = None,
    inputs: dict[str, Any] | None = None,
) -> str:
    """Store a one-span invocation trace; returns its trace id."""
    trace_id = trace_id or uuid.uuid4().hex
    start = at or datetime.now(UTC) - timedelta(seconds=5)
    attributes: dict[str, Any] = {
        "ag.type.node": "workflow",
        "ag.data.outputs.__default__": answer,
    }
    for key, value in (inputs or {"question": question}).items():
        attributes[f"ag.data.inputs.{key}"] = value
    if application:
        attributes["ag.refs.application.slug"] = application
    if environment:
        attributes["ag.refs.environment.slug"] = environment
    raw = RawSpan(
        trace_id=trace_id,
        span_id=uuid.uuid4().hex[:16],
        parent_id=None,
        name=name,
        kind="SPAN_KIND_SERVER",
        start_time=start,
        end_time=start + timedelta(milliseconds=250),
        status_code="STATUS_CODE_ERROR" if error else "STATUS_CODE_UNSET",
        status_message="boom" if error else "",
        attributes=attributes,
    )
    async with db.session() as session:
        await write_spans(session, project_id, [normalize_span(raw)])
    return trace_id
