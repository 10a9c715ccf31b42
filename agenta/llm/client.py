"""The LLM client: one call plan in, one answer (or stream) out, with retries and fallbacks.

A ``CallPlan`` says everything a call needs, resolved up front: the messages, the targets to try
in order (the primary model, then the fallbacks, each with its credentials and parameters), the
retry and fallback policies, the timeout and the project's price overrides. ``plan_call`` builds
one from a rendered prompt and the project's connections; a missing key for any target fails
there, naming the config field, before a request is sent.

``LLMClient`` runs plans. Each target is retried under the retry policy with backoff; when its
tries are exhausted, the error decides under the fallback policy whether the next target is
tried. A stream is retried or falls back only while nothing has been passed to the caller yet.
The client owns a ``ProviderPool``, so SDK clients are reused across calls; close it with
``aclose`` when the app shuts down.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from agenta.llm.credentials import ConnectionRecord, ResolvedModel, resolve_model
from agenta.llm.errors import CredentialsError, ProviderError
from agenta.llm.policies import backoff_delay, should_fall_back, should_retry
from agenta.llm.pool import ProviderPool
from agenta.llm.pricing import PriceOverrides, cost_of
from agenta.llm.prompt_config import ModelConfig, RetryConfig
from agenta.llm.providers.base import DEFAULT_TIMEOUT, ChatRequest
from agenta.llm.rendering import RenderedPrompt
from agenta.llm.results import Completion, StreamDelta, StreamEnd, StreamEvent
from agenta.llm.streaming import StreamAccumulator


@dataclass(frozen=True)
class CallTarget:
    """One model to try: where it is served and with which parameters."""

    model: ResolvedModel
    config: ModelConfig


@dataclass(frozen=True)
class CallPlan:
    """Everything one LLM call needs, resolved."""

    messages: Sequence[Mapping[str, Any]]
    targets: Sequence[CallTarget]
    retry: RetryConfig = field(default_factory=RetryConfig)
    retry_policy: str = "capacity"
    fallback_policy: str = "capacity"
    timeout: float = DEFAULT_TIMEOUT
    price_overrides: PriceOverrides | None = None


def plan_call(
    rendered: RenderedPrompt,
    *,
    connections: Sequence[ConnectionRecord] = (),
    env: Mapping[str, str] | None = None,
    allow_env: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    price_overrides: PriceOverrides | None = None,
) -> CallPlan:
    """The plan for a rendered prompt; ``CredentialsError`` names the config lacking a key."""
    prompt = rendered.prompt
    paths = ["prompt.llm_config"] + [
        f"prompt.fallback_configs[{index}]" for index in range(len(prompt.fallback_configs))
    ]
    targets = [
        CallTarget(_resolve(config, path, connections, env, allow_env), config)
        for config, path in zip(prompt.model_configs(), paths, strict=True)
    ]
    return CallPlan(
        messages=rendered.messages,
        targets=targets,
        retry=prompt.retry_config,
        retry_policy=prompt.retry_policy,
        fallback_policy=prompt.fallback_policy,
        timeout=timeout,
        price_overrides=price_overrides,
    )


def _resolve(
    config: ModelConfig,
    path: str,
    connections: Sequence[ConnectionRecord],
    env: Mapping[str, str] | None,
    allow_env: bool,
) -> ResolvedModel:
    try:
        return resolve_model(
            config.model,
            connections=connections,
            env=env,
            connection=config.connection,
            allow_env=allow_env,
        )
    except CredentialsError as exc:
        raise CredentialsError(f"{path}.model: {exc}", reason=exc.reason) from exc


class _Attempts:
    """Walks a plan's targets, deciding after each failure whether and where to try again."""

    def __init__(
        self, plan: CallPlan, sleep: Callable[[float], Awaitable[Any]], jitter: Callable[[], float]
    ) -> None:
        if not plan.targets:
            raise ValueError("a call plan needs at least one target")
        self._plan = plan
        self._sleep = sleep
        self._jitter = jitter
        self._target = 0
        self._retries = 0
        self.count = 0

    def start(self) -> CallTarget:
        self.count += 1
        return self._plan.targets[self._target]

    async def again_after(self, error: ProviderError) -> bool:
        """Prepare the next attempt (waiting if it is a retry); ``False`` means give up."""
        plan = self._plan
        if self._retries < plan.retry.max_retries and should_retry(error, plan.retry_policy):
            delay = backoff_delay(
                self._retries,
                plan.retry.base_delay,
                retry_after=error.retry_after,
                jitter=self._jitter,
            )
            self._retries += 1
            await self._sleep(delay)
            return True
        has_next = self._target + 1 < len(plan.targets)
        if has_next and should_fall_back(error, plan.fallback_policy):
            self._target += 1
            self._retries = 0
            return True
        return False


class LLMClient:
    """Runs call plans against providers, with the plan's retries and fallbacks."""

    def __init__(
        self,
        *,
        pool: ProviderPool | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.pool = pool if pool is not None else ProviderPool()
        self._sleep = sleep
        self._jitter = jitter

    async def complete(self, plan: CallPlan) -> Completion:
        """The answer to ``plan``; raises the last ``ProviderError`` when every try failed."""
        attempts = _Attempts(plan, self._sleep, self._jitter)
        while True:
            target = attempts.start()
            provider = self.pool.provider_for(target.model.credentials)
            try:
                completion = await provider.complete(_request(plan, target))
            except ProviderError as error:
                if await attempts.again_after(error):
                    continue
                raise
            return _finished(completion, target, attempts.count, plan)

    async def stream(self, plan: CallPlan) -> AsyncIterator[StreamEvent]:
        """Yield the answer to ``plan`` as ``StreamDelta`` events, then one ``StreamEnd``."""
        attempts = _Attempts(plan, self._sleep, self._jitter)
        while True:
            target = attempts.start()
            provider = self.pool.provider_for(target.model.credentials)
            collected = StreamAccumulator()
            started = False
            try:
                async for delta in provider.stream(_request(plan, target)):
                    collected.add(delta)
                    if _carries_answer(delta):
                        started = True
                        yield delta
            except ProviderError as error:
                if not started and await attempts.again_after(error):
                    continue
                raise
            completion = collected.completion()
            yield StreamEnd(_finished(completion, target, attempts.count, plan))
            return

    async def aclose(self) -> None:
        """Close the pooled SDK clients."""
        await self.pool.aclose()


def _request(plan: CallPlan, target: CallTarget) -> ChatRequest:
    return ChatRequest(
        model=target.model.model_id,
        messages=plan.messages,
        params=target.config.call_params(),
        timeout=plan.timeout,
    )


def _carries_answer(delta: StreamDelta) -> bool:
    return bool(delta.content or delta.tool_calls or delta.finish_reason)


def _finished(
    completion: Completion, target: CallTarget, attempts: int, plan: CallPlan
) -> Completion:
    model = target.model
    cost = cost_of(
        model.name,
        completion.usage,
        provider=model.provider,
        model_id=model.model_id,
        overrides=plan.price_overrides,
    )
    return replace(
        completion, model=model.name, provider=model.provider, cost=cost, attempts=attempts
    )
