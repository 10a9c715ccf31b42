"""Streamed invocations against a real ``agenta serve`` process and the fake LLM server.

One server per module (on SQLite) reads the fake server's URLs and keys from its environment
at start-up; a user and an API key are made in its database with the accounts helpers.
Streams are read with a real HTTP client, frame by frame, with their arrival times, so time to
first token is observable.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from agenta.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.fakes.llm_state import FakeLLM
from tests.support import databases
from tests.support.accounts import make_user
from tests.support.processes import ServerProcess, base_env

pytestmark = pytest.mark.slow

PROMPT = {
    "messages": [{"role": "user", "content": "one two three four five six seven eight"}],
    "template_format": "curly",
    "llm_config": {"model": "gpt-4o-mini"},
}


@pytest.fixture(scope="module")
def database_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One migrated SQLite database for the module's server (streaming does not vary by
    database; the in-process service tests run on both)."""
    return databases.fresh_sqlite(sqlite_template, tmp_path_factory.mktemp("streaming"))


@pytest.fixture(scope="module")
def server(
    database_file: str, fake_llm_server: FakeLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("serve")
    env = base_env(
        AGENTA_DATA_DIR=str(folder / "data"),
        AGENTA_DATABASE_URL=database_file,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_LOG_LEVEL="WARNING",
        **fake_llm_server.env(),
    )
    process = ServerProcess(env, folder / "serve.log").start()
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


async def _make_key(database_url: str) -> str:
    db = Database.unpooled(database_url)
    try:
        persona = await make_user(db, with_api_key=True)
    finally:
        await db.dispose()
    assert persona.api_key is not None
    return persona.api_key


@pytest.fixture(scope="module")
def api_key(database_file: str, server: ServerProcess) -> str:
    return asyncio.run(_make_key(database_file))


@pytest.fixture
async def http(
    server: ServerProcess, api_key: str, fake_llm: FakeLLM
) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"ApiKey {api_key}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
        yield client


@dataclass
class Received:
    """A streamed answer: its response, its events and when each arrived (seconds)."""

    response: httpx.Response
    events: list[dict[str, Any]]
    times: list[float]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"] == kind]

    @property
    def text(self) -> str:
        return "".join(event["data"].get("content", "") for event in self.of_type("delta"))


async def stream(
    http: httpx.AsyncClient, body: dict[str, Any], accept: str, service: str = "completion"
) -> Received:
    events: list[dict[str, Any]] = []
    times: list[float] = []
    started = time.perf_counter()
    url = f"/services/{service}/v0/invoke"
    async with http.stream("POST", url, json=body, headers={"Accept": accept}) as response:
        async for line in response.aiter_lines():
            payload = line.removeprefix("data: ") if accept == "text/event-stream" else line
            if payload.strip():
                events.append(json.loads(payload))
                times.append(time.perf_counter() - started)
    return Received(response, events, times)


async def test_an_sse_stream_sends_the_answer_token_by_token(
    http: httpx.AsyncClient, fake_llm: FakeLLM
) -> None:
    fake_llm.token_delay = 0.05

    received = await stream(http, {"data": {"parameters": {"prompt": PROMPT}}}, "text/event-stream")

    assert received.response.status_code == 200
    assert received.response.headers["content-type"].startswith("text/event-stream")
    assert received.response.headers["x-accel-buffering"] == "no"
    kinds = [event["type"] for event in received.events]
    assert kinds[0] == "start" and kinds[-1] == "done"
    assert kinds.count("delta") >= 8
    assert received.text == "one two three four five six seven eight"
    done = received.events[-1]
    assert done["data"]["outputs"] == received.text
    assert (
        done["trace_id"]
        == received.events[0]["trace_id"]
        == received.response.headers["x-ag-trace-id"]
    )
    assert done["meta"]["usage"]["completion_tokens"] == 8
    first_delta = received.times[kinds.index("delta")]
    assert received.times[-1] - first_delta >= 0.2  # tokens arrived as they were produced


async def test_an_ndjson_stream_serves_a_chat_through_anthropic(
    http: httpx.AsyncClient,
) -> None:
    prompt = {**PROMPT, "messages": [{"role": "system", "content": "Be brief."}]}
    prompt["llm_config"] = {"model": "anthropic/claude-3-5-haiku-latest"}
    body = {
        "data": {
            "inputs": {"messages": [{"role": "user", "content": "hello from the chat"}]},
            "parameters": {"prompt": prompt},
        }
    }

    received = await stream(http, body, "application/x-ndjson", "chat")

    assert received.response.headers["content-type"].startswith("application/x-ndjson")
    assert received.text == "hello from the chat"
    assert received.events[-1]["data"]["outputs"] == {
        "role": "assistant",
        "content": "hello from the chat",
    }
    assert received.events[-1]["meta"]["provider"] == "anthropic"


async def test_flags_stream_without_accept_answers_ndjson(http: httpx.AsyncClient) -> None:
    body = {"data": {"parameters": {"prompt": PROMPT}}, "flags": {"stream": True}}

    received = await stream(http, body, "*/*")

    assert received.response.headers["content-type"].startswith("application/x-ndjson")
    assert received.events[-1]["type"] == "done"


async def test_a_streamed_tool_call_arrives_in_pieces_and_whole_at_the_end(
    http: httpx.AsyncClient,
) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
        },
    }
    prompt = {
        **PROMPT,
        "llm_config": {"model": "gpt-4o-mini", "tools": [tool], "tool_choice": "required"},
    }

    received = await stream(http, {"data": {"parameters": {"prompt": prompt}}}, "text/event-stream")

    pieces = [
        event["data"]["tool_calls"]
        for event in received.of_type("delta")
        if "tool_calls" in event["data"]
    ]
    assert pieces
    [call] = received.events[-1]["data"]["outputs"]
    assert call["function"]["name"] == "lookup"
    assert "query" in json.loads(call["function"]["arguments"])


async def test_a_provider_refusal_before_the_first_token_is_a_424_json_answer(
    http: httpx.AsyncClient, fake_llm: FakeLLM
) -> None:
    fake_llm.fail_next(429)

    received = await stream(http, {"data": {"parameters": {"prompt": PROMPT}}}, "text/event-stream")

    assert received.response.status_code == 424
    assert received.response.headers["content-type"].startswith("application/json")
    [body] = received.events
    assert body["status"]["code"] == 424
    assert body["status"]["type"].endswith("workflows:llm-error")


async def test_a_client_that_leaves_mid_stream_does_not_hurt_the_server(
    http: httpx.AsyncClient, fake_llm: FakeLLM
) -> None:
    fake_llm.token_delay = 0.2
    url = "/services/completion/v0/invoke"
    body = {"data": {"parameters": {"prompt": PROMPT}}}
    async with http.stream(
        "POST", url, json=body, headers={"Accept": "text/event-stream"}
    ) as response:
        async for line in response.aiter_lines():
            if '"delta"' in line:
                break  # leave after the first token

    fake_llm.token_delay = 0.0
    again = await stream(http, body, "application/x-ndjson")

    assert again.events[-1]["type"] == "done"
    assert again.text == "one two three four five six seven eight"
