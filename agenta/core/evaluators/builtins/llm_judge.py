"""LLM-as-a-judge: render an editable prompt, ask a model, map its reply to a result.

The prompt is a list of chat messages rendered (``templating``) with these variables:
- every test-case column at the root (``{{country}}``) and all of them as ``inputs``;
- the app output as ``outputs`` and ``prediction``;
- the ground truth as ``correct_answer``, ``ground_truth`` and ``reference`` when the column named
  by ``correct_answer_key`` exists (a reference answer is optional);
- the ``trace`` (an empty object when there is none).
Explicit names win over test-case columns of the same name.

By default the model is asked for structured output (``json_schema``: ``score`` in [0, 1] plus
``reasoning``). The reply is parsed as JSON when possible, else as a number or true/false:
a number becomes the score (success when it reaches the threshold), a boolean the verdict, and an
object is kept whole in ``details`` (its ``score`` and ``success`` are lifted when present).
The model is called through the injected ``complete`` function, never directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .base import BuiltinEvaluator, EvaluationCall, EvaluatorResult, result_from_value
from .errors import InvalidSettings, LLMError, LLMUnavailable
from .settings import (
    Choice,
    JsonObject,
    Messages,
    Setting,
    SettingsSchema,
    Text,
    correct_answer_key,
    threshold,
)
from .templating import TEMPLATE_FORMATS, render_messages
from .values import optional_expected_value

DEFAULT_MODEL = "gpt-4o-mini"

DEFAULT_PROMPT = [
    {
        "role": "system",
        "content": "You are an impartial evaluator of an AI application's answers. Judge how "
        "well the answer responds to the input: correctness, completeness and clarity. "
        "Give a score between 0 (useless) and 1 (excellent) and explain your reasoning briefly.",
    },
    {
        "role": "user",
        "content": "Input:\n{{inputs}}\n\nAnswer:\n{{outputs}}"
        "{{#reference}}\n\nReference answer:\n{{reference}}{{/reference}}",
    },
]

DEFAULT_JSON_SCHEMA = {
    "name": "evaluation",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {
            "score": {"type": "number", "description": "From 0 (worst) to 1 (best)."},
            "reasoning": {"type": "string", "description": "Why this score."},
        },
        "required": ["score", "reasoning"],
        "additionalProperties": False,
    },
}

_CODE_FENCE = re.compile(r"^```[\w-]*\s*\n?(.*?)\n?```$", re.DOTALL)


def judge_variables(call: EvaluationCall) -> dict[str, Any]:
    """The template variables for one evaluation (see the module docstring)."""
    variables: dict[str, Any] = {str(key): value for key, value in call.inputs.items()}
    variables |= {
        "inputs": dict(call.inputs),
        "outputs": call.outputs,
        "prediction": call.outputs,
        "trace": dict(call.trace or {}),
    }
    found, expected = optional_expected_value(call.inputs, call.settings["correct_answer_key"])
    if found:
        variables |= {"correct_answer": expected, "ground_truth": expected, "reference": expected}
    return variables


def response_format(settings: Mapping[str, Any]) -> dict[str, Any] | None:
    """The OpenAI-style ``response_format`` for the configured response type."""
    kind = settings["response_type"]
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    return {"type": "json_schema", "json_schema": settings["json_schema"]}


async def _ai_critique(call: EvaluationCall) -> EvaluatorResult:
    complete = call.context.complete
    if complete is None:
        raise LLMUnavailable("the LLM judge needs a model provider, none is configured")
    settings = call.settings
    messages = render_messages(
        settings["prompt_template"], judge_variables(call), settings["template_format"]
    )
    model = settings["model"]
    try:
        reply = await complete(model, messages, response_format(settings))
    except Exception as exc:  # the provider's failure, whatever its type, is reported
        raise LLMError(f"the call to {model} failed: {exc}") from exc
    return result_from_reply(parse_reply(reply), settings["threshold"])


def parse_reply(reply: str) -> Any:
    """The judge's reply as JSON, a number or a boolean; anything else is an ``LLMError``."""
    text = str(reply).strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    if isinstance(value, str):
        return _parse_plain(value)
    return value


def _parse_plain(text: str) -> float | bool:
    lowered = text.strip().lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    try:
        return float(lowered)
    except ValueError:
        shown = text if len(text) <= 200 else text[:200] + "..."
        raise LLMError(
            f"the judge's reply is not a number, true/false or a JSON object: {shown!r}"
        ) from None


def result_from_reply(value: Any, threshold_value: float) -> EvaluatorResult:
    """Map a parsed reply to a result (see the module docstring)."""
    result = result_from_value(value, threshold_value)
    if result is None:
        raise LLMError(f"the judge's reply is a JSON {type(value).__name__}, not a score or object")
    return result


def _clean_json_schema(name: str, value: dict[str, Any]) -> None:
    schema = value.get("schema")
    if not isinstance(value.get("name"), str) or not isinstance(schema, dict):
        raise InvalidSettings(
            name, 'expected {"name": "...", "schema": {...}} (the json_schema response format)'
        )


AI_CRITIQUE = BuiltinEvaluator(
    key="auto_ai_critique",
    name="LLM-as-a-judge",
    description="Asks a language model to grade the output with an editable prompt; "
    "a reference answer is optional.",
    settings=SettingsSchema(
        (
            Setting(
                "prompt_template",
                "Prompt",
                Messages(),
                "Messages sent to the judge. Variables: {{inputs}}, {{outputs}}, "
                "{{reference}} (when the test set has it), {{trace}} and every column by name.",
                default=DEFAULT_PROMPT,
            ),
            Setting("model", "Model", Text(), "Any configured model.", default=DEFAULT_MODEL),
            Setting(
                "response_type",
                "Response type",
                Choice(("json_schema", "json_object", "text")),
                "json_schema asks for the structured output below; text accepts a bare number.",
                default="json_schema",
            ),
            Setting(
                "json_schema",
                "Output schema",
                JsonObject(check=_clean_json_schema),
                "Structured output the judge must produce (used with json_schema).",
                default=DEFAULT_JSON_SCHEMA,
                advanced=True,
            ),
            Setting(
                "template_format",
                "Template format",
                Choice(TEMPLATE_FORMATS),
                "mustache ({{#reference}}...{{/reference}} sections) or curly (plain {{name}}).",
                default="mustache",
                advanced=True,
            ),
            correct_answer_key(required=False),
            threshold(),
        )
    ),
    run=_ai_critique,
    requires_llm=True,
    tags=("ai_llm",),
)
