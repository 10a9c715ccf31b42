"""Ingestion: from an OTLP request body to a durably queued message.

    decode (otlp.py) -> normalise + price (normalize.py, costs.py)
        -> redact with the project's rules (redaction.py) -> queue (queue*.py)

Everything before the queue happens here, in the serve process, so the client learns at
once about spans it sent wrong (`partial_success`) and nothing unredacted is ever written,
not even to the queue. A span that normalisation cannot handle is rejected on its own,
with its reason, like a span the decoder rejected. Roll-ups are left to the consumer,
which must see every stored span of a trace anyway.

Decoding and normalising are CPU work; a large body is processed on a worker thread so
other requests keep being served meanwhile, a small one inline (a thread hop costs more
than it saves there). The cyclic garbage collector is paused while an export is prepared:
its thousands of new dicts and lists hold no reference cycles, yet they trigger collections
that scan the whole heap of the server, which doubled the cost of ingesting a span. The
queue message is encoded in the same pause, so the spans are gone before the collector
runs again: had they lived on while the message is queued, every export would promote
thousands of objects to the oldest generation and bring on full collections.
"""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from agenta.core.tracing.costs import price_table_cost
from agenta.core.tracing.messages import encode_message
from agenta.core.tracing.normalize import normalize_span
from agenta.core.tracing.otlp import decode_export_request
from agenta.core.tracing.raw import DecodeLimits, ExportBatch, describe_span
from agenta.core.tracing.redaction import Redactor, redact_spans
from agenta.core.tracing.runtime import TracingRuntime
from agenta.core.tracing.span import Span

INLINE_MAX_BYTES = 64 * 1024


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a burst of acyclic allocations."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class PreparedExport:
    """The queue message of the accepted spans (None when there are none), their count,
    and the reasons other spans of the export were rejected."""

    payload: bytes | None
    accepted: int
    rejected: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """The `partial_success.error_message` for the rejected spans ("" when none)."""
        return ExportBatch(rejected=self.rejected).summary()


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What became of one export."""

    accepted: int
    rejected: int
    message: str


def prepare_export(
    project_id: uuid.UUID,
    body: bytes,
    content_type: str | None,
    content_encoding: str | None,
    limits: DecodeLimits,
    redactor: Redactor,
) -> PreparedExport:
    """Decode, normalise, price, redact and encode one export body for `project_id`
    (raises `OTLPDecodeError`)."""
    with paused_gc():
        return _prepare(project_id, body, content_type, content_encoding, limits, redactor)


def _prepare(
    project_id: uuid.UUID,
    body: bytes,
    content_type: str | None,
    content_encoding: str | None,
    limits: DecodeLimits,
    redactor: Redactor,
) -> PreparedExport:
    spans, rejected = _normalized(body, content_type, content_encoding, limits)
    spans = redact_spans(spans, redactor)
    payload = encode_message(project_id, spans) if spans else None
    return PreparedExport(payload, len(spans), rejected)


def _normalized(
    body: bytes, content_type: str | None, content_encoding: str | None, limits: DecodeLimits
) -> tuple[list[Span], list[str]]:
    batch = decode_export_request(body, content_type, content_encoding, limits)
    rejected = list(batch.rejected)
    spans: list[Span] = []
    for raw in batch.spans:
        try:
            spans.append(normalize_span(raw, price_table_cost))
        except Exception as error:  # one odd span must not cost the others
            reason = f"{type(error).__name__}: {error}"
            rejected.append(f"{describe_span(raw.name, raw.span_id)} cannot be read ({reason})")
    return spans, rejected


async def ingest_export(
    runtime: TracingRuntime,
    project_id: uuid.UUID,
    body: bytes,
    content_type: str | None,
    content_encoding: str | None,
) -> IngestOutcome:
    """Prepare an export and queue its spans for `project_id`.

    Raises `OTLPDecodeError` (and subclasses) for unusable bodies, `QueueFull` or
    `QueueUnavailable` when the spans cannot be queued now.
    """
    redactor = await runtime.redactors.get(project_id)
    arguments = (project_id, body, content_type, content_encoding, runtime.decode_limits, redactor)
    if len(body) > INLINE_MAX_BYTES:
        prepared = await asyncio.to_thread(prepare_export, *arguments)
    else:
        prepared = prepare_export(*arguments)
    if prepared.payload is not None:
        await runtime.queue.put(project_id, prepared.payload, prepared.accepted)
    return IngestOutcome(prepared.accepted, len(prepared.rejected), prepared.message)
