"""GitHub: the user's id and name from ``GET /user``, their address from ``GET /user/emails``.

GitHub is plain OAuth 2 (no ID token), so the profile comes from its REST API with the access
token. Only the **primary** address counts, and only when GitHub marks it verified: a secondary
address, or an unverified primary, says nothing about who may use the account with that address
here. The subject is GitHub's numeric user id (the login name can be changed).
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.httpx_client import AsyncOAuth2Client

from agenta.core.oauth.errors import provider_unreachable
from agenta.core.oauth.profiles import ExternalProfile
from agenta.core.oauth.provider_http import get_json
from agenta.core.oauth.providers import Provider

API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


async def github_profile(provider: Provider, client: AsyncOAuth2Client) -> ExternalProfile:
    """The profile of the user whose access token ``client`` holds."""
    user = await get_json(provider, f"{provider.api_url}/user", client, **API_HEADERS)
    emails = await get_json(provider, f"{provider.api_url}/user/emails", client, **API_HEADERS)
    if not isinstance(user, dict) or user.get("id") in (None, ""):
        raise provider_unreachable(provider.label)
    email, verified = primary_email(emails)
    return ExternalProfile(
        provider=provider.key,
        subject=str(user["id"]),
        email=email,
        email_verified=verified,
        name=str(user.get("name") or user.get("login") or ""),
    )


def primary_email(emails: Any) -> tuple[str | None, bool]:
    """The primary address and whether GitHub verified it (``None`` when there is none)."""
    if not isinstance(emails, list):
        return None, False
    for entry in emails:
        if isinstance(entry, dict) and entry.get("primary") is True:
            address = entry.get("email")
            return (str(address), entry.get("verified") is True) if address else (None, False)
    return None, False
