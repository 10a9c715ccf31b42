"""The OTLP endpoint in-process: formats, compression, credentials, bad bodies, backpressure."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.tracing.storage_support import (
    new_span_id,
    new_trace_id,
    otlp_json_body,
    otlp_json_span,
    queued_batches,
    stored_spans,
    wait_for_spans,
)
from tests.support.accounts import Persona, api_headers, csrf_headers, login_as

URL = "/api/otlp/v1/traces"
PATHS = [URL, "/api/observability/v1/otlp/traces"]
PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def headers(persona: Persona, extra: dict[str, str], scheme: str = "ApiKey") -> dict[str, str]:
    assert persona.api_key is not None
    return {**api_headers(persona.api_key, scheme), **extra}


async def test_an_sdk_export_is_stored_and_answered_with_an_empty_response(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, sdk_trace
) -> None:
    response = await client.post(URL, content=sdk_trace(), headers=headers(owner, PROTOBUF))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-protobuf"
    assert ExportTraceServiceResponse.FromString(response.content) == ExportTraceServiceResponse()
    assert await wait_for_spans(platform.db, owner.project_id, 2) == 2
    stored = await stored_spans(platform.db, owner.project_id)
    assert stored["litellm_client"].model == "gpt-4o-mini"
    assert stored["litellm_client"].cost is not None  # priced from the price table


@pytest.mark.parametrize("scheme", ["ApiKey", "Bearer", ""])
async def test_every_api_key_header_form_is_accepted(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, sdk_trace, scheme: str
) -> None:
    response = await client.post(URL, content=sdk_trace(), headers=headers(owner, PROTOBUF, scheme))

    assert response.status_code == 200, response.text
    assert await wait_for_spans(platform.db, owner.project_id, 2) == 2


async def test_the_older_sdk_path_is_an_alias(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, sdk_trace
) -> None:
    path = "/api/observability/v1/otlp/traces"
    response = await client.post(path, content=sdk_trace(), headers=headers(owner, PROTOBUF))

    assert response.status_code == 200
    assert await wait_for_spans(platform.db, owner.project_id, 2) == 2


async def test_a_json_export_gets_a_json_answer(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    trace_id = new_trace_id()
    body = otlp_json_body(
        otlp_json_span("root", trace_id=trace_id, span_id=new_span_id(), attributes={"k": "v"})
    )

    response = await client.post(URL, content=body, headers=headers(owner, JSON))

    assert response.status_code == 200
    assert response.json() == {}
    assert await wait_for_spans(platform.db, owner.project_id, 1) == 1
    assert (await stored_spans(platform.db, owner.project_id))["root"].trace_id == trace_id


async def test_a_gzip_export_is_accepted(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, sdk_trace
) -> None:
    compressed = {**PROTOBUF, "Content-Encoding": "gzip"}

    response = await client.post(
        URL, content=gzip.compress(sdk_trace()), headers=headers(owner, compressed)
    )

    assert response.status_code == 200
    assert await wait_for_spans(platform.db, owner.project_id, 2) == 2


async def test_rejected_spans_are_counted_in_partial_success(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    trace_id = new_trace_id()
    good = otlp_json_span("good", trace_id=trace_id, span_id=new_span_id())
    bad = otlp_json_span("bad", trace_id=trace_id, span_id="xyz")

    response = await client.post(
        URL, content=otlp_json_body(good, bad), headers=headers(owner, JSON)
    )

    assert response.status_code == 200
    partial = response.json()["partialSuccess"]
    assert partial["rejectedSpans"] == "1"
    assert "span id must be 16 hex characters" in partial["errorMessage"]
    assert await wait_for_spans(platform.db, owner.project_id, 1) == 1


@pytest.mark.parametrize(
    ("body", "extra", "reason"),
    [
        (b"\xff\xfe not protobuf at all", PROTOBUF, "Cannot accept this OTLP export"),
        (b'{"resourceSpans": [', JSON, "not valid JSON"),
        (gzip.compress(b"x" * 1000)[:20], {**PROTOBUF, "Content-Encoding": "gzip"}, "truncated"),
    ],
    ids=["garbage", "broken-json", "truncated-gzip"],
)
async def test_an_unreadable_body_is_refused_with_the_reason(
    client: AsyncTestClient[Any], owner: Persona, body: bytes, extra: dict[str, str], reason: str
) -> None:
    response = await client.post(URL, content=body, headers=headers(owner, extra))

    assert response.status_code == 400
    assert reason in response.json()["message"]


async def test_a_truncated_protobuf_body_is_refused(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, sdk_trace
) -> None:
    body = sdk_trace()

    response = await client.post(
        URL, content=body[: len(body) // 2], headers=headers(owner, PROTOBUF)
    )

    assert response.status_code == 400
    assert await queued_batches(platform.db) == 0


async def test_an_unknown_media_type_is_refused(
    client: AsyncTestClient[Any], owner: Persona, sdk_trace
) -> None:
    response = await client.post(
        URL, content=sdk_trace(), headers=headers(owner, {"Content-Type": "text/plain"})
    )

    assert response.status_code == 415
    assert "text/plain" in response.json()["message"]


@pytest.mark.parametrize("path", PATHS)
async def test_an_export_with_an_unknown_key_is_refused(
    client: AsyncTestClient[Any], platform: Platform, sdk_trace, path: str
) -> None:
    unknown = {**PROTOBUF, **api_headers("ag-not-a-real-key")}

    response = await client.post(path, content=sdk_trace(), headers=unknown)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "ApiKey"
    assert await queued_batches(platform.db) == 0


@pytest.mark.parametrize("path", PATHS)
async def test_an_export_without_credentials_is_told_to_send_an_api_key(
    client: AsyncTestClient[Any], platform: Platform, sdk_trace, path: str
) -> None:
    response = await client.post(path, content=sdk_trace(), headers=PROTOBUF)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "ApiKey"
    assert "API key" in response.json()["message"]
    assert "Authorization" in response.json()["message"]
    assert await queued_batches(platform.db) == 0


async def test_a_browser_session_cannot_export_spans(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona, sdk_trace
) -> None:
    # The route skips the CSRF check, so no session may export, even with a CSRF token.
    await login_as(client, owner)
    browser = {**PROTOBUF, **await csrf_headers(client)}

    response = await client.post(URL, content=sdk_trace(), headers=browser)

    assert response.status_code == 401
    assert await queued_batches(platform.db) == 0


async def test_a_viewer_key_cannot_write_spans(
    client: AsyncTestClient[Any], make_persona: Callable[..., Any], sdk_trace
) -> None:
    viewer = await make_persona("viewer")

    response = await client.post(URL, content=sdk_trace(), headers=headers(viewer, PROTOBUF))

    assert response.status_code == 403


async def test_the_endpoint_answers_ready_to_a_get(client: AsyncTestClient[Any]) -> None:
    response = await client.get(URL)

    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_an_oversized_body_is_refused_before_it_is_queued(
    make_settings: Callable[..., Settings],
    make_client: Callable[..., AsyncTestClient[Any]],
    database_url: str,
    platform: Platform,
    owner: Persona,
    sdk_trace,
) -> None:
    body = sdk_trace()
    limit = {"AGENTA_TRACING_OTLP_MAX_BYTES": str(len(body) - 1)}
    async with make_client(make_settings(database_url, env=limit)) as small:
        response = await small.post(URL, content=body, headers=headers(owner, PROTOBUF))

    assert response.status_code == 413
    assert "limit" in response.json()["message"]
    assert await queued_batches(platform.db) == 0


async def test_a_body_that_inflates_past_the_limit_is_refused(
    make_settings: Callable[..., Settings],
    make_client: Callable[..., AsyncTestClient[Any]],
    database_url: str,
    owner: Persona,
) -> None:
    bomb = gzip.compress(b"\0" * (80 * 1024 * 1024))
    settings = make_settings(database_url, tracing_otlp_max_bytes=1024 * 1024)
    async with make_client(settings) as small:
        response = await small.post(
            URL, content=bomb, headers=headers(owner, {**PROTOBUF, "Content-Encoding": "gzip"})
        )

    assert response.status_code == 413
    assert "decompressed" in response.json()["message"]


async def test_a_full_queue_answers_503_with_retry_after(
    make_settings: Callable[..., Settings],
    make_client: Callable[..., AsyncTestClient[Any]],
    database_url: str,
    platform: Platform,
    owner: Persona,
    sdk_trace,
) -> None:
    settings = make_settings(database_url, env={"AGENTA_TRACING_QUEUE_MAX_BATCHES": "1"})
    async with make_client(settings, run_jobs=False) as full:
        first = await full.post(URL, content=sdk_trace(), headers=headers(owner, PROTOBUF))
        second = await full.post(URL, content=sdk_trace(), headers=headers(owner, PROTOBUF))

    assert first.status_code == 200
    assert second.status_code == 503
    assert second.headers["retry-after"] == "5"
    assert await queued_batches(platform.db) == 1
