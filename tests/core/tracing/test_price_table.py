"""Pricing spans from the price table: known models, dated snapshots, unknown models."""

from __future__ import annotations

import pytest

from agenta.core.tracing.costs import price_table_cost
from agenta.core.tracing.span import TokenUsage
from agenta.llm.pricing import price_for


def test_a_known_model_is_priced_per_million_tokens() -> None:
    price = price_for("gpt-4o-mini")
    assert price is not None

    cost = price_table_cost("gpt-4o-mini", TokenUsage(prompt=1000, completion=500, total=1500))

    assert cost is not None
    assert cost.prompt == pytest.approx(1000 * price.input / 1e6)
    assert cost.completion == pytest.approx(500 * price.output / 1e6)
    assert cost.total == pytest.approx(cost.prompt + cost.completion)
    assert cost.prices["input"] == price.input


def test_a_dated_snapshot_is_priced_as_its_model() -> None:
    tokens = TokenUsage(prompt=10, completion=10, total=20)

    assert price_table_cost("gpt-4o-mini-2024-07-18", tokens) == price_table_cost(
        "gpt-4o-mini", tokens
    )


def test_cached_prompt_tokens_cost_less() -> None:
    fresh = price_table_cost("gpt-4o-mini", TokenUsage(prompt=1000, total=1000))
    cached = price_table_cost("gpt-4o-mini", TokenUsage(prompt=1000, total=1000, cached=1000))

    assert fresh is not None and cached is not None
    assert cached.prompt < fresh.prompt


def test_an_unknown_model_has_no_cost_rather_than_zero() -> None:
    assert price_table_cost("my-own-finetune", TokenUsage(prompt=10, total=10)) is None
