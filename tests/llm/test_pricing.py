"""Cost from usage: catalog prices, cache reads and writes, reasoning tokens, project overrides."""

from __future__ import annotations

import pytest

from agenta.llm import ModelPrice, Usage, cost_of, price_for

GPT_4O = ModelPrice(input=2.5, output=10.0, cached_input=1.25)


def test_a_known_model_costs_its_catalog_price_per_million_tokens() -> None:
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=100_000)
    assert cost_of("gpt-4o", usage) == pytest.approx(2.5 + 1.0)


def test_cached_input_tokens_are_billed_at_the_cache_read_price() -> None:
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=0, cached_tokens=400_000)
    assert cost_of("gpt-4o", usage) == pytest.approx(0.6 * 2.5 + 0.4 * 1.25)


def test_reasoning_tokens_are_part_of_the_output_and_billed_once() -> None:
    with_reasoning = Usage(prompt_tokens=0, completion_tokens=1_000_000, reasoning_tokens=800_000)
    assert cost_of("o4-mini", with_reasoning) == pytest.approx(4.4)


def test_cache_writes_use_the_cache_write_price_where_the_provider_has_one() -> None:
    usage = Usage(prompt_tokens=1_000_000, cached_tokens=500_000, cache_write_tokens=250_000)
    expected = 0.25 * 3.0 + 0.5 * 0.3 + 0.25 * 3.75
    assert cost_of("anthropic/claude-sonnet-4-5", usage) == pytest.approx(expected)


def test_models_are_found_by_bare_name_or_provider_and_id() -> None:
    assert price_for("claude-haiku-4-5") == price_for("anthropic/claude-haiku-4-5")
    assert price_for("openai/gpt-4o") == GPT_4O
    assert price_for("gpt-4o", provider="openai", model_id="gpt-4o") == GPT_4O


def test_an_unknown_model_has_no_cost_rather_than_zero() -> None:
    assert cost_of("my-finetune", Usage(prompt_tokens=10, completion_tokens=10)) is None


def test_project_overrides_price_custom_models_and_replace_catalog_prices() -> None:
    overrides = {
        "my-ollama/llama3": {"input": 0.1, "output": 0.2},
        "gpt-4o": ModelPrice(input=1.0, output=1.0),
    }
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=1_000_000)
    assert cost_of("my-ollama/llama3", usage, overrides=overrides) == pytest.approx(0.3)
    assert cost_of("openai/gpt-4o", usage, provider="openai", overrides=overrides) == pytest.approx(
        2.0
    )


def test_an_invalid_override_is_refused_naming_the_model_and_field() -> None:
    with pytest.raises(ValueError, match=r"price_overrides.mine.output: must be a non-negative"):
        cost_of("mine", Usage(), overrides={"mine": {"input": 1, "output": -2}})
