"""Test a connection: one tiny chat call through it, answered with what happened.

The call goes through the same LLM client and model resolution as a real invocation (the
connection is named explicitly, so no other key can answer for it), asking a short reply of a
few tokens. The model tried is the one asked for, else the connection's first listed model,
else the catalog's first chat model of the provider; a standard provider's key is sent to the
base URL the environment names (``OPENAI_BASE_URL``...), as in a real call. The outcome is a
``ProbeResult``; provider messages are scrubbed of the key, in case a provider echoes it back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

from agenta.llm import (
    ConnectionRecord,
    CredentialsError,
    LLMClient,
    ModelConfig,
    PromptTemplate,
    ProviderError,
    load_catalog,
    plan_call,
    render_prompt,
)
from agenta.llm.provider_kinds import provider_kind

PROBE_TIMEOUT_SECONDS = 20.0
_PROBE_MESSAGE = {"role": "user", "content": "Reply with the word OK."}


@dataclass(frozen=True)
class ProbeResult:
    """The outcome of a connection test."""

    ok: bool
    message: str
    model: str | None = None
    status: int | None = None
    latency_ms: float | None = None

    def to_dict(self) -> dict[str, object]:
        """The result as the API returns it."""
        return {
            "ok": self.ok,
            "message": self.message,
            "model": self.model,
            "status": self.status,
            "latency_ms": self.latency_ms,
        }


def probe_model(connection: ConnectionRecord, model: str | None = None) -> str | None:
    """The model a test of ``connection`` calls, or None when none is known."""
    if model:
        return model
    if connection.models:
        return connection.models[0]
    names = load_catalog().groups().get(connection.kind, [])
    return names[0] if names else None


async def probe_connection(
    client: LLMClient,
    connection: ConnectionRecord,
    *,
    env: Mapping[str, str] | None = None,
    model: str | None = None,
    timeout: float = PROBE_TIMEOUT_SECONDS,
) -> ProbeResult:
    """Call one model through ``connection`` and report whether it answered."""
    chosen = probe_model(connection, model)
    if chosen is None:
        return ProbeResult(False, "List at least one model to test this connection with.")
    connection = _with_base_url(connection, env)
    config = ModelConfig(model=chosen, connection=connection.slug, max_tokens=16)
    prompt = PromptTemplate(messages=[_PROBE_MESSAGE], llm_config=config)
    started = time.perf_counter()
    try:
        plan = plan_call(
            render_prompt(prompt, {}), connections=[connection], env=env, timeout=timeout
        )
        await client.complete(plan)
    except CredentialsError as exc:
        return ProbeResult(False, _scrub(str(exc), connection), chosen)
    except ProviderError as exc:
        message = _scrub(exc.message, connection)
        return ProbeResult(False, f"{chosen}: {message}", chosen, exc.status, _since(started))
    return ProbeResult(True, f"{chosen} answered.", chosen, 200, _since(started))


def _with_base_url(connection: ConnectionRecord, env: Mapping[str, str] | None) -> ConnectionRecord:
    """The connection with the base URL a real call would use (``OPENAI_BASE_URL``...).

    A call naming a connection does not read the environment, so the probe fills it in here.
    """
    kind = provider_kind(connection.kind)
    if connection.base_url or env is None or kind is None or not kind.base_url_env:
        return connection
    return replace(connection, base_url=env.get(kind.base_url_env) or None)


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _scrub(message: str, connection: ConnectionRecord) -> str:
    key = connection.api_key
    return message.replace(key, "…") if key else message
