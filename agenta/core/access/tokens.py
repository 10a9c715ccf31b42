"""Signed JSON Web Tokens: one HS256 key (the server's secret key), one audience per use.

Access tokens, refresh tokens and ``Secret`` service credentials are all JWTs signed with the
server key; the ``aud`` claim keeps them apart, so a refresh token is never accepted where an
access token is expected, and a service credential never opens a browser session. Decoding
always pins the algorithm. Errors say what is wrong (expired, bad signature, wrong kind) without
echoing the token.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import jwt

from agenta.db import utcnow
from agenta.settings import Settings

ALGORITHM = "HS256"
ACCESS_AUDIENCE = "agenta:access"
REFRESH_AUDIENCE = "agenta:refresh"
SECRET_AUDIENCE = "agenta:secret"


class TokenInvalid(Exception):
    """A token failed verification; the message is safe to log and to show."""


def encode_token(
    settings: Settings, audience: str, claims: dict[str, Any], lifetime: timedelta
) -> str:
    """Sign ``claims`` for ``audience``, valid from now for ``lifetime``."""
    now = utcnow()
    payload = {**claims, "aud": audience, "iat": now, "exp": now + lifetime}
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)


def encode_token_until(
    settings: Settings, audience: str, claims: dict[str, Any], expires_at: datetime
) -> str:
    """Sign ``claims`` for ``audience`` with a fixed expiry."""
    payload = {**claims, "aud": audience, "iat": utcnow(), "exp": expires_at}
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)


def decode_token(
    settings: Settings, audience: str, token: str, *, verify_exp: bool = True
) -> dict[str, Any]:
    """The claims of a valid token for ``audience``; ``TokenInvalid`` says why not.

    ``verify_exp=False`` accepts an expired but genuine token (only to log a session out).
    """
    try:
        return jwt.decode(  # type: ignore[no-any-return]
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            audience=audience,
            options={"require": ["exp", "aud", "sub"], "verify_exp": verify_exp},
        )
    except jwt.ExpiredSignatureError:
        raise TokenInvalid("the token has expired") from None
    except jwt.InvalidAudienceError:
        raise TokenInvalid("the token is not meant for this use") from None
    except jwt.InvalidSignatureError:
        raise TokenInvalid("the token signature is not valid") from None
    except jwt.MissingRequiredClaimError as exc:
        raise TokenInvalid(f"the token lacks the {exc.claim} claim") from None
    except jwt.InvalidTokenError:
        raise TokenInvalid("the token is malformed") from None
