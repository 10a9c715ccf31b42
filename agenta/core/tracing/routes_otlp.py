"""The OTLP/HTTP trace endpoint: `POST /api/otlp/v1/traces` (and the pre-v0.37 SDK alias
`/api/observability/v1/otlp/traces`).

- Bodies in protobuf (the default of every OpenTelemetry exporter) or OTLP/JSON, plain or
  gzip/deflate compressed; authenticated by API key in any accepted header form.
- Only the `Authorization` header authenticates an export, never a browser session: the
  route is therefore exempt from the CSRF check (a cross-site form could not use the
  visitor's cookies here anyway), and an export without credentials gets a 401 that says
  which header to send, with `WWW-Authenticate`, instead of the CSRF check's 403.
- The body is read up to `settings.tracing_otlp_max_bytes` (a declared Content-Length over
  it is refused before reading): 413 beyond; 400 with the reason when it cannot be read;
  415 for a media type or encoding OTLP does not allow.
- 200 once the spans are durably queued, with an `ExportTraceServiceResponse` in the
  request's format whose `partial_success` counts the spans rejected and says why.
- 503 with `Retry-After` when the queue is over its limit or unreachable: exporters retry.
- `GET` answers `{"status": "ready"}` without credentials, as Agenta does.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler

from agenta.core.access.errors import NotAuthenticated
from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.tracing.ingest import ingest_export
from agenta.core.tracing.otlp import (
    JSON_MEDIA_TYPE,
    PROTOBUF_MEDIA_TYPE,
    encode_export_response,
    encode_export_response_json,
)
from agenta.core.tracing.queue import QueueFull, QueueUnavailable
from agenta.core.tracing.raw import OTLPDecodeError, OTLPPayloadTooLarge
from agenta.core.tracing.runtime import runtime_of
from agenta.errors import error_body
from agenta.platform import Platform

PATHS = ["/api/otlp/v1/traces", "/api/observability/v1/otlp/traces"]
TAGS = ["observability"]


@get(PATHS, opt={"public": True}, tags=TAGS, sync_to_thread=False)
def otlp_ready() -> dict[str, str]:
    """The endpoint is up (no credentials needed)."""
    return {"status": "ready"}


async def api_key_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Refuse (401) an export that carries no `Authorization` header."""
    if "authorization" not in connection.headers:
        raise NotAuthenticated(
            "OTLP exports need a project API key: send it in the Authorization header "
            "as 'ApiKey <key>'"
        )


@post(
    PATHS,
    guards=[api_key_only, requires(Permission.EDIT_SPANS)],
    opt={"exclude_from_csrf": True},
    status_code=200,
    request_max_body_size=None,
    tags=TAGS,
)
async def export_traces(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
) -> Response[Any]:
    """Accept an OTLP trace export for the API key's project."""
    runtime = runtime_of(platform)
    content_type = request.headers.get("content-type")
    try:
        body = await read_body(request, runtime.decode_limits.max_body_bytes)
        outcome = await ingest_export(
            runtime,
            principal.project_id,
            body,
            content_type,
            request.headers.get("content-encoding"),
        )
    except OTLPDecodeError as error:
        return _error(error.status_code, f"Cannot accept this OTLP export: {error.reason}")
    except (QueueFull, QueueUnavailable) as error:
        message = f"Spans cannot be queued right now ({error}); retry later"
        return _error(503, message, {"Retry-After": str(error.retry_after)})
    if _is_json(content_type):
        content = encode_export_response_json(outcome.rejected, outcome.message)
        return Response(content, media_type=JSON_MEDIA_TYPE)
    content = encode_export_response(outcome.rejected, outcome.message)
    return Response(content, media_type=PROTOBUF_MEDIA_TYPE)


async def read_body(request: Request[Any, Any, Any], max_bytes: int) -> bytes:
    """The request body, refusing (413) anything over `max_bytes` without buffering it."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise OTLPPayloadTooLarge(f"body is {declared} bytes, over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes:
            raise OTLPPayloadTooLarge(f"body is over the {max_bytes}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _is_json(content_type: str | None) -> bool:
    return bool(content_type) and content_type.split(";", 1)[0].strip().lower() == JSON_MEDIA_TYPE


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(error_body(status, message), status_code=status, headers=headers)


ROUTES = [otlp_ready, export_traces]
