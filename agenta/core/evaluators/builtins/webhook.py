"""Webhook evaluator: POST the test case and the output to a URL; the answer is the result.

The request body is ``{"inputs": {...}, "output": "<output as text>", "outputs": <raw output>}``
(plus ``correct_answer`` when the ground-truth column exists). The server must answer 200 with
JSON: a number is a score (success when it reaches the threshold), a boolean the verdict, an
object is kept in ``details`` (its ``score``/``success`` lifted), and text is kept as
``details.value``.

The call goes through ``agenta.outbound``: private and loopback addresses are refused unless the
deployment allows them (``EvaluatorContext.allow_private_network``), redirects are not followed,
the answer is size-capped and the whole call is time-limited.
"""

from __future__ import annotations

from typing import Any

from agenta.outbound import OutboundError, OutboundResponse, post_json

from .base import BuiltinEvaluator, EvaluationCall, EvaluatorResult, result_from_value
from .errors import HookClientError, HookServerError
from .settings import Setting, SettingsSchema, Url, correct_answer_key, threshold
from .values import optional_expected_value, output_text


def webhook_payload(call: EvaluationCall) -> dict[str, Any]:
    """The JSON body sent to the webhook."""
    payload: dict[str, Any] = {
        "inputs": dict(call.inputs),
        "output": output_text(call.outputs),
        "outputs": call.outputs,
    }
    found, expected = optional_expected_value(call.inputs, call.settings["correct_answer_key"])
    if found:
        payload["correct_answer"] = expected
    return payload


async def _webhook_test(call: EvaluationCall) -> EvaluatorResult:
    url = call.settings["webhook_url"]
    context = call.context
    try:
        response = await post_json(
            url,
            webhook_payload(call),
            timeout=context.webhook_timeout_seconds,
            max_bytes=context.webhook_max_bytes,
            allow_private=context.allow_private_network,
        )
    except OutboundError as exc:
        if exc.refused:
            raise HookClientError(f"the webhook URL was refused: {exc.reason}") from exc
        raise HookServerError(f"the webhook call failed: {exc.reason}") from exc
    return result_from_answer(_answer(response), call.settings["threshold"])


def _answer(response: OutboundResponse) -> Any:
    if response.status_code != 200:
        snippet = response.body[:200].decode(errors="replace")
        raise HookServerError(f"the webhook answered HTTP {response.status_code}: {snippet}")
    try:
        return response.json()
    except OutboundError as exc:
        raise HookServerError(f"the webhook's answer is not JSON: {exc.reason}") from exc


def result_from_answer(value: Any, threshold_value: float) -> EvaluatorResult:
    """Map the webhook's JSON answer to a result (see the module docstring)."""
    result = result_from_value(value, threshold_value)
    if result is not None:
        return result
    if isinstance(value, str):
        return EvaluatorResult(details={"value": value})
    raise HookServerError(f"the webhook answered a JSON {type(value).__name__}, not a result")


WEBHOOK_TEST = BuiltinEvaluator(
    key="auto_webhook_test",
    name="Webhook test",
    description="Sends the test case and the output to your HTTP endpoint, "
    "which answers with a score, a verdict or an object of metrics.",
    settings=SettingsSchema(
        (
            Setting(
                "webhook_url",
                "Webhook URL",
                Url(),
                "http(s) endpoint receiving a JSON POST; it must answer 200 with JSON.",
                required=True,
            ),
            threshold(),
            correct_answer_key(required=False),
        )
    ),
    run=_webhook_test,
    tags=("custom",),
)
