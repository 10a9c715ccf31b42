"""Cost of a call from its usage and the price table.

Prices come from the catalog shipped with the package; a project can override them or price its own
models with an ``overrides`` mapping from model name to ``ModelPrice`` (or the same fields as a
plain mapping, as stored in project settings). An unknown model has no cost (``None``), never a
made-up zero: a missing cost is visible, a wrong one is not (agenta-behaviour.md §8.9).

Accounting follows ``Usage``: cached input tokens are part of ``prompt_tokens`` and billed at the
cache-read price; cache writes at the cache-write price; reasoning tokens are part of
``completion_tokens`` and billed once, at the output price.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agenta.llm.catalog import ModelCatalog, ModelPrice, load_catalog
from agenta.llm.results import Usage

PriceOverrides = Mapping[str, ModelPrice | Mapping[str, Any]]

_PER_MILLION = 1_000_000


def price_for(
    model: str,
    *,
    provider: str | None = None,
    model_id: str | None = None,
    overrides: PriceOverrides | None = None,
    catalog: ModelCatalog | None = None,
) -> ModelPrice | None:
    """The price of ``model``: project overrides first, then the catalog.

    ``model`` is the configured name (``provider/model``, a bare name, or a custom connection's
    ``slug/model``); ``provider`` and ``model_id`` (the id the provider knows it by) let the
    catalog and overrides be searched under the provider-side id too.
    """
    if model_id is None and provider and model.startswith(provider + "/"):
        model_id = model.split("/", 1)[1]
    for key in dict.fromkeys((model, model_id or model)):
        if overrides and key in overrides:
            return _as_price(overrides[key], key)
    catalog = catalog or load_catalog()
    entry = catalog.get(provider, model_id or model) if provider else None
    entry = entry or catalog.find(model)
    return entry.price if entry else None


def _as_price(value: ModelPrice | Mapping[str, Any], name: str) -> ModelPrice:
    if isinstance(value, ModelPrice):
        return value
    return ModelPrice.from_mapping(value, f"price_overrides.{name}")


def cost_of(
    model: str,
    usage: Usage,
    *,
    provider: str | None = None,
    model_id: str | None = None,
    overrides: PriceOverrides | None = None,
    catalog: ModelCatalog | None = None,
) -> float | None:
    """USD cost of a call to ``model`` with ``usage``; ``None`` when the model has no price."""
    price = price_for(
        model, provider=provider, model_id=model_id, overrides=overrides, catalog=catalog
    )
    return None if price is None else cost_with(price, usage)


def cost_with(price: ModelPrice, usage: Usage) -> float:
    """USD cost of ``usage`` at ``price``."""
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    written = min(usage.cache_write_tokens, usage.prompt_tokens - cached)
    fresh = usage.prompt_tokens - cached - written
    cached_price = price.input if price.cached_input is None else price.cached_input
    write_price = price.input if price.cache_write is None else price.cache_write
    total = (
        fresh * price.input
        + cached * cached_price
        + written * write_price
        + usage.completion_tokens * price.output
    )
    return total / _PER_MILLION
