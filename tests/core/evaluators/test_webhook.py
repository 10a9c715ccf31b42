"""The webhook evaluator against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

from agenta.core.evaluators.builtins import EvaluatorContext
from tests.core.evaluators.conftest import Evaluate
from tests.core.evaluators.local_http import (
    CannedResponse,
    LocalHTTPServer,
    RecordedRequest,
    json_response,
)

LOCAL = EvaluatorContext(allow_private_network=True)


def answering(value: Any) -> LocalHTTPServer:
    return LocalHTTPServer(lambda request: json_response(value))


async def test_it_posts_the_test_case_and_the_output(evaluate: Evaluate) -> None:
    with answering(1) as server:
        await evaluate(
            "auto_webhook_test",
            {"webhook_url": server.url("/score")},
            {"question": "2+2?", "correct_answer": "4"},
            {"text": "4"},
            context=LOCAL,
        )
    request = server.requests[0]
    assert request.path == "/score"
    assert request.json() == {
        "inputs": {"question": "2+2?", "correct_answer": "4"},
        "output": '{"text": "4"}',
        "outputs": {"text": "4"},
        "correct_answer": "4",
    }


@pytest.mark.parametrize(
    ("answer", "score", "success", "details"),
    [
        (0.8, 0.8, True, {}),
        (0.2, 0.2, False, {}),
        (True, None, True, {}),
        ({"score": 0.6, "tone": "polite"}, 0.6, True, {"score": 0.6, "tone": "polite"}),
        ({"accuracy": 0.1, "fluency": 0.9}, None, None, {"accuracy": 0.1, "fluency": 0.9}),
        ("looks fine", None, None, {"value": "looks fine"}),
    ],
)
async def test_it_maps_the_answer_to_a_result(
    evaluate: Evaluate, answer: Any, score: Any, success: Any, details: dict[str, Any]
) -> None:
    with answering(answer) as server:
        result = await evaluate(
            "auto_webhook_test", {"webhook_url": server.url()}, {}, "x", context=LOCAL
        )
    assert result.error is None
    assert (result.score, result.success, result.details) == (score, success, details)


async def test_a_private_address_is_refused_unless_the_deployment_allows_it(
    evaluate: Evaluate,
) -> None:
    with answering(1) as server:
        result = await evaluate(
            "auto_webhook_test", {"webhook_url": server.url()}, {}, "x", context=EvaluatorContext()
        )
    assert server.requests == []
    assert result.error_type == "workflows:custom-hook-client-error"
    assert "loopback" in (result.error or "")


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest", "http://10.0.0.5/hook"])
async def test_metadata_and_internal_addresses_are_refused(evaluate: Evaluate, url: str) -> None:
    result = await evaluate("auto_webhook_test", {"webhook_url": url}, {}, "x")
    assert result.error_type == "workflows:custom-hook-client-error"


async def test_an_error_status_is_a_server_error(evaluate: Evaluate) -> None:
    def fail(request: RecordedRequest) -> CannedResponse:
        return CannedResponse(status=500, body=b"database down")

    with LocalHTTPServer(fail) as server:
        result = await evaluate(
            "auto_webhook_test", {"webhook_url": server.url()}, {}, "x", context=LOCAL
        )
    assert result.error_type == "workflows:custom-hook-server-error"
    assert result.error == "the webhook answered HTTP 500: database down"


async def test_an_answer_that_is_not_json_is_a_server_error(evaluate: Evaluate) -> None:
    with LocalHTTPServer(lambda request: CannedResponse(body=b"OK")) as server:
        result = await evaluate(
            "auto_webhook_test", {"webhook_url": server.url()}, {}, "x", context=LOCAL
        )
    assert result.error_type == "workflows:custom-hook-server-error"
    assert "not JSON" in (result.error or "")


async def test_a_slow_webhook_times_out(evaluate: Evaluate) -> None:
    context = EvaluatorContext(allow_private_network=True, webhook_timeout_seconds=0.3)
    with LocalHTTPServer(lambda request: CannedResponse(delay_seconds=2)) as server:
        result = await evaluate(
            "auto_webhook_test", {"webhook_url": server.url()}, {}, "x", context=context
        )
    assert result.error_type == "workflows:custom-hook-server-error"
    assert "within 0.3 s" in (result.error or "")


async def test_an_oversized_answer_is_refused(evaluate: Evaluate) -> None:
    context = EvaluatorContext(allow_private_network=True, webhook_max_bytes=100)
    with answering({"padding": "x" * 500}) as server:
        result = await evaluate(
            "auto_webhook_test", {"webhook_url": server.url()}, {}, "x", context=context
        )
    assert "larger than the 100-byte limit" in (result.error or "")


async def test_the_url_setting_is_required(evaluate: Evaluate) -> None:
    result = await evaluate("auto_webhook_test", {}, {}, "x")
    assert result.error == "setting 'webhook_url': is required"
