"""The model catalog shipped with the package."""

from __future__ import annotations

from agenta.llm import load_catalog
from agenta.llm.provider_kinds import provider_kind


def test_models_are_grouped_by_provider_for_the_picker() -> None:
    groups = load_catalog().groups()
    assert "gpt-4o-mini" in groups["openai"]
    assert "anthropic/claude-sonnet-4-5" in groups["anthropic"]
    assert "groq/llama-3.1-8b-instant" in groups["groq"]
    assert "text-embedding-3-small" not in groups["openai"]


def test_embedding_models_form_their_own_groups() -> None:
    assert load_catalog().groups("embedding") == {
        "openai": ["text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002"]
    }


def test_a_model_is_found_by_picker_name_bare_name_or_provider_and_id() -> None:
    catalog = load_catalog()
    by_picker = catalog.find("anthropic/claude-haiku-4-5")
    assert by_picker is not None and by_picker.provider == "anthropic"
    assert catalog.find("claude-haiku-4-5") == by_picker
    assert catalog.get("together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo") is not None
    assert catalog.find("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo") is not None
    assert catalog.find("no-such-model") is None


def test_every_catalog_provider_is_a_provider_kind_we_can_call() -> None:
    for entry in load_catalog().entries:
        assert provider_kind(entry.provider) is not None, entry.provider


def test_provider_kinds_accept_the_aliases_people_type() -> None:
    assert provider_kind("MistralAI").name == "mistral"
    assert provider_kind("together").name == "together_ai"
    assert provider_kind("openai_compatible").name == "custom"
    assert provider_kind("bedrock") is None
