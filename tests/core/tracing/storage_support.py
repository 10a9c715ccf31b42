"""Fixtures and helpers for the tracing server tests (storage, queues, query, routes).

Import the fixtures a test module needs from here (`from tests.core.tracing.storage_support
import ...  # noqa: F401`). They run on the database of the `platform` fixture, so every test
runs on SQLite and on Postgres.

- `stored_spans(db, project_id)`: every stored span of a project, by name;
- `llm_trace(...)`: a realistic trace (workflow root, chat children) as normalised spans;
- `request_trace(...)`: one request of a given length, outcome, cost and references;
- `tracing_client(...)`: the app with a persona's API key and a helper that waits until the
  embedded queue is empty.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from agenta.core.tracing.models import SpanBatch, SpanRecord
from agenta.core.tracing.normalize import normalize_span
from agenta.core.tracing.raw import RawSpan
from agenta.core.tracing.rows import span_from_row
from agenta.core.tracing.span import Span
from agenta.db import Database

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_ids = itertools.count(1)


def new_trace_id() -> str:
    """A fresh 32-hex trace id."""
    return uuid.uuid4().hex


def new_span_id() -> str:
    """A fresh 16-hex span id."""
    return f"{next(_ids):016x}"


def raw_span(
    name: str,
    *,
    trace_id: str,
    span_id: str | None = None,
    parent: str | None = None,
    start: float = 0.0,
    end: float = 1.0,
    attributes: dict[str, Any] | None = None,
    error: bool = False,
    at: datetime = EPOCH,
) -> RawSpan:
    """A decoded span, `start`/`end` in seconds after `at`."""
    return RawSpan(
        trace_id=trace_id,
        span_id=span_id or new_span_id(),
        parent_id=parent,
        name=name,
        kind="SPAN_KIND_INTERNAL",
        start_time=at + timedelta(seconds=start),
        end_time=at + timedelta(seconds=end),
        status_code="STATUS_CODE_ERROR" if error else "STATUS_CODE_UNSET",
        status_message="boom" if error else "",
        attributes=attributes or {},
    )


def chat_attributes(
    prompt: str = "What is the capital of France?",
    answer: str = "Paris",
    model: str = "gpt-4o-mini",
    tokens: tuple[int, int] = (12, 3),
) -> dict[str, Any]:
    """Attributes of a chat span as the Agenta SDK sends them."""
    return {
        "ag.type.node": "chat",
        "ag.data.inputs.prompt": f'@ag.type=json:[{{"role": "user", "content": "{prompt}"}}]',
        "ag.data.outputs.completion": answer,
        "ag.meta.response.model": model,
        "ag.metrics.unit.tokens.prompt": float(tokens[0]),
        "ag.metrics.unit.tokens.completion": float(tokens[1]),
    }


def llm_trace(
    *,
    trace_id: str | None = None,
    children: int = 2,
    at: datetime = EPOCH,
    root_attributes: dict[str, Any] | None = None,
    child_attributes: dict[str, Any] | None = None,
    error_child: bool = False,
    cost_fn: Callable[..., Any] | None = None,
    root_name: str = "generate",
) -> list[Span]:
    """A workflow root with `children` chat spans (named chat-0, chat-1, ...), normalised."""
    trace_id = trace_id or new_trace_id()
    root_id = new_span_id()
    root = raw_span(
        root_name,
        trace_id=trace_id,
        span_id=root_id,
        end=float(children + 1),
        at=at,
        attributes={
            "ag.type.node": "workflow",
            "ag.data.inputs.country": "France",
            "ag.data.outputs.__default__": "Paris",
            **(root_attributes or {}),
        },
    )
    raws = [root]
    for index in range(children):
        raws.append(
            raw_span(
                f"chat-{index}",
                trace_id=trace_id,
                parent=root_id,
                start=index + 0.1,
                end=index + 1.0,
                at=at,
                attributes={**chat_attributes(), **(child_attributes or {})},
                error=error_child and index == children - 1,
            )
        )
    return [normalize_span(raw, cost_fn) for raw in raws]


def request_trace(
    *,
    at: datetime = EPOCH,
    seconds: float = 1.0,
    cost: float = 0.0,
    failed: bool = False,
    references: dict[str, str] | None = None,
) -> list[Span]:
    """A workflow root lasting `seconds`, failed or not, over a chat span reporting `cost` USD.

    `references` are `ag.refs.*` attributes of the root, e.g. {"environment.slug": "prod"}.
    """
    trace_id, root_id = new_trace_id(), new_span_id()
    refs = {f"ag.refs.{key}": value for key, value in (references or {}).items()}
    root = raw_span(
        "request",
        trace_id=trace_id,
        span_id=root_id,
        end=seconds,
        at=at,
        error=failed,
        attributes={"ag.type.node": "workflow", **refs},
    )
    chat = raw_span(
        "chat",
        trace_id=trace_id,
        parent=root_id,
        end=seconds / 2,
        at=at,
        attributes={**chat_attributes(), "ag.metrics.unit.costs.total": cost},
    )
    return [normalize_span(raw) for raw in (root, chat)]


async def stored_spans(db: Database, project_id: uuid.UUID) -> dict[str, Span]:
    """Every stored span of the project, keyed by span name (names must be unique)."""
    async with db.session() as session:
        query = select(SpanRecord.__table__).where(SpanRecord.project_id == project_id)
        rows = (await session.execute(query)).mappings().all()
    spans = [span_from_row(row) for row in rows]
    by_name = {span.name: span for span in spans}
    assert len(by_name) == len(spans), "stored_spans needs unique span names"
    return by_name


async def span_count(db: Database, project_id: uuid.UUID | None = None) -> int:
    """How many spans are stored (in one project, or in all)."""
    query = select(func.count()).select_from(SpanRecord)
    if project_id is not None:
        query = query.where(SpanRecord.project_id == project_id)
    async with db.session() as session:
        return int(await session.scalar(query) or 0)


async def queued_batches(db: Database) -> int:
    """How many batches wait in the embedded queue."""
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(SpanBatch)) or 0)


def cumulative(span: Span, metric: str) -> Any:
    """`attributes.ag.metrics.<metric>.cumulative` of a span."""
    return span.attributes["ag"]["metrics"][metric]["cumulative"]


async def wait_for_spans(
    db: Database, project_id: uuid.UUID, expected: int, timeout: float = 20.0
) -> int:
    """Wait until the project has `expected` stored spans; returns the final count."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        count = await span_count(db, project_id)
        if count >= expected or asyncio.get_running_loop().time() > deadline:
            return count
        await asyncio.sleep(0.05)


def otlp_json_span(
    name: str, *, trace_id: str, span_id: str, attributes: dict[str, str] | None = None
) -> dict[str, Any]:
    """One span in OTLP/JSON spelling (string attributes only)."""
    return {
        "traceId": trace_id,
        "spanId": span_id,
        "name": name,
        "kind": 1,
        "startTimeUnixNano": "1767225600000000000",
        "endTimeUnixNano": "1767225601000000000",
        "attributes": [
            {"key": key, "value": {"stringValue": value}}
            for key, value in (attributes or {}).items()
        ],
    }


def otlp_json_body(*spans: dict[str, Any]) -> bytes:
    """An OTLP/JSON export request holding `spans`."""
    scope = {"scope": {"name": "tests"}, "spans": list(spans)}
    document = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [scope]}]}
    return json.dumps(document).encode()
