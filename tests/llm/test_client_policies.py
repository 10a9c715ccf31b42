"""Retries, fallbacks and timeouts of the LLM client, against the fake server."""

from __future__ import annotations

import socket
import time

import pytest

from agenta.llm import (
    ConnectionRecord,
    CredentialsError,
    ErrorKind,
    LLMClient,
    ProviderError,
    StreamEnd,
    api_status_for,
)
from tests.fakes.llm_state import FakeLLM
from tests.llm.conftest import MakePlan

RETRY_TWICE = {"max_retries": 2, "base_delay": 100}


async def test_a_rate_limited_call_is_retried_with_growing_backoff_until_it_passes(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan, sleeps: list[float]
) -> None:
    fake_llm.fail_next(429, times=2)
    completion = await llm_client.complete(make_plan(retry_config=RETRY_TWICE))
    assert completion.content == "Hello"
    assert completion.attempts == 3
    assert len(fake_llm.requests) == 3
    assert sleeps == [0.1, 0.2]


async def test_when_retries_run_out_the_last_provider_error_is_raised(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fake_llm.fail_next(429, times=3)
    with pytest.raises(ProviderError) as caught:
        await llm_client.complete(make_plan(retry_config=RETRY_TWICE))
    assert (caught.value.status, caught.value.kind) == (429, ErrorKind.RATE_LIMIT)
    assert api_status_for(caught.value) == 424
    assert len(fake_llm.requests) == 3


async def test_the_retry_policy_decides_which_errors_are_retried(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fake_llm.fail_next(429)
    with pytest.raises(ProviderError):
        await llm_client.complete(make_plan(retry_config=RETRY_TWICE, retry_policy="availability"))
    fake_llm.fail_next(500)
    with pytest.raises(ProviderError):
        await llm_client.complete(make_plan(retry_config=RETRY_TWICE, retry_policy="transient"))
    fake_llm.fail_next(503)
    passed = await llm_client.complete(
        make_plan(retry_config=RETRY_TWICE, retry_policy="transient")
    )
    assert passed.attempts == 2
    fake_llm.fail_next(400)
    with pytest.raises(ProviderError):
        await llm_client.complete(make_plan(retry_config=RETRY_TWICE))
    assert len(fake_llm.requests) == 5


async def test_a_failing_primary_falls_back_to_the_next_model(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    plan = make_plan(
        model="openai/fake-error-500",
        fallback_configs=[{"model": "gpt-4o-mini", "temperature": 0.1}],
        fallback_policy="availability",
    )
    completion = await llm_client.complete(plan)
    assert (completion.content, completion.model, completion.attempts) == (
        "Hello",
        "gpt-4o-mini",
        2,
    )
    assert [request.json()["model"] for request in fake_llm.requests] == [
        "fake-error-500",
        "gpt-4o-mini",
    ]
    assert fake_llm.last_request.json()["temperature"] == 0.1


async def test_fallback_crosses_providers(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fake_llm.fail_next(503)
    plan = make_plan(fallback_configs=[{"model": "anthropic/claude-haiku-4-5"}])
    completion = await llm_client.complete(plan)
    assert (completion.provider, completion.content) == ("anthropic", "Hello")


async def test_each_fallback_policy_only_covers_its_errors(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fallbacks = [{"model": "gpt-4o"}]
    fake_llm.fail_next(401)
    with pytest.raises(ProviderError, match="auth 401"):
        await llm_client.complete(make_plan(fallback_configs=fallbacks, fallback_policy="capacity"))
    fake_llm.fail_next(401)
    rescued = await llm_client.complete(
        make_plan(fallback_configs=fallbacks, fallback_policy="access")
    )
    assert rescued.model == "gpt-4o"
    fake_llm.fail_next(500)
    with pytest.raises(ProviderError, match="server 500"):
        await llm_client.complete(make_plan(fallback_configs=fallbacks, fallback_policy="off"))


async def test_context_window_errors_fall_back_only_under_the_context_policy(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    too_long = "This model's maximum context length is 8192 tokens"
    fallbacks = [{"model": "gpt-4.1"}]
    fake_llm.fail_next(400, message=too_long)
    with pytest.raises(ProviderError) as caught:
        await llm_client.complete(make_plan(fallback_configs=fallbacks, fallback_policy="access"))
    assert caught.value.kind == ErrorKind.CONTEXT_WINDOW
    fake_llm.fail_next(400, message=too_long)
    rescued = await llm_client.complete(
        make_plan(fallback_configs=fallbacks, fallback_policy="context")
    )
    assert rescued.model == "gpt-4.1"


async def test_a_call_that_gets_no_answer_times_out(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fake_llm.hang_next()
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        await llm_client.complete(make_plan(timeout=0.3))
    assert time.monotonic() - started < 3
    assert (caught.value.status, caught.value.kind) == (None, ErrorKind.TIMEOUT)
    assert api_status_for(caught.value) == 503


async def test_a_timed_out_call_is_retried_under_the_availability_policy(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    fake_llm.hang_next()
    completion = await llm_client.complete(
        make_plan(timeout=0.3, retry_config={"max_retries": 1}, retry_policy="availability")
    )
    assert (completion.content, completion.attempts) == ("Hello", 2)


async def test_an_unreachable_server_is_a_connection_error(
    llm_client: LLMClient, make_plan: MakePlan
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    nowhere = ConnectionRecord(
        slug="gone",
        kind="custom",
        base_url=f"http://127.0.0.1:{closed_port}/v1",
        models=("m",),
        custom=True,
    )
    with pytest.raises(ProviderError) as caught:
        await llm_client.complete(make_plan(model="gone/m", connections=(nowhere,)))
    assert caught.value.kind == ErrorKind.CONNECTION


async def test_a_stream_falls_back_when_the_primary_fails_before_any_token(
    fake_llm: FakeLLM, llm_client: LLMClient, make_plan: MakePlan
) -> None:
    plan = make_plan(
        model="openai/fake-error-502", fallback_configs=[{"model": "anthropic/claude-haiku-4-5"}]
    )
    events = [event async for event in llm_client.stream(plan)]
    end = events[-1]
    assert isinstance(end, StreamEnd)
    assert (end.completion.content, end.completion.provider, end.completion.attempts) == (
        "Hello",
        "anthropic",
        2,
    )


async def test_a_fallback_without_credentials_is_reported_before_any_call(
    fake_llm: FakeLLM, make_plan: MakePlan
) -> None:
    with pytest.raises(CredentialsError, match=r"prompt.fallback_configs\[0\].model: no API key"):
        make_plan(fallback_configs=[{"model": "mistral/mistral-small-latest"}])
    assert fake_llm.requests == []


async def test_sdk_clients_are_reused_across_calls_with_the_same_credentials(
    llm_client: LLMClient, make_plan: MakePlan
) -> None:
    for _ in range(3):
        await llm_client.complete(make_plan())
    await llm_client.complete(make_plan(model="anthropic/claude-haiku-4-5"))
    assert len(llm_client.pool) == 2
