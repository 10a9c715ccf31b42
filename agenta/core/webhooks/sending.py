"""One try of a delivery over HTTP, and what its outcome means for retrying.

- a 2xx answer: delivered;
- a 5xx, 408 or 429 answer, a timeout or a connection failure: worth another try;
- any other answer (1xx, 3xx since redirects are not followed, other 4xx): the receiver
  refused it, another try would get the same answer; the delivery fails at once;
- a URL refused by the SSRF rules (``agenta.outbound``) fails at once too.
Only ``response_excerpt_bytes`` of the answer are read and kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from agenta.core.webhooks.policy import DeliveryPolicy
from agenta.outbound import OutboundError, post_bytes

Outcome = Literal["succeeded", "retry", "failed"]
RETRYABLE_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class AttemptResult:
    """What one try gave: its outcome, the answer's status, timing, excerpt and error."""

    outcome: Outcome
    status_code: int | None = None
    latency_ms: int | None = None
    response_excerpt: str | None = None
    error: str | None = None


async def send(
    url: str, body: bytes, headers: dict[str, str], policy: DeliveryPolicy
) -> AttemptResult:
    """POST ``body`` to ``url`` once and classify the result."""
    started = time.perf_counter()
    try:
        response = await post_bytes(
            url,
            body,
            headers=headers,
            timeout=policy.timeout_seconds,
            max_bytes=policy.excerpt_bytes,
            allow_private=policy.allow_private,
            truncate=True,
        )
    except OutboundError as exc:
        latency = _elapsed_ms(started)
        outcome: Outcome = "failed" if exc.refused else "retry"
        return AttemptResult(outcome, latency_ms=latency, error=exc.reason)
    excerpt = response.body.decode("utf-8", errors="replace")
    return AttemptResult(
        outcome_of(response.status_code),
        status_code=response.status_code,
        latency_ms=_elapsed_ms(started),
        response_excerpt=excerpt,
        error=None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}",
    )


def outcome_of(status_code: int) -> Outcome:
    """Whether an answer with ``status_code`` delivered, deserves a retry, or failed."""
    if 200 <= status_code < 300:
        return "succeeded"
    if status_code >= 500 or status_code in RETRYABLE_STATUSES:
        return "retry"
    return "failed"


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
