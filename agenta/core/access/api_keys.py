"""Project API keys: creation, listing, revocation and verification against the database.

A key reads ``<prefix>.<secret>``: an 8-character public prefix (shown in lists, used to find the
row and to revoke) and 64 hex characters of secret. Only the prefix and the SHA-256 of the whole
key are stored; the key itself is shown once, at creation. A key acts in its project with the
rights its creator currently has there, so removing a member disables their keys too.

Verification is the hot path of every SDK call; ``agenta.core.access.key_cache`` keeps recent
results in memory so most requests never reach this module's database lookup.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.digests import digest, digests_match
from agenta.core.accounts.models import ApiKey
from agenta.db import utcnow
from agenta.errors import AppError, NotFound

PREFIX_LENGTH = 8
PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
KEY_PATTERN = re.compile(r"^([A-Za-z0-9]{8})\.([0-9a-f]{64})$")
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class KeyRecord:
    """What a verified key stands for."""

    id: UUID
    prefix: str
    project_id: UUID
    user_id: UUID
    expires_at: datetime | None


def new_raw_key() -> str:
    """A fresh key: random prefix, dot, 64 hex characters."""
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    return f"{prefix}.{secrets.token_hex(32)}"


def split_key(raw: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` when ``raw`` has the shape of a key, else None."""
    match = KEY_PATTERN.match(raw.strip())
    return (match.group(1), match.group(2)) if match else None


async def create_api_key(
    session: AsyncSession,
    *,
    project_id: UUID,
    user_id: UUID,
    name: str = "",
    expires_at: datetime | None = None,
) -> tuple[str, ApiKey]:
    """A new key for the project; returns the raw key (shown once) and its row."""
    if expires_at is not None and expires_at <= utcnow():
        raise AppError("The expiry date of an API key must be in the future", status_code=422)
    raw = new_raw_key()
    key = ApiKey(
        project_id=project_id,
        user_id=user_id,
        prefix=raw[:PREFIX_LENGTH],
        key_hash=digest(raw),
        name=(name or "").strip()[:200],
        expires_at=expires_at,
    )
    session.add(key)
    await session.flush()
    return raw, key


async def list_api_keys(session: AsyncSession, project_id: UUID) -> list[ApiKey]:
    """The project's keys that are not revoked, newest first."""
    return list(
        await session.scalars(
            select(ApiKey)
            .where(ApiKey.project_id == project_id, ApiKey.revoked_at.is_(None))
            .order_by(ApiKey.created_at.desc())
        )
    )


async def revoke_api_key(session: AsyncSession, project_id: UUID, prefix: str) -> ApiKey:
    """Revoke the project's key with ``prefix``; ``NotFound`` for another project's key."""
    key = await session.scalar(
        select(ApiKey).where(
            ApiKey.project_id == project_id, ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None)
        )
    )
    if key is None:
        raise NotFound(f"No API key with prefix {prefix!r} in this project")
    key.revoked_at = utcnow()
    await session.flush()
    return key


class KeyRejected(Exception):
    """The key is unknown, revoked or expired; the message says which, never the key."""


async def verify_api_key(session: AsyncSession, raw: str) -> KeyRecord:
    """The record of a valid key; raises ``KeyRejected`` saying why it is not valid."""
    parts = split_key(raw)
    if parts is None:
        raise KeyRejected("The API key is malformed (expected <prefix>.<secret>)")
    key = await session.scalar(select(ApiKey).where(ApiKey.prefix == parts[0]))
    if key is None or not digests_match(raw.strip(), key.key_hash):
        raise KeyRejected("The API key is not valid")
    if key.revoked_at is not None:
        raise KeyRejected("The API key has been revoked")
    now = utcnow()
    if key.expires_at is not None and key.expires_at <= now:
        raise KeyRejected("The API key has expired")
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    return KeyRecord(key.id, key.prefix, key.project_id, key.user_id, key.expires_at)
