"""Retry and fallback policies as sets of error kinds, and the backoff schedule."""

from __future__ import annotations

import pytest

from agenta.llm import ProviderError
from agenta.llm.policies import backoff_delay, should_fall_back, should_retry


def failure(status: int | None) -> ProviderError:
    return ProviderError(provider="openai", status=status, message="x")


@pytest.mark.parametrize(
    ("policy", "falls_back_on"),
    [
        ("off", set()),
        ("availability", {500, 503, None}),
        ("capacity", {500, 503, None, 429}),
        ("access", {500, 503, None, 429, 401, 403}),
        ("any", {500, 503, None, 429, 401, 403, 400, 404}),
    ],
)
def test_fallback_policies_are_cumulative(policy: str, falls_back_on: set[int | None]) -> None:
    statuses = [500, 503, None, 429, 401, 403, 400, 404]
    assert {
        status for status in statuses if should_fall_back(failure(status), policy)
    } == falls_back_on


def test_the_transient_retry_policy_skips_plain_server_errors() -> None:
    retried = [
        status
        for status in (500, 502, 503, 504, 429, None, 401)
        if should_retry(failure(status), "transient")
    ]
    assert retried == [502, 503, 504, 429, None]


def test_backoff_doubles_from_the_base_delay_and_is_capped() -> None:
    delays = [backoff_delay(retry, 500, jitter=lambda: 1.0) for retry in range(6)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_spreads_a_delay_between_half_and_all_of_it() -> None:
    assert backoff_delay(1, 100, jitter=lambda: 0.0) == pytest.approx(0.1)
    assert backoff_delay(1, 100, jitter=lambda: 0.999) == pytest.approx(0.2, abs=1e-3)


def test_a_providers_retry_after_is_honoured_up_to_thirty_seconds() -> None:
    assert backoff_delay(0, 100, retry_after=2.5, jitter=lambda: 1.0) == 2.5
    assert backoff_delay(0, 100, retry_after=600, jitter=lambda: 1.0) == 30.0
