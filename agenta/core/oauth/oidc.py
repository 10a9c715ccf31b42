"""OpenID Connect (Google, or any provider): the user from a verified ID token.

The subject, address and ``email_verified`` come from the ID token once ``verify_id_token`` has
checked it. Providers that leave the address out of the ID token (some only put it in the
UserInfo response) are asked at ``userinfo_endpoint``; that answer is used only when its ``sub``
is the ID token's, as OpenID Connect requires. An address without ``email_verified: true`` is
treated as unverified (``"true"`` as a string counts too: some providers send it so).
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.httpx_client import AsyncOAuth2Client

from agenta.core.oauth.discovery import OidcDirectory, OidcMetadata
from agenta.core.oauth.errors import OAuthLoginError
from agenta.core.oauth.id_tokens import verify_id_token
from agenta.core.oauth.profiles import ExternalProfile
from agenta.core.oauth.provider_http import get_json
from agenta.core.oauth.providers import Provider


async def oidc_profile(
    directory: OidcDirectory,
    provider: Provider,
    metadata: OidcMetadata,
    client: AsyncOAuth2Client,
    nonce: str,
) -> ExternalProfile:
    """The profile of the user the token response's ID token is about."""
    claims = await verify_id_token(directory, provider, metadata, client.token, nonce)
    if not claims.get("email") and metadata.userinfo_endpoint is not None:
        claims = await _with_userinfo(provider, metadata.userinfo_endpoint, client, claims)
    email = claims.get("email")
    return ExternalProfile(
        provider=provider.key,
        subject=str(claims["sub"]),
        email=str(email) if email else None,
        email_verified=_is_true(claims.get("email_verified")),
        name=str(claims.get("name") or claims.get("preferred_username") or ""),
    )


async def _with_userinfo(
    provider: Provider, url: str, client: AsyncOAuth2Client, claims: dict[str, Any]
) -> dict[str, Any]:
    info = await get_json(provider, url, client)
    if not isinstance(info, dict):
        return claims
    if str(info.get("sub")) != str(claims["sub"]):
        raise OAuthLoginError(
            f"{provider.label} described another user than the ID token names",
            reason="userinfo_subject_mismatch",
        )
    # The ID token stays authoritative, except for the address it did not carry.
    address = {name: info[name] for name in ("email", "email_verified") if name in info}
    return {**info, **claims, **address}


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")
