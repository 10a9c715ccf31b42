"""Which provider failures are retried, which fall back to the next model, and how long to wait.

Policies are cumulative sets of error kinds (agenta-behaviour.md §3.4):

* fallback ``off`` < ``availability`` (5xx, timeouts, connection failures) < ``capacity`` (+429)
  < ``access`` (+401/403) < ``context`` (+context window exceeded) < ``any`` (every failure);
* retry ``off``, ``availability`` and ``capacity`` as above; ``transient`` retries what usually
  passes by itself (timeouts, connection failures, 429 and 502/503/504/529, but not a plain 500,
  which is often the request's fault); ``any`` retries every failure.

Backoff doubles from ``base_delay`` (capped at 8 s) with jitter between half and all of it, so
concurrent callers do not retry in lockstep; a provider's ``Retry-After`` is honoured up to 30 s.
"""

from __future__ import annotations

from collections.abc import Callable

from agenta.llm.errors import ErrorKind, ProviderError

_AVAILABILITY = frozenset({ErrorKind.SERVER, ErrorKind.TIMEOUT, ErrorKind.CONNECTION})
_CAPACITY = _AVAILABILITY | {ErrorKind.RATE_LIMIT}
_ACCESS = _CAPACITY | {ErrorKind.AUTH, ErrorKind.PERMISSION}
_CONTEXT = _ACCESS | {ErrorKind.CONTEXT_WINDOW}
_EVERY = frozenset(ErrorKind)

FALLBACK_KINDS: dict[str, frozenset[ErrorKind]] = {
    "off": frozenset(),
    "availability": _AVAILABILITY,
    "capacity": _CAPACITY,
    "access": _ACCESS,
    "context": _CONTEXT,
    "any": _EVERY,
}
RETRY_KINDS: dict[str, frozenset[ErrorKind]] = {
    "off": frozenset(),
    "availability": _AVAILABILITY,
    "capacity": _CAPACITY,
    "transient": frozenset({ErrorKind.TIMEOUT, ErrorKind.CONNECTION, ErrorKind.RATE_LIMIT}),
    "any": _EVERY,
}
_TRANSIENT_SERVER_STATUSES = frozenset({502, 503, 504, 529})
_MAX_BACKOFF = 8.0
_MAX_RETRY_AFTER = 30.0


def should_retry(error: ProviderError, policy: str) -> bool:
    """Whether ``error`` is worth another try of the same model under retry ``policy``."""
    if policy == "transient" and error.kind == ErrorKind.SERVER:
        return error.status is None or error.status in _TRANSIENT_SERVER_STATUSES
    return error.kind in RETRY_KINDS[policy]


def should_fall_back(error: ProviderError, policy: str) -> bool:
    """Whether ``error`` moves the call on to the next fallback model under ``policy``."""
    return error.kind in FALLBACK_KINDS[policy]


def backoff_delay(
    retry: int,
    base_delay_ms: int,
    *,
    retry_after: float | None = None,
    jitter: Callable[[], float],
) -> float:
    """Seconds to wait before retry number ``retry`` (0 for the first retry).

    ``jitter`` returns a number in [0, 1) (``random.random``; tests pass a constant).
    """
    ceiling = min(base_delay_ms / 1000 * 2**retry, _MAX_BACKOFF)
    delay = ceiling * (0.5 + jitter() / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, _MAX_RETRY_AFTER))
    return delay
