"""How deliveries are attempted: timeout, backoff, excerpt size and the private-address rule.

Retries back off exponentially with jitter: before try ``n + 1`` the delay is drawn uniformly
from the upper half of ``min(max, base * 2 ** (n - 1))``, so receivers that recover are not hit
by every delivery in the same second. The number of tries is per subscription
(``max_attempts``). ``allow_private`` comes from ``AGENTA_WEBHOOKS_ALLOW_PRIVATE``; the timing
knobs can be overridden through ``Settings.extra`` (``webhooks_timeout_seconds``,
``webhooks_backoff_base_seconds``, ``webhooks_backoff_max_seconds``), which tests use.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from agenta.settings import Settings

DEFAULT_MAX_ATTEMPTS = 8
MAX_ATTEMPTS_LIMIT = 20
EXCERPT_BYTES = 2048


@dataclass(frozen=True)
class DeliveryPolicy:
    """The rules every delivery attempt follows."""

    timeout_seconds: float = 10.0
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    excerpt_bytes: int = EXCERPT_BYTES
    allow_private: bool = False

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed try ``attempt`` before the next one."""
        ceiling = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)

    @property
    def lock_seconds(self) -> float:
        """How long a try may hold its delivery before it is presumed lost."""
        return self.timeout_seconds + 60.0


def policy_from(settings: Settings) -> DeliveryPolicy:
    """The delivery policy of a deployment."""
    extra = settings.extra
    defaults = DeliveryPolicy()
    return DeliveryPolicy(
        timeout_seconds=float(extra.get("webhooks_timeout_seconds", defaults.timeout_seconds)),
        backoff_base_seconds=float(
            extra.get("webhooks_backoff_base_seconds", defaults.backoff_base_seconds)
        ),
        backoff_max_seconds=float(
            extra.get("webhooks_backoff_max_seconds", defaults.backoff_max_seconds)
        ),
        allow_private=settings.webhooks_allow_private,
    )
