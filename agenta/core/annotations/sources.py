"""Where review items come from: traces (by id or by a trace explorer filter), spans, test cases.

Each source answers a list of ``ItemInput`` with the snapshot annotators see: for a trace its
root span's name, inputs and outputs; for a span the span's own; for a test case its row. A
filter is the trace explorer's URL state (``TraceFilters``), so "this filtered list" on the
observability page and the queue's source are the same thing; at most ``MAX_TRACES`` of the
matching traces are taken, newest first unless the filter sorts otherwise.

Runs and A/B pairs come from ``run_sources``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.annotations.models import SPAN, TESTCASE, TRACE
from agenta.core.annotations.queues import ItemInput
from agenta.core.testsets.revisions import get_revision_by_id
from agenta.core.testsets.storage import all_rows
from agenta.core.tracing.pages_filters import TraceFilters
from agenta.core.tracing.query import load_trees, query_traces
from agenta.core.tracing.query_model import MAX_LIMIT, QueryError
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import load_spans
from agenta.db import utcnow
from agenta.errors import AppError, NotFound

MAX_TRACES = MAX_LIMIT


async def traces_by_id(
    session: AsyncSession, project_id: uuid.UUID, trace_ids: Sequence[str]
) -> list[ItemInput]:
    """One item per trace, in the order given; an unknown trace id is a 404 naming it."""
    wanted = [_hex(trace_id, 32, "trace_id") for trace_id in trace_ids]
    trees = {tree.trace_id: tree for tree in await load_trees(session, project_id, wanted)}
    missing = [trace_id for trace_id in wanted if trace_id not in trees]
    if missing:
        raise NotFound(f"no trace {missing[0]} in this project")
    return [_trace_item(trees[trace_id].spans()[0]) for trace_id in wanted]


async def traces_by_filter(
    session: AsyncSession,
    project_id: uuid.UUID,
    params: Mapping[str, Any],
    limit: int = MAX_TRACES,
) -> list[ItemInput]:
    """One item per trace the explorer filter matches (at most ``limit``)."""
    if not 1 <= limit <= MAX_TRACES:
        raise AppError(f"limit must be from 1 to {MAX_TRACES}, got {limit}")
    filters = TraceFilters.from_params(params)
    try:
        query = replace(filters.query(utcnow(), limit=limit), cursor=None)
        found = await query_traces(session, project_id, query)
    except QueryError as error:
        raise AppError(f"the trace filter cannot be used: {error}") from None
    return [_trace_item(root) for root in found.spans]


async def spans_by_id(
    session: AsyncSession, project_id: uuid.UUID, spans: Sequence[Mapping[str, Any]]
) -> list[ItemInput]:
    """One item per ``{"trace_id", "span_id"}``; an unknown span is a 404 naming it."""
    wanted = [
        (_hex(s.get("trace_id"), 32, "trace_id"), _hex(s.get("span_id"), 16, "span_id"))
        for s in spans
    ]
    stored = await load_spans(session, project_id, {trace_id for trace_id, _ in wanted})
    by_key = {(span.trace_id, span.span_id): span for span in stored}
    items = []
    for key in wanted:
        span = by_key.get(key)
        if span is None:
            raise NotFound(f"no span {key[1]} in trace {key[0]} in this project")
        items.append(_span_item(span))
    return items


async def testcases_of(
    session: AsyncSession, project_id: uuid.UUID, testset_revision_id: uuid.UUID
) -> list[ItemInput]:
    """One item per row of a test set revision."""
    revision = await get_revision_by_id(session, project_id, testset_revision_id)
    rows = await all_rows(session, revision.id)
    return [
        ItemInput(
            kind=TESTCASE,
            content={"title": f"Row {row.position + 1}", "inputs": dict(row.data)},
            testcase_id=row.id,
        )
        for row in rows
    ]


def _trace_item(root: Span) -> ItemInput:
    return ItemInput(
        kind=TRACE,
        content=_span_content(root),
        trace_id=root.trace_id,
        span_id=root.span_id,
    )


def _span_item(span: Span) -> ItemInput:
    return ItemInput(
        kind=SPAN, content=_span_content(span), trace_id=span.trace_id, span_id=span.span_id
    )


def _span_content(span: Span) -> dict[str, Any]:
    return {
        "title": span.name,
        "inputs": span.inputs,
        "outputs": span.outputs,
        "started_at": span.start_time.isoformat(),
        "status": span.status_code,
    }


def _hex(value: Any, length: int, name: str) -> str:
    text = str(value or "").replace("-", "").lower()
    if len(text) != length or any(c not in "0123456789abcdef" for c in text):
        raise AppError(f"{name} must be {length} hex digits, got {value!r}")
    return text
