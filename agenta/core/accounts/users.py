"""Users: sign-up, lookup, password checks and changes.

``sign_up`` is the one way an account is created with a password (the pages, the API and
``agenta users create`` all call it): it normalises the e-mail, refuses duplicates, hashes the
password and creates the user's personal organization with its default workspace and project.
``create_user`` is the lower-level step that OAuth logins reuse (no password, verified e-mail).
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.accounts.models import User
from agenta.core.accounts.passwords import (
    burn_time_for_unknown_user,
    hash_password,
    normalise_email,
    verify_password,
)
from agenta.core.accounts.tenancy import Tenancy, create_organization
from agenta.errors import AppError, Conflict, NotFound


async def get_user(session: AsyncSession, user_id: UUID) -> User:
    """The user with ``user_id``; ``NotFound`` otherwise."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist")
    return user


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this address (any spelling of its case), or None."""
    return await session.scalar(select(User).where(User.email == normalise_email(email)))


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str | None,
    name: str = "",
    email_verified: bool = False,
) -> User:
    """A user row only (no organization); ``Conflict`` when the address is taken."""
    address = normalise_email(email)
    if await session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"An account with the e-mail address {address} already exists")
    user = User(
        email=address,
        name=(name or "").strip()[:200] or address.split("@")[0],
        password_hash=hash_password(password) if password is not None else None,
        email_verified=email_verified,
    )
    session.add(user)
    await session.flush()
    return user


async def sign_up(
    session: AsyncSession, *, email: str, password: str | None, name: str = ""
) -> tuple[User, Tenancy]:
    """A new user with a personal organization, default workspace and default project."""
    user = await create_user(session, email=email, password=password, name=name)
    tenancy = await create_organization(session, f"{user.name}'s organization", user, personal=True)
    return user, tenancy


async def check_credentials(session: AsyncSession, email: str, password: str) -> User | None:
    """The active user whose password this is, or None (unknown, wrong, or disabled)."""
    try:
        address = normalise_email(email)
    except AppError:
        burn_time_for_unknown_user(password)
        return None
    user = await session.scalar(select(User).where(User.email == address))
    if user is None:
        burn_time_for_unknown_user(password)
        return None
    check = verify_password(user.password_hash, password)
    if not check.valid or user.disabled:
        return None
    if check.needs_rehash:
        user.password_hash = hash_password(password)
    return user


async def set_password(session: AsyncSession, user: User, new_password: str) -> None:
    """Replace the user's password (callers revoke the user's sessions alongside)."""
    user.password_hash = hash_password(new_password)
    await session.flush()


async def update_profile(session: AsyncSession, user: User, *, name: str) -> User:
    """Change the user's display name."""
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > 200:
        raise AppError("The name must be between 1 and 200 characters long", status_code=422)
    user.name = cleaned
    await session.flush()
    return user
