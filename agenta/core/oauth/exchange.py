"""The authorization code flow with a provider: the redirect there, and the way back.

``authorization_url`` sends the browser to the provider with our client id, the redirect URI,
the scope, this log-in's ``state``, the PKCE S256 challenge of its verifier and, for OpenID
Connect, its ``nonce``. ``fetch_profile`` trades the code for tokens at the token endpoint (client
secret and PKCE verifier included, so a stolen code is useless) and reads the user's profile.
A code the provider refuses is a 400 naming the OAuth error code; a provider that cannot be
reached, or answers nonsense, is a 502.
"""

from __future__ import annotations

import logging

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from agenta.core.oauth.discovery import OidcDirectory
from agenta.core.oauth.errors import OAuthLoginError, provider_unreachable
from agenta.core.oauth.github import github_profile
from agenta.core.oauth.oidc import oidc_profile
from agenta.core.oauth.pending import PendingLogin
from agenta.core.oauth.profiles import ExternalProfile
from agenta.core.oauth.provider_http import oauth_client
from agenta.core.oauth.providers import Provider, redirect_uri
from agenta.settings import Settings

log = logging.getLogger("agenta.oauth")


async def authorization_url(
    directory: OidcDirectory, settings: Settings, provider: Provider, pending: PendingLogin
) -> str:
    """The provider's authorization URL for this log-in."""
    if provider.kind == "oidc":
        endpoint = (await directory.metadata(provider)).authorization_endpoint
        extra = {"nonce": pending.nonce}
    else:
        endpoint, extra = str(provider.authorize_url), {}
    async with oauth_client(provider, redirect_uri=redirect_uri(settings, provider)) as client:
        url, _ = client.create_authorization_url(
            endpoint, state=pending.state, code_verifier=pending.code_verifier, **extra
        )
    return str(url)


async def fetch_profile(
    directory: OidcDirectory,
    settings: Settings,
    provider: Provider,
    pending: PendingLogin,
    code: str,
) -> ExternalProfile:
    """Exchange ``code`` (with the PKCE verifier) and read who logged in."""
    metadata = await directory.metadata(provider) if provider.kind == "oidc" else None
    token_url = metadata.token_endpoint if metadata is not None else str(provider.token_url)
    async with oauth_client(provider, redirect_uri=redirect_uri(settings, provider)) as client:
        await _exchange(provider, client, token_url, code, pending.code_verifier)
        if metadata is None:
            return await github_profile(provider, client)
        return await oidc_profile(directory, provider, metadata, client, pending.nonce)


async def _exchange(
    provider: Provider, client: AsyncOAuth2Client, url: str, code: str, verifier: str
) -> None:
    try:
        token = await client.fetch_token(
            url, grant_type="authorization_code", code=code, code_verifier=verifier
        )
    except OAuthError as exc:
        error = _error_code(exc.error)
        log.warning("oauth code refused", extra={"provider": provider.key, "error": error})
        raise OAuthLoginError(
            f"{provider.label} refused the log-in code ({error}); start again from the log-in page",
            reason="code_refused",
        ) from None
    except (httpx2.HTTPError, ValueError) as exc:
        log.warning(
            "oauth token endpoint failed",
            extra={"provider": provider.key, "error": type(exc).__name__},
        )
        raise provider_unreachable(provider.label) from None
    if not token.get("access_token"):
        raise provider_unreachable(provider.label)


def _error_code(raw: object) -> str:
    """An OAuth error code as the provider sent it, if it looks like one (it is shown)."""
    text = str(raw or "")
    return text if text and len(text) <= 64 and text.replace("_", "").isalnum() else "error"
