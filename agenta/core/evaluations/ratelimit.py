"""Rate-limit awareness shared by every call of one run: a gate that pauses them all.

When a provider answers 429, hammering it from twenty tasks makes things worse. The first task
that sees the refusal closes the gate for a while (the provider's ``Retry-After`` if it gave
one, else an exponential backoff that grows with consecutive refusals); every task waits at the
gate before its next call, then retries. A success resets the backoff.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from agenta.llm import ErrorKind, ProviderError

T = TypeVar("T")

BASE_DELAY = 0.5
MAX_DELAY = 30.0
MAX_RATE_LIMIT_RETRIES = 6


def is_rate_limit(error: BaseException) -> bool:
    """True for a provider's 429 (after the client's own retries gave up)."""
    return isinstance(error, ProviderError) and error.kind == ErrorKind.RATE_LIMIT


class RateGate:
    """Pauses every caller after a rate-limit refusal; see the module docstring."""

    def __init__(self, *, base_delay: float = BASE_DELAY, max_delay: float = MAX_DELAY) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.refusals = 0
        self._open_at = 0.0

    async def ready(self) -> None:
        """Wait until the gate is open."""
        while (wait := self._open_at - time.monotonic()) > 0:
            await asyncio.sleep(wait)

    def refused(self, retry_after: float | None) -> float:
        """Close the gate after a 429; returns how long it stays closed."""
        self.refusals += 1
        backoff = min(self.max_delay, self.base_delay * 2 ** (self.refusals - 1))
        delay = max(backoff * (0.5 + random.random() / 2), min(retry_after or 0.0, self.max_delay))
        self._open_at = max(self._open_at, time.monotonic() + delay)
        return delay

    def succeeded(self) -> None:
        self.refusals = 0

    async def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run ``make()`` behind the gate, retrying it after 429s a bounded number of times."""
        for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            await self.ready()
            try:
                result = await make()
            except ProviderError as error:
                if not is_rate_limit(error) or attempt == MAX_RATE_LIMIT_RETRIES:
                    raise
                self.refused(error.retry_after)
                continue
            self.succeeded()
            return result
        raise AssertionError("unreachable: the last attempt returns or raises")
