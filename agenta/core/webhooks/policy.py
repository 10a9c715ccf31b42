"""How deliveries are attempted: timeout, backoff, excerpt size and the private-address rule.

Retries back off exponentially with jitter: before try ``n + 1`` the delay is drawn uniformly
from the upper half of ``min(max, base * 2 ** (n - 1))``, so receivers that recover are not hit
by every delivery in the same second. The number of tries is per subscription
(``max_attempts``; ``AGENTA_WEBHOOKS_MAX_ATTEMPTS`` for subscriptions that do not say).
Everything else comes from the deployment's settings: ``AGENTA_WEBHOOKS_TIMEOUT_SECONDS``,
``AGENTA_WEBHOOKS_BACKOFF_BASE_SECONDS``, ``AGENTA_WEBHOOKS_BACKOFF_MAX_SECONDS`` and
``AGENTA_WEBHOOKS_ALLOW_PRIVATE``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from agenta.settings import WEBHOOKS_MAX_ATTEMPTS_LIMIT, Settings

DEFAULT_MAX_ATTEMPTS = Settings.webhooks_max_attempts
MAX_ATTEMPTS_LIMIT = WEBHOOKS_MAX_ATTEMPTS_LIMIT
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
    return DeliveryPolicy(
        timeout_seconds=settings.webhooks_timeout_seconds,
        backoff_base_seconds=settings.webhooks_backoff_base_seconds,
        backoff_max_seconds=settings.webhooks_backoff_max_seconds,
        allow_private=settings.webhooks_allow_private,
    )
