"""Provider errors: their kinds and the HTTP status our API answers with."""

from __future__ import annotations

import pytest

from agenta.llm import ErrorKind, ProviderError, api_status_for


def provider_error(status: int | None, message: str = "boom") -> ProviderError:
    return ProviderError(provider="openai", status=status, message=message, model="gpt-4o")


@pytest.mark.parametrize("status", [401, 403, 429])
def test_provider_auth_and_rate_limit_answers_become_424(status: int) -> None:
    assert api_status_for(provider_error(status)) == 424


def test_a_provider_that_never_answered_becomes_503_and_other_statuses_pass_on() -> None:
    assert api_status_for(provider_error(None)) == 503
    assert api_status_for(provider_error(400)) == 400
    assert api_status_for(provider_error(500)) == 500


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        (401, "", ErrorKind.AUTH),
        (403, "", ErrorKind.PERMISSION),
        (404, "", ErrorKind.NOT_FOUND),
        (408, "", ErrorKind.TIMEOUT),
        (429, "", ErrorKind.RATE_LIMIT),
        (503, "", ErrorKind.SERVER),
        (400, "This model's maximum context length is 128000 tokens", ErrorKind.CONTEXT_WINDOW),
        (400, "prompt is too long: 210000 tokens > 200000 maximum", ErrorKind.CONTEXT_WINDOW),
        (400, "temperature: Extra inputs are not permitted", ErrorKind.BAD_REQUEST),
        (None, "", ErrorKind.CONNECTION),
    ],
)
def test_errors_are_classified_by_status_and_message(
    status: int | None, message: str, kind: ErrorKind
) -> None:
    assert provider_error(status, message).kind == kind


def test_the_message_names_provider_model_kind_and_status() -> None:
    assert str(provider_error(429, "slow down")) == (
        "openai/gpt-4o failed (rate_limit 429): slow down"
    )
