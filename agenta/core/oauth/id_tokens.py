"""Checking an OpenID Connect ID token: signature by the provider's keys, then its claims.

The signature is verified with the provider's published key set (JWKS), accepting only the
asymmetric algorithms the discovery document offers; a token naming an unknown key triggers one
refetch of the key set (keys rotate). The claims are then checked with Authlib's ``CodeIDToken``:
``iss`` is the discovered issuer, ``aud`` contains our client id (and ``azp``, when needed, is
us), ``exp`` has not passed (a minute of leeway for clock skew), ``nonce`` is the one this log-in
sent, and ``at_hash``, when present, matches the access token. Each failure is a 400 naming the
check that failed; the token itself is never logged or shown.
"""

from __future__ import annotations

from typing import Any

from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from agenta.core.oauth.discovery import OidcDirectory, OidcMetadata
from agenta.core.oauth.errors import OAuthLoginError
from agenta.core.oauth.providers import Provider

CLOCK_SKEW_SECONDS = 60


async def verify_id_token(
    directory: OidcDirectory,
    provider: Provider,
    metadata: OidcMetadata,
    token: dict[str, Any],
    nonce: str,
) -> dict[str, Any]:
    """The claims of the token response's ID token, once every check passed."""
    raw = token.get("id_token")
    if not isinstance(raw, str) or not raw:
        raise OAuthLoginError(
            f"{provider.label} sent no ID token", reason="missing_id_token", status_code=502
        )
    decoded = await _decode(directory, provider, metadata, raw)
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "value": metadata.issuer},
            "aud": {"essential": True, "value": provider.client.client_id},
            "sub": {"essential": True},
        },
        {
            "nonce": nonce,
            "client_id": provider.client.client_id,
            "access_token": token.get("access_token"),
        },
    )
    try:
        claims.validate(leeway=CLOCK_SKEW_SECONDS)
    except ExpiredTokenError:
        raise _invalid(provider, "it has expired", "expired_id_token") from None
    except ClaimError as exc:
        raise _claim_error(provider, exc.claim) from None
    return dict(claims)


async def _decode(
    directory: OidcDirectory, provider: Provider, metadata: OidcMetadata, raw: str
) -> jwt.Token:
    registry = JWSRegistry(algorithms=list(metadata.signing_algorithms), strict_check_header=False)
    for refresh in (False, True):
        keys = await directory.key_set(provider, metadata, refresh=refresh)
        try:
            return jwt.decode(raw, _import_keys(provider, keys), registry=registry)
        except InvalidKeyIdError:
            continue
        except JoseError:
            raise _invalid(
                provider, "its signature is not valid", "bad_id_token_signature"
            ) from None
    raise _invalid(
        provider, "it is signed with a key the provider does not publish", "unknown_id_token_key"
    )


def _import_keys(provider: Provider, keys: dict[str, Any]) -> KeySet:
    try:
        return KeySet.import_key_set(keys)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError):
        raise OAuthLoginError(
            f"The signing keys published by {provider.label} are not usable",
            reason="bad_key_set",
            status_code=502,
        ) from None


def _claim_error(provider: Provider, claim: str) -> OAuthLoginError:
    if claim == "nonce":
        return _invalid(provider, "its nonce does not match this log-in", "nonce_mismatch")
    if claim in {"iss", "aud", "azp", "sub", "exp", "iat", "at_hash"}:
        return _invalid(provider, f"its {claim} claim is wrong or missing", f"bad_id_token_{claim}")
    return _invalid(provider, "one of its claims is not valid", "bad_id_token_claims")


def _invalid(provider: Provider, why: str, reason: str) -> OAuthLoginError:
    return OAuthLoginError(f"The ID token from {provider.label} is not valid: {why}", reason=reason)
