"""The provider pool: one provider per credentials, and what becomes of one dropped when full."""

from __future__ import annotations

import pytest

from agenta.llm import ProviderPool, resolve_model
from agenta.llm.providers.base import ChatRequest
from tests.fakes.llm_state import FakeLLM

HELLO = ChatRequest(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])


async def test_a_provider_dropped_from_a_full_pool_still_answers_until_the_pool_closes(
    fake_llm: FakeLLM,
) -> None:
    pool = ProviderPool(max_providers=1)
    env = fake_llm.env()
    first = pool.provider_for(resolve_model("gpt-4o-mini", env=env).credentials)
    second_env = {**env, "OPENAI_API_KEY": "second-key"}
    pool.provider_for(resolve_model("gpt-4o-mini", env=second_env).credentials)
    assert len(pool) == 1
    # A call that took the provider before it was dropped is still served...
    assert (await first.complete(HELLO)).content == "Hello"
    await pool.aclose()
    # ...and closing the pool closes it too: its connections are not left behind.
    with pytest.raises(RuntimeError, match="closed"):
        await first.complete(HELLO)
