"""The LLM judge, with a fake ``complete`` function standing in for the LLM layer."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.evaluators.builtins import EvaluatorContext
from agenta.core.evaluators.builtins.llm_judge import DEFAULT_JSON_SCHEMA
from tests.core.evaluators.conftest import Evaluate


class FakeJudge:
    """Answers every call with the next canned reply and records what it was asked."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    async def complete(
        self, model: str, messages: list[dict[str, str]], response_format: dict[str, Any] | None
    ) -> str:
        self.calls.append(
            {"model": model, "messages": messages, "response_format": response_format}
        )
        return self.replies.pop(0)

    async def embed(self, model: str, texts: list[str]) -> list[list[float]]:
        raise AssertionError("the judge does not embed")

    def context(self) -> EvaluatorContext:
        return EvaluatorContext(complete=self.complete)


INPUTS = {"country": "France", "correct_answer": "Paris"}


async def test_it_sends_the_default_prompt_with_inputs_output_and_reference(
    evaluate: Evaluate,
) -> None:
    judge = FakeJudge('{"score": 0.9, "reasoning": "Correct and concise."}')
    result = await evaluate("auto_ai_critique", {}, INPUTS, "Paris", context=judge.context())
    call = judge.calls[0]
    assert call["model"] == "gpt-4o-mini"
    assert call["response_format"] == {"type": "json_schema", "json_schema": DEFAULT_JSON_SCHEMA}
    user_message = call["messages"][1]["content"]
    assert user_message == (
        'Input:\n{"country":"France","correct_answer":"Paris"}\n\nAnswer:\nParis'
        "\n\nReference answer:\nParis"
    )
    assert result.score == 0.9
    assert result.success is True
    assert result.details == {"score": 0.9, "reasoning": "Correct and concise."}


async def test_the_reference_answer_is_optional(evaluate: Evaluate) -> None:
    judge = FakeJudge('{"score": 0.2, "reasoning": "Wrong."}')
    result = await evaluate(
        "auto_ai_critique", {}, {"country": "France"}, "Lyon", context=judge.context()
    )
    assert "Reference answer" not in judge.calls[0]["messages"][1]["content"]
    assert result.success is False


async def test_it_renders_a_custom_curly_prompt_with_every_variable(evaluate: Evaluate) -> None:
    judge = FakeJudge("0.5")
    settings = {
        "model": "claude-judge",
        "template_format": "curly",
        "response_type": "text",
        "prompt_template": [
            {
                "role": "user",
                "content": "{{country}}|{{inputs.country}}|{{prediction}}|{{outputs.city}}|"
                "{{ground_truth}}|{{correct_answer}}|{{trace.id}}",
            }
        ],
    }
    await evaluate(
        "auto_ai_critique",
        settings,
        INPUTS,
        {"city": "Paris"},
        trace={"id": "t1"},
        context=judge.context(),
    )
    assert judge.calls[0]["messages"] == [
        {"role": "user", "content": 'France|France|{"city":"Paris"}|Paris|Paris|Paris|t1'}
    ]
    assert judge.calls[0]["response_format"] is None
    assert judge.calls[0]["model"] == "claude-judge"


async def test_json_object_mode_asks_for_a_json_object(evaluate: Evaluate) -> None:
    judge = FakeJudge('{"score": 1}')
    await evaluate(
        "auto_ai_critique", {"response_type": "json_object"}, INPUTS, "x", context=judge.context()
    )
    assert judge.calls[0]["response_format"] == {"type": "json_object"}


@pytest.mark.parametrize(
    ("reply", "score", "success"),
    [
        ("0.8", 0.8, True),
        (" 0.3 ", 0.3, False),
        ("true", None, True),
        ("False", None, False),
        ('```json\n{"score": 0.7, "reasoning": "ok"}\n```', 0.7, True),
        ('{"success": false, "score": 0.9}', 0.9, False),
        ('{"correctness": 3, "comment": "fine"}', None, None),
        ("1", 1.0, True),
    ],
)
async def test_it_maps_each_kind_of_reply(
    evaluate: Evaluate, reply: str, score: float | None, success: bool | None
) -> None:
    judge = FakeJudge(reply)
    result = await evaluate(
        "auto_ai_critique", {"threshold": 0.5}, INPUTS, "x", context=judge.context()
    )
    assert result.error is None
    assert (result.score, result.success) == (score, success)


async def test_a_reply_in_prose_is_a_clear_error(evaluate: Evaluate) -> None:
    judge = FakeJudge("I think the answer is quite good.")
    result = await evaluate("auto_ai_critique", {}, INPUTS, "x", context=judge.context())
    assert result.error_type == "workflows:llm-error"
    assert result.error == (
        "the judge's reply is not a number, true/false or a JSON object: "
        "'I think the answer is quite good.'"
    )


async def test_a_json_list_reply_is_an_error(evaluate: Evaluate) -> None:
    judge = FakeJudge("[0.5]")
    result = await evaluate("auto_ai_critique", {}, INPUTS, "x", context=judge.context())
    assert result.error_type == "workflows:llm-error"


async def test_a_failing_model_call_is_reported(evaluate: Evaluate) -> None:
    async def failing(model: str, messages: Any, response_format: Any) -> str:
        raise TimeoutError("the provider timed out")

    context = EvaluatorContext(complete=failing)
    result = await evaluate("auto_ai_critique", {}, INPUTS, "x", context=context)
    assert result.error == "the call to gpt-4o-mini failed: the provider timed out"


async def test_it_needs_a_model_provider(evaluate: Evaluate) -> None:
    result = await evaluate("auto_ai_critique", {}, INPUTS, "x", context=EvaluatorContext())
    assert result.error_type == "workflows:llm-unavailable"


async def test_an_unresolved_variable_stops_before_calling_the_model(evaluate: Evaluate) -> None:
    judge = FakeJudge("1")
    settings = {
        "template_format": "curly",
        "prompt_template": [{"role": "user", "content": "{{rubric}}"}],
    }
    result = await evaluate("auto_ai_critique", settings, INPUTS, "x", context=judge.context())
    assert result.error_type == "workflows:prompt-formatting-error"
    assert "{{rubric}}" in (result.error or "")
    assert judge.calls == []


async def test_an_object_with_complete_and_embed_methods_is_a_context(evaluate: Evaluate) -> None:
    judge = FakeJudge("0.9")
    result = await evaluate("auto_ai_critique", {}, INPUTS, "x", context=judge)
    assert result.score == 0.9


async def test_a_custom_schema_must_have_a_name_and_a_schema(evaluate: Evaluate) -> None:
    judge = FakeJudge("1")
    result = await evaluate(
        "auto_ai_critique",
        {"json_schema": {"type": "object"}},
        INPUTS,
        "x",
        context=judge.context(),
    )
    assert result.error_type == "schemas:invalid-parameter"
    assert judge.calls == []
