"""Password reset by token: request a link, then set a new password with it.

Requesting a reset never says whether the address has an account (the page answers the same
either way). The token is random, stored as its digest, valid one hour and usable once; using
it sets the password and ends every session of the user.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.digests import digest, new_token
from agenta.core.access.sessions import end_user_sessions
from agenta.core.accounts.models import PasswordReset, User
from agenta.core.accounts.users import find_user_by_email, set_password
from agenta.db import utcnow
from agenta.errors import AppError
from agenta.settings import Settings

RESET_LIFETIME = timedelta(hours=1)


def reset_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/password-reset/{token}"


async def request_password_reset(session: AsyncSession, email: str) -> tuple[User, str] | None:
    """A fresh reset token for an active account with this address, or None."""
    try:
        user = await find_user_by_email(session, email)
    except AppError:
        return None
    if user is None or user.disabled:
        return None
    token = new_token()
    session.add(
        PasswordReset(
            user_id=user.id, token_hash=digest(token), expires_at=utcnow() + RESET_LIFETIME
        )
    )
    await session.flush()
    return user, token


async def reset_password(session: AsyncSession, token: str, new_password: str) -> User:
    """Set a new password with a reset token and end the user's sessions."""
    reset = await session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == digest(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        raise AppError("This password reset link is not valid or has expired", status_code=410)
    user = await session.get(User, reset.user_id)
    if user is None or user.disabled:
        raise AppError("This password reset link is not valid or has expired", status_code=410)
    await set_password(session, user, new_password)
    await session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    await end_user_sessions(session, user.id)
    return user
