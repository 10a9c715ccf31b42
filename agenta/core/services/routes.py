"""The services' routes: ``/services/{completion|chat}/v0/{invoke,inspect,health}``, and the
legacy ``/services/{completion|chat}/{generate,...}`` adapted in ``legacy``.

``invoke`` is guarded by ``run_service`` (API key or browser session, like the REST API). It
negotiates the answer format first (406 before any work), prepares the call (from the
registry's and the vault's caches), then answers in one JSON body or a stream. Every
invocation, failed ones included, is traced; the trace is written after the answer
(``TraceWriter``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody
from litestar.response import Stream

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.services import legacy
from agenta.core.services.errors import ServiceFailure
from agenta.core.services.handlers import SERVICE_KINDS, ServiceKind
from agenta.core.services.inspection import inspect_service
from agenta.core.services.invocation import failed, invoke_once, prepare_invocation
from agenta.core.services.negotiation import Negotiated, NotAcceptable, negotiate
from agenta.core.services.requests import InvokeRequest, parse_invoke_body
from agenta.core.services.responses import batch_body, encode, error_body, trace_headers
from agenta.core.services.runtime import llm_client, trace_writer
from agenta.core.services.streaming import event_stream, open_stream
from agenta.core.services.traces import InvocationTrace, build_spans
from agenta.platform import Platform

RUN = [requires(Permission.RUN_SERVICE)]
TAGS = ["services"]


def session_id_of(request: Request[Any, Any, Any], body: InvokeRequest) -> str | None:
    """The session an invocation belongs to: the body, ``x-ag-session-id``, or W3C baggage."""
    if body.session_id:
        return body.session_id
    header = request.headers.get("x-ag-session-id")
    if header:
        return header[:200]
    for item in request.headers.get("baggage", "").split(","):
        name, _, value = item.strip().partition("=")
        if name == "ag.session.id" and value:
            return value[:200]
    return None


def _json(body: dict[str, Any], status: int, trace: InvocationTrace) -> Response[bytes]:
    return Response(
        encode(body),
        status_code=status,
        media_type="application/json",
        headers=trace_headers(trace),
    )


def _recorder(platform: Platform, principal: Principal) -> Callable[[InvocationTrace], None]:
    writer = trace_writer(platform)

    def record(trace: InvocationTrace) -> None:
        writer.submit(principal.project_id, lambda: build_spans(trace))

    return record


async def invoke(
    kind: ServiceKind,
    request: Request[Any, Any, Any],
    principal: Principal,
    platform: Platform,
    data: Any,
) -> Response[Any]:
    """Run one invocation of ``kind`` and answer it (see the module docstring)."""
    try:
        body = parse_invoke_body(data)
        negotiated = negotiate(request.headers.get("accept"), body.stream)
    except NotAcceptable as refusal:
        return Response(encode(refusal.body()), status_code=406, media_type="application/json")
    except ServiceFailure as failure:
        trace = InvocationTrace(kind, {})
        return _json(error_body(trace, failure), failure.code, trace)
    trace = InvocationTrace(kind, body.inputs, session_id=session_id_of(request, body))
    record = _recorder(platform, principal)
    try:
        if negotiated.stream:
            return await _streamed(kind, body, trace, principal, platform, negotiated, record)
        outputs = await invoke_once(kind, body, trace, principal=principal, platform=platform)
    except ServiceFailure as failure:
        record(trace)
        return _json(error_body(trace, failure), failure.code, trace)
    record(trace)
    return _json(batch_body(trace, outputs), 200, trace)


async def _streamed(
    kind: ServiceKind,
    body: InvokeRequest,
    trace: InvocationTrace,
    principal: Principal,
    platform: Platform,
    negotiated: Negotiated,
    record: Callable[[InvocationTrace], None],
) -> Stream:
    """Start a streamed answer once the first event is in (raises ``ServiceFailure`` before)."""
    call = None
    try:
        call = await prepare_invocation(kind, body, trace, principal=principal, platform=platform)
        opened = await open_stream(llm_client(platform), call, trace)
    except Exception as error:
        raise failed(error, trace, call) from error
    frames = event_stream(opened, call, trace, negotiated.media_type, record)
    # Proxies must pass each event on as it comes (nginx reads X-Accel-Buffering).
    headers = {**trace_headers(trace), "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Stream(frames, media_type=negotiated.media_type, headers=headers)


def _invoke_route(kind: ServiceKind) -> HTTPRouteHandler:
    async def invoke_service(
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        platform: NamedDependency[Platform],
        data: JSONBody[Any] = None,
    ) -> Response[Any]:
        return await invoke(kind, request, principal, platform, data)

    invoke_service.__doc__ = f"Run the built-in {kind} application (JSON, SSE or NDJSON)."
    return post(
        f"/services/{kind}/v0/invoke",
        guards=RUN,
        tags=TAGS,
        name=f"services-{kind}-invoke",
        status_code=200,
    )(invoke_service)


def _inspect_route(kind: ServiceKind) -> HTTPRouteHandler:
    async def inspect(
        principal: NamedDependency[Principal],
        platform: NamedDependency[Platform],
        data: JSONBody[Any] = None,
    ) -> Response[Any]:
        return await inspect_service(kind, principal, platform, data)

    inspect.__doc__ = f"Describe the built-in {kind} application and a ready-to-send request."
    return post(
        f"/services/{kind}/v0/inspect",
        guards=RUN,
        tags=TAGS,
        name=f"services-{kind}-inspect",
        status_code=200,
    )(inspect)


def _health_route(kind: ServiceKind) -> HTTPRouteHandler:
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return get(
        f"/services/{kind}/v0/health",
        opt={"public": True},
        tags=TAGS,
        name=f"services-{kind}-health",
    )(health)


ROUTES = [
    *(
        route
        for kind in SERVICE_KINDS
        for route in (_invoke_route(kind), _inspect_route(kind), _health_route(kind))
    ),
    *legacy.ROUTES,
]
