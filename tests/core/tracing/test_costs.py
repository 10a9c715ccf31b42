"""Costs: reported costs are kept; missing ones are priced through the given `cost_fn`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from agenta.core.tracing.span import Span, TokenUsage
from agenta.llm.catalog import ModelPrice
from agenta.llm.pricing import cost_with
from agenta.llm.results import Usage

Ingest = Callable[..., dict[str, Span]]


@dataclass(frozen=True)
class Breakdown:
    prompt: float
    completion: float
    total: float
    prices: dict[str, float] = field(default_factory=dict)


def flat_rate(prompt_price: float, completion_price: float, known: str = "gpt-4o-mini"):
    """A `cost_fn` pricing one known model per token; it remembers what it was asked."""
    calls: list[tuple[str, TokenUsage]] = []

    def cost_fn(model: str, tokens: TokenUsage) -> Breakdown | None:
        calls.append((model, tokens))
        if model != known:
            return None
        prompt, completion = tokens.prompt * prompt_price, tokens.completion * completion_price
        prices = {"prompt": prompt_price, "completion": completion_price}
        return Breakdown(prompt, completion, prompt + completion, prices)

    cost_fn.calls = calls  # type: ignore[attr-defined]
    return cost_fn


def test_it_prices_a_chat_span_that_has_tokens_but_no_cost(sdk_trace, ingest: Ingest) -> None:
    chat = ingest(sdk_trace(), cost_fn=flat_rate(0.5, 2.0))["litellm_client"]

    assert chat.cost is not None
    assert (chat.cost.prompt, chat.cost.completion, chat.cost.total) == (6.0, 6.0, 12.0)
    assert chat.attributes["ag"]["metrics"]["costs"]["incremental"] == chat.cost.as_dict()


def test_it_records_how_a_computed_cost_was_made(sdk_trace, ingest: Ingest) -> None:
    cached = {"ag.metrics.unit.tokens.cached": 4.0, "ag.metrics.unit.tokens.reasoning": 1.0}
    chat = ingest(sdk_trace(child=cached), cost_fn=flat_rate(0.5, 2.0))["litellm_client"]

    assert chat.cost_details == {
        "source": "computed",
        "model": "gpt-4o-mini",
        "tokens": {"prompt": 12, "completion": 3, "total": 15, "cached": 4, "reasoning": 1},
        "prices": {"prompt": 0.5, "completion": 2.0},
    }
    assert chat.attributes["ag"]["meta"]["cost"] == chat.cost_details


def test_it_does_not_reprice_a_cost_the_span_reported(sdk_trace, ingest: Ingest) -> None:
    cost_fn = flat_rate(0.5, 2.0)
    child = {"ag.metrics.unit.costs.total": 0.01}
    chat = ingest(sdk_trace(child=child), cost_fn=cost_fn)["litellm_client"]

    assert chat.cost is not None
    assert chat.cost.total == 0.01
    assert cost_fn.calls == []


def test_it_leaves_cost_empty_for_a_model_the_price_table_does_not_know(sdk_trace, ingest):
    child = {"ag.meta.response.model": "my-finetune"}
    chat = ingest(sdk_trace(child=child), cost_fn=flat_rate(0.5, 2.0))["litellm_client"]

    assert chat.cost is None
    assert chat.cost_details is None
    assert "costs" not in chat.attributes["ag"]["metrics"]


def test_it_prices_only_spans_that_are_model_calls(sdk_trace, ingest: Ingest) -> None:
    cost_fn = flat_rate(0.5, 2.0)
    root = {"ag.data.parameters.model": "gpt-4o-mini", "ag.metrics.unit.tokens.prompt": 100.0}
    spans = ingest(sdk_trace(root=root), cost_fn=cost_fn)

    assert spans["generate"].model == "gpt-4o-mini"
    assert spans["generate"].cost is None
    assert [model for model, _ in cost_fn.calls] == ["gpt-4o-mini"]


def test_it_prices_nothing_without_a_cost_fn(sdk_trace, ingest: Ingest) -> None:
    assert ingest(sdk_trace())["litellm_client"].cost is None


def test_the_project_pricing_module_plugs_in_as_a_cost_fn(sdk_trace, ingest: Ingest) -> None:
    price = ModelPrice(input=1.0, output=4.0, cached_input=0.25)

    def cost_fn(model: str, tokens: TokenUsage) -> Breakdown:
        usage = Usage(
            prompt_tokens=tokens.prompt,
            completion_tokens=tokens.completion,
            cached_tokens=tokens.cached,
            reasoning_tokens=tokens.reasoning,
        )
        prompt = cost_with(price, replace(usage, completion_tokens=0))
        completion = cost_with(price, Usage(completion_tokens=tokens.completion))
        return Breakdown(prompt, completion, prompt + completion, {"input": 1.0, "output": 4.0})

    child = {"ag.metrics.unit.tokens.cached": 8.0}
    chat = ingest(sdk_trace(child=child), cost_fn=cost_fn)["litellm_client"]

    # 4 fresh prompt tokens at $1/M, 8 cached at $0.25/M, 3 completion tokens at $4/M.
    assert chat.cost is not None
    assert chat.cost.prompt == (4 * 1.0 + 8 * 0.25) / 1_000_000
    assert chat.cost.completion == 3 * 4.0 / 1_000_000
