"""The fake LLM server itself: scripts, magic, control routes, standalone process, throughput."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.llm_state import FakeLLM
from tests.fakes.openai_wire import embed


def chat(url: str, text: str = "hi", model: str = "gpt-4o-mini", **extra: object) -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": text}], **extra}
    return httpx.post(f"{url}/v1/chat/completions", json=body, timeout=10)


def answer(response: httpx.Response) -> str:
    return response.json()["choices"][0]["message"]["content"]


def test_scripted_replies_are_used_in_order_then_echo_resumes(fake_llm: FakeLLM) -> None:
    fake_llm.script("first", {"content": "second"})
    assert [answer(chat(fake_llm.url)) for _ in range(3)] == ["first", "second", "hi"]


def test_reply_rules_answer_by_content_whatever_the_order(fake_llm: FakeLLM) -> None:
    fake_llm.reply_when("capital of France", "Paris")
    assert answer(chat(fake_llm.url, "What is the capital of France?")) == "Paris"
    assert answer(chat(fake_llm.url, "Something else")) == "Something else"


def test_failures_are_injected_for_the_next_requests_only(fake_llm: FakeLLM) -> None:
    fake_llm.fail_next(500, times=2, message="down")
    statuses = [chat(fake_llm.url).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert len(fake_llm.requests) == 3


def test_magic_model_names_and_headers_trigger_behaviours(fake_llm: FakeLLM) -> None:
    assert chat(fake_llm.url, model="fake-error-429").status_code == 429
    started = time.monotonic()
    assert chat(fake_llm.url, model="fake-slow-200ms").status_code == 200
    assert time.monotonic() - started >= 0.2
    response = httpx.post(
        f"{fake_llm.url}/v1/chat/completions",
        json={"model": "m", "messages": []},
        headers={"x-fake-reply": "from header"},
    )
    assert answer(response) == "from header"


def test_an_anthropic_request_without_max_tokens_is_refused_like_the_real_api(
    fake_llm: FakeLLM,
) -> None:
    body = {"model": "claude", "messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(f"{fake_llm.url}/v1/messages", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_embeddings_of_similar_texts_are_closer_than_unrelated_ones(fake_llm: FakeLLM) -> None:
    body = {
        "model": "text-embedding-3-small",
        "input": ["the cat sat", "the cat sat down", "stock prices"],
    }
    data = httpx.post(f"{fake_llm.url}/v1/embeddings", json=body).json()["data"]
    same, near, far = (item["embedding"] for item in data)
    assert same == embed("the cat sat")
    assert math.fsum(a * b for a, b in zip(same, near, strict=True)) > math.fsum(
        a * b for a, b in zip(same, far, strict=True)
    )


async def test_the_openai_sdk_reads_base64_embeddings_and_the_model_list(fake_llm: FakeLLM) -> None:
    import openai

    async with openai.AsyncOpenAI(
        api_key="k", base_url=fake_llm.openai_base_url, max_retries=0
    ) as client:
        result = await client.embeddings.create(model="text-embedding-3-small", input="hello world")
        models = await client.models.list()
    assert result.data[0].embedding == pytest.approx(embed("hello world"), abs=1e-6)
    assert "gpt-4o-mini" in [model.id async for model in models]


async def test_it_answers_every_request_of_20_concurrent_clients(fake_llm: FakeLLM) -> None:
    # Throughput is measured by the benchmarks; here only correctness under concurrency.
    limits = httpx.Limits(max_connections=20)
    body = {"model": "m", "messages": [{"role": "user", "content": "ping"}]}
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(base_url=fake_llm.url, limits=limits, timeout=timeout) as client:
        responses = await asyncio.gather(
            *(client.post("/v1/chat/completions", json=body) for _ in range(200))
        )
    assert all(response.status_code == 200 for response in responses)


@pytest.fixture
def standalone_server() -> Iterator[str]:
    command = [sys.executable, "-m", "tests.fakes.llm_server", "--port", "0", "--latency", "0.05"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            line = process.stdout.readline() if process.stdout else ""
            yield line.strip().rsplit(" ", 1)[-1]
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_a_standalone_server_is_driven_through_its_control_routes(standalone_server: str) -> None:
    assert httpx.post(f"{standalone_server}/_fake/fail_next", json={"status": 503}).json() == {
        "ok": True
    }
    httpx.post(f"{standalone_server}/_fake/script", json={"replies": ["scripted"]})
    assert chat(standalone_server).status_code == 503
    started = time.monotonic()
    assert answer(chat(standalone_server)) == "scripted"
    assert time.monotonic() - started >= 0.05
    recorded = httpx.get(f"{standalone_server}/_fake/requests").json()
    assert [item["body"]["messages"][0]["content"] for item in recorded] == ["hi", "hi"]
    assert httpx.post(f"{standalone_server}/_fake/unknown", json={}).status_code == 400
