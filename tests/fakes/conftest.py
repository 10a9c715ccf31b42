"""The fake LLM fixtures, for the fakes' own tests (the root conftest may also register them)."""

from tests.fakes.fixtures import fake_llm, fake_llm_server  # noqa: F401
