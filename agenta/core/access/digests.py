"""Random tokens and their stored digests.

Invitation and reset tokens and API key secrets are 32 random bytes, so a single SHA-256 is a
safe way to store them (there is nothing to brute-force); comparisons are constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token."""
    return secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    """The hex SHA-256 of ``token``, as stored in the database."""
    return hashlib.sha256(token.encode()).hexdigest()


def digests_match(token: str, stored_digest: str) -> bool:
    """Compare ``token`` with a stored digest in constant time."""
    return hmac.compare_digest(digest(token), stored_digest)
