"""Run one invocation: prepare it (config, connections, rendering), then call the model.

``prepare_invocation`` resolves everything before anything is sent to a provider, from the
registry's and the vault's caches (a database session is opened only on a cache miss), so no
transaction is open while the model answers. ``run_batch`` and ``stream_events`` make the call
and keep the ``InvocationTrace`` up to date as they go; the caller decides how to answer and
when the trace is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from agenta.core.access.principal import Principal
from agenta.core.secrets.runtime import cached_connections, vault_runtime
from agenta.core.services.configs import resolve_config
from agenta.core.services.errors import ServiceFailure, failure_from, missing_parameter
from agenta.core.services.handlers import PreparedCall, ServiceKind, outputs_of, prepare_call
from agenta.core.services.requests import InvokeRequest
from agenta.core.services.runtime import llm_client
from agenta.core.services.traces import InvocationTrace, now
from agenta.llm import LLMClient, StreamEnd, StreamEvent
from agenta.platform import Platform
from agenta.settings import Settings

DEFAULT_TIMEOUT_SECONDS = 120.0


def call_timeout(settings: Settings) -> float:
    """Seconds one provider request may take (``settings.extra["llm_timeout_seconds"]``)."""
    return float(settings.extra.get("llm_timeout_seconds", DEFAULT_TIMEOUT_SECONDS))


async def prepare_invocation(
    kind: ServiceKind,
    request: InvokeRequest,
    trace: InvocationTrace,
    *,
    principal: Principal,
    platform: Platform,
) -> PreparedCall:
    """Resolve the config and the project's connections, and plan the call."""
    config = await resolve_config(principal, platform, request)
    if config is None:
        raise missing_parameter(
            "data.parameters", "inline parameters, or references to a stored configuration"
        )
    trace.parameters = config.parameters
    trace.references = config.references
    runtime = vault_runtime(platform)
    connections = await cached_connections(platform, principal.project_id)
    call = prepare_call(
        kind,
        config.parameters,
        request.inputs,
        connections=connections,
        env=runtime.environment.for_calls(),
        timeout=call_timeout(platform.settings),
    )
    trace.messages = call.rendered.messages
    primary = call.plan.targets[0]
    trace.call_params = {"model": primary.model.name, **primary.config.call_params()}
    return call


def credentials_of(call: PreparedCall) -> list[str]:
    """The keys the call may send, so that no message can repeat them."""
    return [key for target in call.plan.targets if (key := target.model.credentials.api_key)]


def failed(error: Exception, trace: InvocationTrace, call: PreparedCall | None) -> ServiceFailure:
    """The typed failure for ``error`` (no key in its message); the trace ends with it."""
    failure = failure_from(error)
    if call is not None:
        failure = failure.scrubbed(credentials_of(call))
    trace.finish(failure=failure)
    return failure


async def invoke_once(
    kind: ServiceKind,
    request: InvokeRequest,
    trace: InvocationTrace,
    *,
    principal: Principal,
    platform: Platform,
) -> Any:
    """Prepare and make a non-streamed call: the outputs, or a raised ``ServiceFailure``.

    The trace is finished either way.
    """
    call = None
    try:
        call = await prepare_invocation(
            kind, request, trace, principal=principal, platform=platform
        )
        outputs = await run_batch(llm_client(platform), call, trace)
    except Exception as error:
        raise failed(error, trace, call) from error
    trace.finish(outputs=outputs)
    return outputs


async def run_batch(client: LLMClient, call: PreparedCall, trace: InvocationTrace) -> Any:
    """Make the call and return the service's outputs (raises ``ProviderError``)."""
    trace.llm_started = now()
    try:
        completion = await client.complete(call.plan)
    finally:
        trace.llm_ended = now()
    trace.completion = completion
    return outputs_of(call, completion)


async def stream_events(
    client: LLMClient, call: PreparedCall, trace: InvocationTrace
) -> AsyncIterator[StreamEvent]:
    """Stream the call, recording its end (the assembled completion) on the trace."""
    trace.llm_started = now()
    events = client.stream(call.plan)
    try:
        async for event in events:
            if isinstance(event, StreamEnd):
                trace.llm_ended = now()
                trace.completion = event.completion
            yield event
    finally:
        if trace.llm_ended is None:
            trace.llm_ended = now()
        await events.aclose()
