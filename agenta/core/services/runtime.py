"""The services' per-process state: one LLM client, and the traces still being written.

One ``LLMClient`` serves every invocation of the process, so the provider SDK clients and their
connection pools are reused across requests; it is closed when the platform stops. Traces are
written after the response has gone (``TraceWriter``), through the project's redaction rules
(kept by the tracing runtime), and the platform waits for the ones in flight before it closes
the database.
"""

from __future__ import annotations

import uuid

from agenta.core.services.trace_writer import TraceWriter
from agenta.core.tracing import Span, redact_spans
from agenta.core.tracing.runtime import runtime_of as tracing_runtime
from agenta.llm import LLMClient
from agenta.platform import Platform

LLM_CLIENT_KEY = "llm.client"
TRACE_WRITER_KEY = "services.traces"


async def _close_client(client: LLMClient) -> None:
    await client.aclose()


async def _drain(writer: TraceWriter) -> None:
    await writer.drain()


def llm_client(platform: Platform) -> LLMClient:
    """The process's LLM client (closed when the platform stops)."""
    return platform.service(LLM_CLIENT_KEY, LLMClient, close=_close_client)


def trace_writer(platform: Platform) -> TraceWriter:
    """The process's trace writer (drained when the platform stops)."""

    async def redact(project_id: uuid.UUID, spans: list[Span]) -> list[Span]:
        redactor = await tracing_runtime(platform).redactors.get(project_id)
        return redact_spans(spans, redactor)

    return platform.service(
        TRACE_WRITER_KEY, lambda: TraceWriter(platform.db, redact=redact), close=_drain
    )
