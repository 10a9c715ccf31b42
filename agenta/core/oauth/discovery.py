"""OpenID Connect discovery and signing keys, cached per provider for an hour.

A provider's discovery URL may be given as the document's address or as the issuer itself (the
``/.well-known/openid-configuration`` suffix is added then). As OpenID Connect Discovery demands,
the document's ``issuer`` must be the URL it was fetched under, minus that suffix: a document
claiming another issuer is refused, since ID tokens are checked against it. Key sets are fetched
again when a token names a key the cached set lacks (the provider rotated its keys).

``OidcDirectory`` holds the cache; one lives per process in ``platform.services`` (see
``runtime``). Only plain data is cached, so it is safe across event loops.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from agenta.core.oauth.errors import OAuthLoginError
from agenta.core.oauth.provider_http import get_json
from agenta.core.oauth.providers import Provider

WELL_KNOWN = "/.well-known/openid-configuration"
CACHE_SECONDS = 3600.0
# Symmetric algorithms would make the client secret a signing key; none is never acceptable.
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)


@dataclass(frozen=True)
class OidcMetadata:
    """The parts of a discovery document a log-in uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    signing_algorithms: tuple[str, ...]


def document_url(discovery_url: str) -> str:
    """The discovery document's address, given it or the issuer."""
    url = discovery_url.rstrip("/")
    return url if url.endswith(WELL_KNOWN) else url + WELL_KNOWN


def parse_metadata(provider: Provider, url: str, document: Any) -> OidcMetadata:
    """Check and keep the fields a log-in needs; a 502 names what is missing or wrong."""
    if not isinstance(document, dict):
        raise _bad_document(provider, "it is not a JSON object")
    missing = [
        name
        for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not isinstance(document.get(name), str) or not document[name]
    ]
    if missing:
        raise _bad_document(provider, f"it lacks {', '.join(missing)}")
    issuer = document["issuer"]
    if issuer.rstrip("/") != url.removesuffix(WELL_KNOWN).rstrip("/"):
        raise _bad_document(provider, "its issuer is not the address it was read from")
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = tuple(alg for alg in offered if alg in ASYMMETRIC_ALGORITHMS)
    if not algorithms:
        raise _bad_document(provider, "it offers no asymmetric ID token signing algorithm")
    userinfo = document.get("userinfo_endpoint")
    return OidcMetadata(
        issuer=issuer,
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        userinfo_endpoint=userinfo if isinstance(userinfo, str) and userinfo else None,
        signing_algorithms=algorithms,
    )


def _bad_document(provider: Provider, why: str) -> OAuthLoginError:
    return OAuthLoginError(
        f"The OpenID Connect discovery document of {provider.label} is not usable: {why}",
        reason="bad_discovery_document",
        status_code=502,
    )


@dataclass
class OidcDirectory:
    """Discovery documents and key sets by URL, each kept ``ttl`` seconds."""

    ttl: float = CACHE_SECONDS
    _documents: dict[str, tuple[float, OidcMetadata]] = field(default_factory=dict)
    _key_sets: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)

    async def metadata(self, provider: Provider) -> OidcMetadata:
        """The provider's endpoints, from cache or freshly discovered."""
        if provider.discovery_url is None:
            raise ValueError(f"{provider.key} has no discovery URL")
        url = document_url(provider.discovery_url)
        cached = self._documents.get(url)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        metadata = parse_metadata(provider, url, await get_json(provider, url))
        self._documents[url] = (time.monotonic(), metadata)
        return metadata

    async def key_set(
        self, provider: Provider, metadata: OidcMetadata, *, refresh: bool = False
    ) -> dict[str, Any]:
        """The provider's JSON Web Key Set (``refresh`` skips the cache)."""
        cached = self._key_sets.get(metadata.jwks_uri)
        if not refresh and cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        keys = await get_json(provider, metadata.jwks_uri)
        if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
            raise OAuthLoginError(
                f"The signing keys published by {provider.label} are not a JSON Web Key Set",
                reason="bad_key_set",
                status_code=502,
            )
        self._key_sets[metadata.jwks_uri] = (time.monotonic(), keys)
        return keys
