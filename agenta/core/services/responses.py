"""The answers of an invocation: one JSON body, or a stream of events (SSE or NDJSON).

Batch (``WorkflowBatchResponse`` of the original)::

    {"version", "status": {"code": 200, "message": "success"}, "trace_id", "span_id",
     "session_id"?, "data": {"outputs": ...}, "meta": {model, provider, usage, cost, attempts,
     finish_reason, latency_ms}}

An error answers with the failure's HTTP code and ``status: {code, type, message}`` (trace and
span ids still given, since the failed invocation is traced too).

A stream carries the same objects as events, each with a ``type``: ``start`` (ids), ``delta``
(``data.content`` and/or ``data.tool_calls`` pieces), then ``done`` (the batch body) or
``error`` (the error body). SSE frames each event as one ``data:`` line; NDJSON as one line.
Every answer carries ``x-ag-trace-id``, ``x-ag-span-id`` and a W3C ``traceparent``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from agenta.core.services.errors import ServiceFailure
from agenta.core.services.negotiation import SSE
from agenta.core.services.requests import VERSION
from agenta.core.services.traces import InvocationTrace
from agenta.llm import Completion, StreamDelta

_encoder = msgspec.json.Encoder()


def encode(body: Any) -> bytes:
    """JSON bytes of ``body``."""
    return _encoder.encode(body)


def trace_headers(trace: InvocationTrace) -> dict[str, str]:
    """The headers that tie a response to its trace."""
    headers = {
        "x-ag-version": VERSION,
        "x-ag-trace-id": trace.trace_id,
        "x-ag-span-id": trace.span_id,
        "traceparent": f"00-{trace.trace_id}-{trace.span_id}-01",
    }
    if trace.session_id:
        headers["x-ag-session-id"] = trace.session_id
    return headers


def _envelope(trace: InvocationTrace) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": VERSION,
        "trace_id": trace.trace_id,
        "span_id": trace.span_id,
    }
    if trace.session_id:
        body["session_id"] = trace.session_id
    return body


def batch_body(trace: InvocationTrace, outputs: Any) -> dict[str, Any]:
    """The successful answer."""
    body = _envelope(trace)
    body["status"] = {"code": 200, "message": "success"}
    body["data"] = {"outputs": outputs}
    if trace.completion is not None:
        body["meta"] = _meta(trace, trace.completion)
    return body


def error_body(trace: InvocationTrace, failure: ServiceFailure) -> dict[str, Any]:
    """The answer of a failed invocation."""
    body = _envelope(trace)
    body["status"] = failure.status()
    body["detail"] = failure.message
    return body


def _meta(trace: InvocationTrace, completion: Completion) -> dict[str, Any]:
    latency = None
    if trace.ended is not None:
        latency = round((trace.ended - trace.started).total_seconds() * 1000, 2)
    return {
        "model": completion.model,
        "provider": completion.provider,
        "usage": completion.usage.to_dict(),
        "cost": completion.cost,
        "attempts": completion.attempts,
        "finish_reason": completion.finish_reason,
        "latency_ms": latency,
    }


def start_event(trace: InvocationTrace) -> dict[str, Any]:
    """The first event of a stream."""
    return {"type": "start", **_envelope(trace)}


def delta_event(delta: StreamDelta) -> dict[str, Any] | None:
    """A piece of the answer, or None for a delta that carries nothing to show."""
    data: dict[str, Any] = {}
    if delta.content:
        data["content"] = delta.content
    if delta.tool_calls:
        data["tool_calls"] = delta.tool_calls
    if delta.finish_reason:
        data["finish_reason"] = delta.finish_reason
    return {"type": "delta", "data": data} if data else None


def done_event(trace: InvocationTrace, outputs: Any) -> dict[str, Any]:
    """The last event of a successful stream."""
    return {"type": "done", **batch_body(trace, outputs)}


def error_event(trace: InvocationTrace, failure: ServiceFailure) -> dict[str, Any]:
    """The last event of a failed stream."""
    return {"type": "error", **error_body(trace, failure)}


def frame(event: dict[str, Any], media_type: str) -> bytes:
    """One event on the wire: an SSE ``data:`` frame, or one NDJSON line."""
    if media_type == SSE:
        return b"data: " + encode(event) + b"\n\n"
    return encode(event) + b"\n"
