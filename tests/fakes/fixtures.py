"""Pytest fixtures for the fake LLM server (registered through ``pytest_plugins``).

One server runs per test session (per xdist worker); ``fake_llm`` hands each test the same
server with its settings, scripts, failures and request log reset before and after the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.llm_server import FakeLLMServer
from tests.fakes.llm_state import FakeLLM


@pytest.fixture(scope="session")
def fake_llm_server() -> Iterator[FakeLLM]:
    """The session's fake LLM server (prefer ``fake_llm``, which resets it per test)."""
    with FakeLLMServer() as fake:
        yield fake


@pytest.fixture
def fake_llm(fake_llm_server: FakeLLM) -> Iterator[FakeLLM]:
    """A fake OpenAI/Anthropic-compatible server at ``fake_llm.url``, clean for this test."""
    fake_llm_server.reset()
    yield fake_llm_server
    fake_llm_server.reset()
