"""The delivery policy follows the deployment's settings."""

from __future__ import annotations

from pathlib import Path

from agenta.core.webhooks.policy import DeliveryPolicy, policy_from
from agenta.settings import Settings


def test_timeout_and_backoff_come_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "AGENTA_DATA_DIR": str(tmp_path),
            "AGENTA_WEBHOOKS_TIMEOUT_SECONDS": "2.5",
            "AGENTA_WEBHOOKS_BACKOFF_BASE_SECONDS": "4",
            "AGENTA_WEBHOOKS_BACKOFF_MAX_SECONDS": "60",
            "AGENTA_WEBHOOKS_ALLOW_PRIVATE": "true",
        }
    )
    policy = policy_from(settings)
    assert (policy.timeout_seconds, policy.backoff_base_seconds) == (2.5, 4.0)
    assert (policy.backoff_max_seconds, policy.allow_private) == (60.0, True)
    assert all(2.0 <= policy.backoff(1) <= 4.0 for _ in range(20))
    assert all(30.0 <= policy.backoff(10) <= 60.0 for _ in range(20))


def test_without_settings_the_policy_is_the_documented_default(tmp_path: Path) -> None:
    policy = policy_from(Settings.from_env({"AGENTA_DATA_DIR": str(tmp_path)}))
    assert policy == DeliveryPolicy(timeout_seconds=10.0, backoff_base_seconds=30.0)
    assert policy.backoff_max_seconds == 3600.0
