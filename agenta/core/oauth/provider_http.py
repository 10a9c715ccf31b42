"""HTTP to the providers, through Authlib's client for ``httpx2``.

``oauth_client`` is Authlib's ``AsyncOAuth2Client`` set up for one provider: it builds
authorization URLs with the PKCE S256 challenge, authenticates to the token endpoint with the
client secret, and signs API calls with the access token. ``get_json`` reads a document
(discovery, key set, profile). Every failure to reach a provider or to read its answer becomes a
502 naming the provider; the log gets the provider, the URL's path and the status, never a token.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client

from agenta.core.oauth.errors import provider_unreachable
from agenta.core.oauth.providers import Provider

log = logging.getLogger("agenta.oauth")

TIMEOUT_SECONDS = 10.0


def oauth_client(provider: Provider, **options: Any) -> AsyncOAuth2Client:
    """Authlib's client for ``provider`` (close it after use: ``async with``)."""
    return AsyncOAuth2Client(
        client_id=provider.client.client_id,
        client_secret=provider.client.client_secret,
        scope=provider.scope,
        code_challenge_method="S256",
        timeout=TIMEOUT_SECONDS,
        **options,
    )


async def get_json(
    provider: Provider, url: str, client: AsyncOAuth2Client | None = None, **headers: str
) -> Any:
    """The JSON document at ``url``; with ``client``, the call carries its access token."""
    try:
        if client is not None:
            response = await client.get(url, headers=headers)
        else:
            async with httpx2.AsyncClient(timeout=TIMEOUT_SECONDS) as plain:
                response = await plain.get(url, headers=headers)
    except httpx2.HTTPError as exc:
        log.warning(
            "oauth provider unreachable",
            extra={
                "provider": provider.key,
                "path": urlsplit(url).path,
                "error": type(exc).__name__,
            },
        )
        raise provider_unreachable(provider.label) from None
    return read_json(provider, url, response)


def read_json(provider: Provider, url: str, response: httpx2.Response) -> Any:
    """The body of a successful answer; a 502 when it failed or is not JSON."""
    if response.status_code != 200:
        log.warning(
            "oauth provider answered with an error",
            extra={
                "provider": provider.key,
                "path": urlsplit(url).path,
                "status": response.status_code,
            },
        )
        raise provider_unreachable(provider.label)
    try:
        return response.json()
    except ValueError:
        log.warning(
            "oauth provider answered with something else than JSON",
            extra={"provider": provider.key, "path": urlsplit(url).path},
        )
        raise provider_unreachable(provider.label) from None
