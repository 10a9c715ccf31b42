"""The observability pages in Chromium against a real `agenta serve`.

An instrumented "application" (this test) exports traces with the stock OpenTelemetry SDK
and OTLP/HTTP exporter to the server's endpoint, authenticated by an API key created on the
API keys page; then a user filters the trace list, opens a trace, expands a span, reads the
waterfall, and turns two traces into a test set.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind

from tests.support.browser import chromium_page
from tests.support.processes import ServerProcess

pytestmark = pytest.mark.browser

PASSWORD = "observability tested password"
CAPITALS = {"France": "Paris", "Japan": "Tokyo", "Peru": "Lima"}


def send_traces(url: str, api_key: str) -> None:
    """One workflow trace per country, each with a chat span, through the OTLP exporter."""
    exporter = OTLPSpanExporter(
        endpoint=url + "/api/otlp/v1/traces", headers={"Authorization": f"ApiKey {api_key}"}
    )
    provider = TracerProvider(resource=Resource.create({"service.name": "capitals-app"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("agenta.tracer")
    for country, capital in CAPITALS.items():
        root = {
            "ag.type.node": "workflow",
            "ag.data.inputs.country": country,
            "ag.data.outputs.__default__": capital,
            "ag.refs.application.slug": "capitals",
            "ag.session.id": f"session-{country.lower()}",
        }
        prompt = [{"role": "user", "content": f"What is the capital of {country}?"}]
        chat = {
            "ag.type.node": "chat",
            "ag.data.inputs.prompt": "@ag.type=json:" + json.dumps(prompt),
            "ag.data.outputs.completion": capital,
            "ag.meta.response.model": "gpt-4o-mini",
            "ag.metrics.unit.tokens.prompt": 14.0,
            "ag.metrics.unit.tokens.completion": 2.0,
        }
        with tracer.start_as_current_span("capital", kind=SpanKind.SERVER, attributes=root):
            time.sleep(0.01)
            with tracer.start_as_current_span("chat", kind=SpanKind.CLIENT, attributes=chat):
                time.sleep(0.02)
    provider.shutdown()


def wait_for_traces(url: str, api_key: str, expected: int, timeout: float = 20.0) -> None:
    """Wait until the embedded consumer has stored `expected` traces."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = httpx.post(
            url + "/api/traces/query", json={}, headers={"Authorization": f"ApiKey {api_key}"}
        )
        if response.status_code == 200 and response.json()["count"] >= expected:
            return
        time.sleep(0.1)
    raise TimeoutError(f"{expected} traces were not stored within {timeout} s")


async def sign_up_with_key(page: Any, base: str) -> str:
    """Sign up in the browser and create an API key on the keys page; returns the key."""
    await page.goto(f"{base}/signup?next=/settings/api-keys")
    await page.get_by_label("Name").fill("Ada")
    await page.get_by_label("E-mail").fill("ada@example.com")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()
    await page.wait_for_url("**/settings/api-keys")
    await page.get_by_label("Key name").fill("capitals app")
    await page.get_by_role("button", name="Create key").click()
    return str(await page.locator("#new-api-key").inner_text()).strip()


async def trace_rows(page: Any) -> list[str]:
    return [
        str(await row.get_attribute("data-trace"))
        for row in await page.locator("#traces tbody tr[data-trace]").all()
    ]


async def test_traces_sent_by_an_instrumented_app_are_explored_and_made_into_a_test_set(
    server: ServerProcess,
) -> None:
    async with chromium_page() as page:
        api_key = await sign_up_with_key(page, server.url)
        send_traces(server.url, api_key)
        wait_for_traces(server.url, api_key, len(CAPITALS))

        # The list, then a filter that lands in the URL.
        await page.get_by_role("link", name="Observability").click()
        await page.wait_for_url("**/observability/traces")
        assert len(await trace_rows(page)) == 3
        await page.get_by_label("Search inputs and outputs").fill("japan")
        await page.get_by_role("button", name="Apply filters").click()
        await page.wait_for_url("**/observability/traces?search=japan**")
        assert len(await trace_rows(page)) == 1
        assert "Tokyo" in await page.locator("#traces").inner_text()

        # One trace: the waterfall, and a span expanded to its messages.
        await page.locator("#traces a.trace-link").first.click()
        await page.wait_for_url("**/observability/traces/*")
        spans = page.locator("#waterfall details.span-row")
        assert await spans.count() == 2
        chat = page.locator('#waterfall details.span-row[data-span="chat"]')
        assert await chat.get_attribute("open") is None
        bar = chat.locator(".bar")
        box = await bar.bounding_box()
        assert box is not None and box["width"] > 0
        await chat.locator(":scope > summary").click()
        message = chat.locator(".message[data-role='user'] .message-text")
        await message.wait_for()
        assert await message.inner_text() == "What is the capital of Japan?"
        assert "gpt-4o-mini" in await chat.locator(".cost-explanation").inner_text()

        # Two traces become a test set.
        await page.goto(server.url + "/observability/traces")
        boxes = page.locator("#traces input[name='select']")
        await boxes.nth(0).check()
        await boxes.nth(1).check()
        await page.get_by_role("button", name="Add selected to test set").click()
        await page.wait_for_url("**/observability/testsets/add?**")
        assert await page.locator("#selected tbody tr").count() == 2
        await page.get_by_label("New test set name").fill("Capitals from production")
        await page.get_by_role("button", name="Add rows").click()
        await page.wait_for_url("**/testsets/*")
        content = await page.content()
        assert "Added 2 rows to test set Capitals from production" in content

    listing = httpx.get(
        server.url + "/api/testsets", headers={"Authorization": f"ApiKey {api_key}"}
    ).json()
    [testset] = [item for item in listing["testsets"] if item["name"] == "Capitals from production"]
    assert testset["row_count"] == 2
    assert testset["columns"] == ["country", "correct_answer"]
