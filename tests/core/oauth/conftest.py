"""Settings for OAuth tests: GitHub, Google and a generic OIDC provider, all the fake provider."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from agenta.settings import Settings
from tests.fakes.oauth_provider import FakeOAuthProvider


@pytest.fixture
def settings(
    make_settings: Callable[..., Settings], database_url: str, oauth_provider: FakeOAuthProvider
) -> Settings:
    """The suite's settings with every provider pointing at ``oauth_provider``."""
    return make_settings(database_url, job_poll_interval=0.05, **oauth_overrides(oauth_provider))


def oauth_overrides(provider: FakeOAuthProvider, **changes: Any) -> dict[str, Any]:
    return {
        "oauth_oidc": provider.oauth_client("Fake SSO"),
        "oauth_google": provider.oauth_client(),
        **provider.github_settings(),
        **changes,
    }
