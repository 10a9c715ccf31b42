"""The trace of one invocation: a root span for the service and a child span for the model call.

An ``InvocationTrace`` collects what happened while the request runs (cheap assignments only);
``build_spans`` turns it into normalised ``Span`` objects later, off the request's path. The
spans are written as the official SDK would export them (``ag.*`` attributes) and go through
the same normalisation as ingested spans, so stored invocations read back like any other trace:

- root ``completion``/``chat`` (span type ``workflow``, trace type ``invocation``): inputs,
  outputs, the parameters run with, the references of the config (application, variant,
  revision, environment), the session id, and the error if the invocation failed;
- child ``llm`` (span type ``chat``): the rendered messages, the call parameters, the model
  that answered (a fallback, perhaps), tokens, cost, attempts and the finish reason.

Tokens, cost and latency reach the root through the tree roll-up done when spans are stored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agenta.core.services.errors import ServiceFailure
from agenta.core.tracing import Span, normalize_span
from agenta.core.tracing.raw import RawEvent, RawSpan
from agenta.llm import Completion, Usage, cost_of

OK = "STATUS_CODE_OK"
ERROR = "STATUS_CODE_ERROR"
SCOPE = "agenta.services"


def new_trace_id() -> str:
    """32 random hex digits."""
    return os.urandom(16).hex()


def new_span_id() -> str:
    """16 random hex digits."""
    return os.urandom(8).hex()


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class InvocationTrace:
    """What one invocation did, gathered as it runs."""

    kind: str
    inputs: dict[str, Any]
    trace_id: str = field(default_factory=new_trace_id)
    span_id: str = field(default_factory=new_span_id)
    llm_span_id: str = field(default_factory=new_span_id)
    started: datetime = field(default_factory=now)
    ended: datetime | None = None
    session_id: str | None = None
    parameters: dict[str, Any] | None = None
    references: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[dict[str, Any]] | None = None
    call_params: dict[str, Any] = field(default_factory=dict)
    llm_started: datetime | None = None
    llm_ended: datetime | None = None
    completion: Completion | None = None
    outputs: Any = None
    failure: ServiceFailure | None = None

    def finish(self, *, outputs: Any = None, failure: ServiceFailure | None = None) -> None:
        """Record how the invocation ended."""
        self.ended = now()
        self.outputs = outputs
        self.failure = failure


def build_spans(trace: InvocationTrace) -> list[Span]:
    """The normalised spans of ``trace``: the root, then the model call if one was made."""
    raw = [_root(trace)]
    if trace.llm_started is not None:
        raw.append(_llm(trace))
    return [normalize_span(span) for span in raw]


def _root(trace: InvocationTrace) -> RawSpan:
    attributes: dict[str, Any] = {
        "ag.type.trace": "invocation",
        "ag.type.span": "workflow",
        "ag.data.inputs": trace.inputs,
        "ag.meta.uri": f"agenta:builtin:{trace.kind}:v0",
    }
    if trace.parameters is not None:
        attributes["ag.data.parameters"] = trace.parameters
    if trace.failure is None:
        attributes["ag.data.outputs"] = trace.outputs
    if trace.session_id:
        attributes["ag.session.id"] = trace.session_id
    for entity, reference in trace.references.items():
        for name in ("id", "slug", "version"):
            if reference.get(name) is not None:
                attributes[f"ag.refs.{entity}.{name}"] = str(reference[name])
    end = trace.ended or now()
    return _span(
        trace.trace_id,
        trace.span_id,
        None,
        trace.kind,
        trace.started,
        end,
        attributes,
        trace.failure,
    )


def _llm(trace: InvocationTrace) -> RawSpan:
    attributes: dict[str, Any] = {
        "ag.type.trace": "invocation",
        "ag.type.span": "chat",
        "ag.data.inputs": {"prompt": trace.messages or []},
        "ag.data.parameters": trace.call_params,
    }
    completion = trace.completion
    if completion is not None:
        attributes.update(_completion_attributes(completion))
    failure = trace.failure if completion is None else None
    start = trace.llm_started or trace.started
    end = trace.llm_ended or trace.ended or now()
    return _span(
        trace.trace_id, trace.llm_span_id, trace.span_id, "llm", start, end, attributes, failure
    )


def _completion_attributes(completion: Completion) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "ag.data.outputs": {"completion": [completion.message()]},
        "ag.meta.response.model": completion.model,
        "ag.meta.response.provider": completion.provider,
        "ag.meta.response.finish_reason": completion.finish_reason,
        "ag.meta.response.attempts": completion.attempts,
    }
    usage = completion.usage
    for kind, count in _token_counts(usage).items():
        attributes[f"ag.metrics.unit.tokens.{kind}"] = count
    if completion.cost is not None:
        prompt_cost = _prompt_cost(completion)
        attributes["ag.metrics.unit.costs.prompt"] = prompt_cost
        attributes["ag.metrics.unit.costs.completion"] = max(completion.cost - prompt_cost, 0.0)
        attributes["ag.metrics.unit.costs.total"] = completion.cost
    return attributes


def _token_counts(usage: Usage) -> dict[str, int]:
    counts = {
        "prompt": usage.prompt_tokens,
        "completion": usage.completion_tokens,
        "total": usage.total_tokens,
    }
    extras = {
        "cached": usage.cached_tokens,
        "reasoning": usage.reasoning_tokens,
        "cache_write": usage.cache_write_tokens,
    }
    counts.update({kind: count for kind, count in extras.items() if count})
    return counts


def _prompt_cost(completion: Completion) -> float:
    """The input side of the cost: the same model priced without output tokens."""
    usage = completion.usage
    input_only = Usage(
        prompt_tokens=usage.prompt_tokens,
        cached_tokens=usage.cached_tokens,
        cache_write_tokens=usage.cache_write_tokens,
    )
    cost = cost_of(completion.model, input_only, provider=completion.provider)
    return min(cost or 0.0, completion.cost or 0.0)


def _span(
    trace_id: str,
    span_id: str,
    parent_id: str | None,
    name: str,
    start: datetime,
    end: datetime,
    attributes: dict[str, Any],
    failure: ServiceFailure | None,
) -> RawSpan:
    events = []
    if failure is not None:
        exception = {"exception.type": failure.kind, "exception.message": failure.message}
        events.append(RawEvent("exception", end, exception))
    return RawSpan(
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        name=name,
        kind="SPAN_KIND_SERVER" if parent_id is None else "SPAN_KIND_CLIENT",
        start_time=start,
        end_time=end,
        status_code=ERROR if failure is not None else OK,
        status_message=failure.message if failure is not None else "",
        attributes=attributes,
        events=events,
        scope_name=SCOPE,
    )
