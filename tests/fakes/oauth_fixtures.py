"""Pytest fixtures for the fake OAuth/OIDC provider (registered through ``pytest_plugins``).

One provider runs per test session (per xdist worker); ``oauth_provider`` hands each test the
same server with its user, knobs, codes and recorded requests reset before and after the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.oauth_provider import FakeOAuthProvider


@pytest.fixture(scope="session")
def oauth_provider_server() -> Iterator[FakeOAuthProvider]:
    """The session's fake provider (prefer ``oauth_provider``, which resets it per test)."""
    with FakeOAuthProvider() as provider:
        yield provider


@pytest.fixture
def oauth_provider(oauth_provider_server: FakeOAuthProvider) -> Iterator[FakeOAuthProvider]:
    """A fake OAuth 2 / OpenID Connect provider at ``oauth_provider.url``, clean for this test."""
    oauth_provider_server.reset()
    yield oauth_provider_server
    oauth_provider_server.reset()
