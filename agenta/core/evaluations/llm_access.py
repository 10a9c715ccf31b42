"""What evaluators may call in a project: completions and embeddings through its connections.

``ProjectModels`` is built once per slice of a run (or per playground try) from the project's
vault connections and the provider environment, and shares one ``LLMClient`` and one
``RateGate``. ``context(meter)`` hands an evaluator an ``EvaluatorContext`` whose ``complete``
and ``embed`` go through the LLM layer (the model named by the evaluator's settings, resolved
like an app's model) and add each answer's tokens and cost to ``meter``, so judge and semantic
similarity calls count in a run's cost and spend cap. Embeddings are not retried by the LLM
client (only the gate's rate-limit retries apply): a failed embedding fails that one evaluation.

``open_models`` builds one for a project (the vault connections read once, a sandbox with warm
processes when code evaluators run, the job runner's LLM client or one of its own) and closes
what it opened afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from agenta.core.evaluations.ratelimit import RateGate
from agenta.core.evaluators.builtins import EvaluatorContext
from agenta.core.evaluators.sandbox import SandboxRunner
from agenta.core.secrets.runtime import build_vault_runtime
from agenta.core.secrets.vault import project_connections
from agenta.core.services.invocation import call_timeout
from agenta.db import Database
from agenta.llm import (
    CallPlan,
    CallTarget,
    Completion,
    ConnectionRecord,
    Embeddings,
    LLMClient,
    ModelConfig,
    embed_texts,
    resolve_model,
)
from agenta.llm.prompt_config import RetryConfig
from agenta.settings import Settings

JUDGE_RETRY = RetryConfig(max_retries=2, base_delay=300)


@dataclass
class Meter:
    """Tokens and cost spent by one evaluation (or one invocation)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, answer: Completion | Embeddings) -> None:
        """Count one answer (embeddings only have input tokens)."""
        self.prompt_tokens += answer.usage.prompt_tokens
        self.completion_tokens += answer.usage.completion_tokens
        self.cost += answer.cost or 0.0


@dataclass(frozen=True)
class ProjectModels:
    """Everything a call needs in one project; see the module docstring."""

    client: LLMClient
    connections: Sequence[ConnectionRecord]
    env: Mapping[str, str] | None
    timeout: float
    gate: RateGate
    sandbox: SandboxRunner | None = None
    allow_private_network: bool = False

    def context(self, meter: Meter) -> EvaluatorContext:
        """An evaluator context whose LLM calls are counted in ``meter``."""

        async def complete(
            model: str, messages: list[dict[str, str]], response_format: dict[str, Any] | None
        ) -> str:
            plan = self.judge_plan(model, messages, response_format)
            completion = await self.gate.call(lambda: self.client.complete(plan))
            meter.add(completion)
            return completion.content or ""

        async def embed(model: str, texts: list[str]) -> list[list[float]]:
            embeddings = await self.gate.call(lambda: self.embed(model, texts))
            meter.add(embeddings)
            return embeddings.vectors

        return EvaluatorContext(
            complete=complete,
            embed=embed,
            sandbox=self.sandbox,
            allow_private_network=self.allow_private_network,
        )

    async def embed(self, model: str, texts: list[str]) -> Embeddings:
        """Embeddings of ``texts`` by ``model``, served by the project's connections."""
        return await embed_texts(
            self.client.pool,
            model,
            texts,
            connections=self.connections,
            env=self.env,
            allow_env=self.env is not None,
            timeout=self.timeout,
        )

    def judge_plan(
        self, model: str, messages: list[dict[str, str]], response_format: dict[str, Any] | None
    ) -> CallPlan:
        """The call plan of one judge request (``CredentialsError`` when no key serves it)."""
        resolved = resolve_model(
            model, connections=self.connections, env=self.env, allow_env=self.env is not None
        )
        config = ModelConfig(model=model, response_format=response_format)
        return CallPlan(
            messages=messages,
            targets=[CallTarget(resolved, config)],
            retry=JUDGE_RETRY,
            retry_policy="availability",
            timeout=self.timeout,
        )


@asynccontextmanager
async def open_models(
    settings: Settings,
    db: Database,
    project_id: uuid.UUID,
    *,
    sandbox: bool = False,
    client: LLMClient | None = None,
) -> AsyncIterator[ProjectModels]:
    """The project's model access for one slice (closed afterwards).

    ``client`` is a longer-lived LLM client to call through (a job runner's), left open; without
    one, a client is opened for the slice and closed with it.
    """
    vault = build_vault_runtime(settings, os.environ)
    async with db.session() as session:
        connections = await project_connections(session, vault.box, project_id)
    own_client = client is None
    client = client or LLMClient()
    runner = SandboxRunner(warm_processes=2) if sandbox else None
    try:
        yield ProjectModels(
            client=client,
            connections=connections,
            env=vault.environment.for_calls(),
            timeout=call_timeout(settings),
            gate=RateGate(),
            sandbox=runner,
            allow_private_network=settings.webhooks_allow_private,
        )
    finally:
        if own_client:
            await client.aclose()
        if runner is not None:
            runner.close()
