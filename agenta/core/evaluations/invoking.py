"""Invoke an application revision on one test case, through the services layer.

A run invokes the built-in services (completion, chat) in-process, not over HTTP: the same
``prepare_call`` (render the prompt, resolve the models against the project's connections),
``run_batch`` (the call, with the prompt's retries and fallbacks) and ``InvocationTrace`` (the
spans a served invocation records) as ``POST /services/.../invoke``. The config is read once per
slice of the run (``AppTarget``) instead of once per row.

An ``Invocation`` is what a cell stores: outputs or the typed error, the trace id and its spans
(written with the cell, in one transaction), latency, tokens and cost. With the response cache
on, an identical request (same model, parameters and rendered messages) reuses the stored
answer: it costs nothing and its cell says it was cached. Rate-limit refusals go through the
run's ``RateGate`` before they count as an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from agenta.core.evaluations.llm_access import ProjectModels
from agenta.core.services.errors import failure_from
from agenta.core.services.handlers import PreparedCall, ServiceKind, outputs_of, prepare_call
from agenta.core.services.invocation import credentials_of
from agenta.core.services.traces import InvocationTrace, build_spans, now
from agenta.core.tracing import Span
from agenta.llm import Completion

CacheLookup = Callable[[str], Awaitable[Completion | None]]


@dataclass(frozen=True)
class AppTarget:
    """One application revision a run invokes, with the config it runs."""

    revision_id: uuid.UUID
    kind: ServiceKind
    parameters: dict[str, Any]
    references: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Invocation:
    """The outcome of invoking one test case."""

    outputs: Any = None
    error: str | None = None
    error_type: str | None = None
    trace_id: str | None = None
    spans: list[Span] = field(default_factory=list)
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    cached: bool = False
    cache_key: str | None = None
    completion: Completion | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


async def invoke(
    models: ProjectModels,
    target: AppTarget,
    inputs: dict[str, Any],
    *,
    cache: CacheLookup | None = None,
    cache_key_of: Callable[[PreparedCall], str] | None = None,
) -> Invocation:
    """Run ``target`` on ``inputs``; failures come back as an ``Invocation`` with ``error``."""
    trace = InvocationTrace(target.kind, dict(inputs))
    trace.parameters = target.parameters
    trace.references = target.references
    call: PreparedCall | None = None
    result = Invocation()
    try:
        call = prepare_call(
            target.kind,
            target.parameters,
            inputs,
            connections=models.connections,
            env=models.env,
            timeout=models.timeout,
        )
        trace.messages = call.rendered.messages
        primary = call.plan.targets[0]
        trace.call_params = {"model": primary.model.name, **primary.config.call_params()}
        outputs = await _answer(models, call, trace, result, cache, cache_key_of)
    except Exception as error:
        failure = failure_from(error)
        if call is not None:
            failure = failure.scrubbed(credentials_of(call))
        trace.finish(failure=failure)
        result.error, result.error_type = failure.message, failure.kind
    else:
        trace.finish(outputs=outputs)
        result.outputs = outputs
    return _finished(result, trace)


async def _answer(
    models: ProjectModels,
    call: PreparedCall,
    trace: InvocationTrace,
    result: Invocation,
    cache: CacheLookup | None,
    cache_key_of: Callable[[PreparedCall], str] | None,
) -> Any:
    if cache is not None and cache_key_of is not None:
        result.cache_key = cache_key_of(call)
        cached = await cache(result.cache_key)
        if cached is not None:
            result.cached = True
            trace.llm_started = trace.llm_ended = now()
            trace.completion = cached
            return outputs_of(call, cached)
    trace.llm_started = now()
    try:
        completion = await models.gate.call(lambda: models.client.complete(call.plan))
    finally:
        trace.llm_ended = now()
    trace.completion = completion
    return outputs_of(call, completion)


def _finished(result: Invocation, trace: InvocationTrace) -> Invocation:
    result.trace_id = trace.trace_id
    result.spans = build_spans(trace)
    ended = trace.ended or now()
    result.latency_ms = (ended - trace.started).total_seconds() * 1000
    completion = trace.completion
    if completion is not None:
        result.completion = completion
        result.prompt_tokens = completion.usage.prompt_tokens
        result.completion_tokens = completion.usage.completion_tokens
        result.cost = 0.0 if result.cached else completion.cost or 0.0
    return result
