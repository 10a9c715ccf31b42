"""The log-in providers this server knows and how each is reached.

Three keys exist: ``github`` (plain OAuth 2, profile read from GitHub's REST API), and ``google``
and ``oidc`` (OpenID Connect: endpoints come from the discovery document and the user is known
from a signed ID token). A provider is usable only when its client id and secret are configured;
GitHub's addresses come from ``AGENTA_OAUTH_GITHUB_URL`` / ``_API_URL`` (GitHub Enterprise, or a
test server), the others from their discovery URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agenta.core.oauth.errors import OAuthLoginError
from agenta.settings import OAuthClient, Settings

ProviderKind = Literal["github", "oidc"]

LABELS = {"github": "GitHub", "google": "Google", "oidc": "Single sign-on"}
OIDC_SCOPE = "openid email profile"
GITHUB_SCOPE = "read:user user:email"


@dataclass(frozen=True)
class Provider:
    """One configured provider: its key (as in the URLs), kind, client and addresses."""

    key: str
    kind: ProviderKind
    label: str
    client: OAuthClient
    scope: str
    discovery_url: str | None = None
    authorize_url: str | None = None
    token_url: str | None = None
    api_url: str | None = None


def configured_provider(settings: Settings, key: str) -> Provider:
    """The provider behind ``/auth/oauth/{key}/…``; a 404 names an unknown or unset one."""
    if key not in LABELS:
        raise OAuthLoginError(
            f"There is no log-in provider called {key!r}", reason="unknown", status_code=404
        )
    client: OAuthClient | None = getattr(settings, f"oauth_{key}")
    if client is None:
        raise OAuthLoginError(
            f"Log-in with {LABELS[key]} is not configured on this server",
            reason="not_configured",
            status_code=404,
        )
    label = client.name or LABELS[key]
    if key == "github":
        return Provider(
            key=key,
            kind="github",
            label=label,
            client=client,
            scope=GITHUB_SCOPE,
            authorize_url=f"{settings.oauth_github_url}/login/oauth/authorize",
            token_url=f"{settings.oauth_github_url}/login/oauth/access_token",
            api_url=settings.oauth_github_api_url,
        )
    return Provider(
        key=key,
        kind="oidc",
        label=label,
        client=client,
        scope=OIDC_SCOPE,
        discovery_url=client.discovery_url,
    )


def redirect_uri(settings: Settings, provider: Provider) -> str:
    """Where the provider sends the browser back (registered with the provider)."""
    return f"{settings.public_url}/auth/oauth/{provider.key}/callback"
