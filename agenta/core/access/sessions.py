"""Browser sessions: a short-lived access token and a rotating refresh token, both cookies.

``login_user`` opens a session for a user (the log-in form, sign-up, OAuth callbacks and tests
all use it) and returns the tokens; ``session_cookies`` turns them into cookies (HttpOnly,
SameSite=Lax, Secure when the public URL is https). The access token lives 15 minutes and is
checked against the session row on use, so logging out ends it at once. The refresh token lives
30 days; each use replaces it (rotation) and the row remembers only the current one. Presenting
an older refresh token is treated as theft and ends the session, except within a short grace
period after a rotation, when parallel requests of one page legitimately race with the same one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from litestar.datastructures import Cookie
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.tokens import (
    ACCESS_AUDIENCE,
    REFRESH_AUDIENCE,
    TokenInvalid,
    decode_token,
    encode_token,
    encode_token_until,
)
from agenta.core.accounts.models import BrowserSession, User
from agenta.db import utcnow
from agenta.settings import Settings

log = logging.getLogger("agenta.access")

ACCESS_COOKIE = "agenta_access"
REFRESH_COOKIE = "agenta_refresh"
PROJECT_COOKIE = "agenta_project"
ACCESS_LIFETIME = timedelta(minutes=15)
REFRESH_LIFETIME = timedelta(days=30)
ROTATION_GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class SessionTokens:
    session_id: UUID
    user_id: UUID
    access_token: str
    refresh_token: str
    refresh_expires_at: datetime


@dataclass(frozen=True)
class AccessClaims:
    user_id: UUID
    session_id: UUID


def _mint(settings: Settings, row: BrowserSession) -> SessionTokens:
    subject = {"sub": str(row.user_id), "sid": str(row.id)}
    return SessionTokens(
        session_id=row.id,
        user_id=row.user_id,
        access_token=encode_token(settings, ACCESS_AUDIENCE, subject, ACCESS_LIFETIME),
        refresh_token=encode_token_until(
            settings, REFRESH_AUDIENCE, {**subject, "jti": row.refresh_jti}, row.expires_at
        ),
        refresh_expires_at=row.expires_at,
    )


async def login_user(
    session: AsyncSession, settings: Settings, user: User, *, user_agent: str = ""
) -> SessionTokens:
    """Open a browser session for ``user`` and return its tokens."""
    row = BrowserSession(
        user_id=user.id,
        refresh_jti=uuid.uuid4().hex,
        expires_at=utcnow() + REFRESH_LIFETIME,
        user_agent=user_agent[:300],
    )
    session.add(row)
    await session.flush()
    log.info("session opened", extra={"user_id": str(user.id), "session_id": str(row.id)})
    return _mint(settings, row)


def read_access_token(settings: Settings, token: str) -> AccessClaims:
    """The user and session an access token names; ``TokenInvalid`` when it is not valid."""
    claims = decode_token(settings, ACCESS_AUDIENCE, token)
    return AccessClaims(_uuid_claim(claims, "sub"), _uuid_claim(claims, "sid"))


def _uuid_claim(claims: dict[str, object], name: str) -> UUID:
    try:
        return UUID(str(claims[name]))
    except (KeyError, ValueError):
        raise TokenInvalid(f"the token's {name} claim is not valid") from None


def session_id_of_cookies(settings: Settings, cookies: Mapping[str, str]) -> UUID | None:
    """The session the browser's cookies belong to, even if its access token has expired."""
    for name, audience in ((ACCESS_COOKIE, ACCESS_AUDIENCE), (REFRESH_COOKIE, REFRESH_AUDIENCE)):
        token = cookies.get(name)
        if not token:
            continue
        try:
            return _uuid_claim(decode_token(settings, audience, token, verify_exp=False), "sid")
        except TokenInvalid:
            continue
    return None


async def active_session_user(session: AsyncSession, claims: AccessClaims) -> User | None:
    """The user of a session that is still open and whose user is not disabled."""
    return await session.scalar(
        select(User)
        .join(BrowserSession, BrowserSession.user_id == User.id)
        .where(
            BrowserSession.id == claims.session_id,
            User.id == claims.user_id,
            BrowserSession.revoked_at.is_(None),
            BrowserSession.expires_at > utcnow(),
            User.disabled.is_(False),
        )
    )


async def rotate_session(
    session: AsyncSession, settings: Settings, refresh_token: str
) -> SessionTokens:
    """Trade a refresh token for new tokens; ``TokenInvalid`` when the session cannot go on."""
    claims = decode_token(settings, REFRESH_AUDIENCE, refresh_token)
    session_id, jti = _uuid_claim(claims, "sid"), str(claims.get("jti", ""))
    row = await session.get(BrowserSession, session_id)
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise TokenInvalid("the session has ended")
    fresh = uuid.uuid4().hex
    swapped = await session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == session_id, BrowserSession.refresh_jti == jti)
        .values(refresh_jti=fresh, previous_jti=jti, rotated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.refresh(row)
    if swapped.rowcount == 1:  # type: ignore[attr-defined]
        return _mint(settings, row)
    if _within_grace(row, jti):
        return _mint(settings, row)
    row.revoked_at = utcnow()
    await session.flush()
    log.warning(
        "refresh token reused: session ended",
        extra={"user_id": str(row.user_id), "session_id": str(row.id)},
    )
    raise TokenInvalid("the refresh token was already used; the session has been ended")


def _within_grace(row: BrowserSession, jti: str) -> bool:
    return (
        row.previous_jti == jti
        and row.rotated_at is not None
        and utcnow() - row.rotated_at < ROTATION_GRACE
    )


async def end_session(session: AsyncSession, session_id: UUID) -> None:
    """Log a browser session out (its tokens stop working at once)."""
    await session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == session_id, BrowserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def end_user_sessions(
    session: AsyncSession, user_id: UUID, *, except_session_id: UUID | None = None
) -> None:
    """End every session of a user (after a password change or reset)."""
    query = update(BrowserSession).where(
        BrowserSession.user_id == user_id, BrowserSession.revoked_at.is_(None)
    )
    if except_session_id is not None:
        query = query.where(BrowserSession.id != except_session_id)
    await session.execute(query.values(revoked_at=utcnow()))


def session_cookies(settings: Settings, tokens: SessionTokens) -> list[Cookie]:
    """The two cookies carrying a session."""
    return [
        _cookie(settings, ACCESS_COOKIE, tokens.access_token, REFRESH_LIFETIME),
        _cookie(settings, REFRESH_COOKIE, tokens.refresh_token, REFRESH_LIFETIME),
    ]


def cleared_session_cookies(settings: Settings) -> list[Cookie]:
    """Cookies that delete the session and the chosen project from the browser."""
    return [
        _cookie(settings, name, "", timedelta(0))
        for name in (ACCESS_COOKIE, REFRESH_COOKIE, PROJECT_COOKIE)
    ]


def project_cookie(settings: Settings, project_id: UUID) -> Cookie:
    """The cookie remembering the project a browser works in."""
    return _cookie(settings, PROJECT_COOKIE, str(project_id), REFRESH_LIFETIME)


def _cookie(settings: Settings, name: str, value: str, lifetime: timedelta) -> Cookie:
    return Cookie(
        key=name,
        value=value,
        path="/",
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
