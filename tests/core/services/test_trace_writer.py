"""The trace writer: traces are stored after the answer, batched per project, and a trace that
cannot be built never costs the others."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.services.trace_writer import TraceWriter
from agenta.core.tracing import Span
from agenta.platform import Platform

A, B = uuid.uuid4(), uuid.uuid4()


def span(name: str) -> Span:
    moment = datetime.now(UTC)
    return Span(
        trace_id=uuid.uuid4().hex,
        span_id=uuid.uuid4().hex[:16],
        parent_id=None,
        name=name,
        kind="SPAN_KIND_SERVER",
        span_type="workflow",
        trace_type="invocation",
        start_time=moment,
        end_time=moment,
        duration_ms=0.0,
        status_code="STATUS_CODE_OK",
        status_message="",
        attributes={},
    )


class RecordingStore:
    """Stands in for span storage: remembers each write (project, span names)."""

    def __init__(self) -> None:
        self.writes: list[tuple[uuid.UUID, list[str]]] = []

    async def __call__(
        self, session: AsyncSession, project_id: uuid.UUID, spans: list[Span]
    ) -> None:
        self.writes.append((project_id, [item.name for item in spans]))


def broken() -> list[Span]:
    raise ValueError("cannot build")


async def test_traces_submitted_together_are_written_in_one_batch_per_project(
    platform: Platform,
) -> None:
    store = RecordingStore()
    writer = TraceWriter(platform.db, store, delay=0.05)

    writer.submit(A, lambda: [span("a1")])
    writer.submit(B, lambda: [span("b1")])
    writer.submit(A, lambda: [span("a2")])
    assert store.writes == []  # nothing is written on the caller's path
    await writer.drain()

    assert sorted(store.writes) == sorted([(A, ["a1", "a2"]), (B, ["b1"])])


async def test_a_trace_that_cannot_be_built_is_dropped_alone(platform: Platform) -> None:
    store = RecordingStore()
    writer = TraceWriter(platform.db, store, delay=0.05)

    writer.submit(A, broken)
    writer.submit(A, lambda: [span("kept")])
    await writer.drain()

    assert store.writes == [(A, ["kept"])]


async def test_drain_writes_at_once_and_later_traces_start_a_new_batch(platform: Platform) -> None:
    store = RecordingStore()
    writer = TraceWriter(platform.db, store, delay=60)

    writer.submit(A, lambda: [span("first")])
    await writer.drain()
    writer.submit(A, lambda: [span("second")])
    await writer.drain()

    assert store.writes == [(A, ["first"]), (A, ["second"])]
