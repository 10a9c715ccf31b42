"""The `cost_fn` normalisation uses to price model calls that reported no cost.

It looks the span's model up in the price table (`agenta.llm.pricing`), also under the name
without a dated snapshot suffix (providers answer `gpt-4o-mini-2024-07-18` for a request
for `gpt-4o-mini`), and splits the cost into its prompt and completion parts. An unknown
model gets no cost at all (`None`): a missing cost is visible, a made-up one is not.
Lookups are cached per model name, since a busy project sends the same few models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from agenta.core.tracing.span import TokenUsage
from agenta.llm.catalog import ModelPrice
from agenta.llm.pricing import cost_with, price_for
from agenta.llm.results import Usage

_SNAPSHOT_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")


@dataclass(frozen=True, slots=True)
class PricedCost:
    """A computed cost in USD, with the unit prices (USD per million tokens) used."""

    prompt: float
    completion: float
    total: float
    prices: dict[str, float] = field(default_factory=dict)


def price_table_cost(model: str, tokens: TokenUsage) -> PricedCost | None:
    """Price `tokens` of `model` from the price table; None when the model is unknown."""
    price = model_price(model)
    if price is None:
        return None
    prompt_usage = Usage(
        prompt_tokens=tokens.prompt,
        cached_tokens=tokens.cached,
        cache_write_tokens=tokens.cache_write,
    )
    prompt = cost_with(price, prompt_usage)
    completion = cost_with(price, Usage(completion_tokens=tokens.completion))
    prices = {"input": price.input, "output": price.output}
    if price.cached_input is not None:
        prices["cached_input"] = price.cached_input
    return PricedCost(prompt, completion, prompt + completion, prices)


@lru_cache(maxsize=1024)
def model_price(model: str) -> ModelPrice | None:
    """The price of `model`, trying its name without a snapshot date suffix too."""
    price = price_for(model)
    if price is None and (undated := _SNAPSHOT_SUFFIX.sub("", model)) != model:
        price = price_for(undated)
    return price
