"""Signing webhook deliveries, and the recipe receivers use to verify them.

Each delivery carries ``X-Agenta-Signature: t=<unix seconds>,v1=<hex>`` where the hex is
HMAC-SHA256, keyed with the subscription's signing secret, of the ASCII timestamp, a dot and the
raw request body exactly as received::

    signed = f"{t}.".encode() + raw_body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()

To verify, a receiver parses ``t`` and every ``v1`` from the header, recomputes ``expected``
over the bytes it received (before any JSON parsing), compares with ``hmac.compare_digest`` and
rejects timestamps older than a few minutes (replays). Several ``v1`` values may appear while a
secret is being rotated; any match is enough. ``verify_signature`` below is that recipe.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-Agenta-Signature"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


def generate_secret() -> str:
    """A new signing secret (shown to the user once, then stored encrypted)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The ``X-Agenta-Signature`` value for ``body``, signed now unless ``timestamp`` is given."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={signature(secret, moment, body)}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and is at most ``tolerance`` s old."""
    timestamp, candidates = _parse_header(header)
    if timestamp is None or not candidates:
        return False
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


def _parse_header(header: str) -> tuple[int | None, list[str]]:
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    return timestamp, candidates
