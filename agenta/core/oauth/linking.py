"""From a provider's profile to our user: known identity, then verified address, then sign-up.

1. An identity (provider, subject) seen before logs its user in, whatever the address says now.
2. Otherwise the provider must vouch for the address (``email_verified``): an unverified one could
   be anybody's, so it neither links nor creates an account (403).
3. A user with that address gets the identity linked to them (and their address counts as
   verified from now on).
4. Else a new user is created like a sign-up (personal organization, default workspace and
   project), unless sign-up is switched off; an invitation link for exactly this address, as
   ``next``, still lets them in, as on the sign-up page.
A disabled user is refused at every step (403).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.accounts.invitations import open_invitation
from agenta.core.accounts.models import User, UserIdentity
from agenta.core.accounts.passwords import normalise_email
from agenta.core.accounts.tenancy import create_organization
from agenta.core.accounts.users import create_user, find_user_by_email
from agenta.core.oauth.errors import OAuthLoginError
from agenta.core.oauth.profiles import ExternalProfile
from agenta.errors import AppError
from agenta.settings import Settings

log = logging.getLogger("agenta.oauth")

INVITATION_PREFIX = "/invitations/"


async def user_for_profile(
    session: AsyncSession,
    settings: Settings,
    profile: ExternalProfile,
    *,
    label: str,
    next_path: str = "/",
) -> User:
    """The active user this profile logs in as, linking or creating them as needed."""
    identity = await find_identity(session, profile.provider, profile.subject)
    if identity is not None:
        user = _active(await session.get(User, identity.user_id))
        identity.email = profile.email[:320] if profile.email else None
        return user
    address = _verified_address(profile, label)
    user = await find_user_by_email(session, address)
    if user is None:
        await _ensure_signup_allowed(session, settings, address, next_path)
        user = await _sign_up(session, profile, address)
    _active(user).email_verified = True
    session.add(
        UserIdentity(
            user_id=user.id, provider=profile.provider, subject=profile.subject, email=address
        )
    )
    await session.flush()
    log.info("oauth identity linked", extra={"provider": profile.provider, "user_id": str(user.id)})
    return user


async def find_identity(session: AsyncSession, provider: str, subject: str) -> UserIdentity | None:
    """The identity a provider's subject is linked to, if any."""
    return await session.scalar(
        select(UserIdentity).where(
            UserIdentity.provider == provider, UserIdentity.subject == subject
        )
    )


def _verified_address(profile: ExternalProfile, label: str) -> str:
    if not profile.email or not profile.email_verified:
        raise OAuthLoginError(
            f"Your {label} account has no verified e-mail address. Verify your address at "
            f"{label} (for GitHub: the primary one) and try again.",
            reason="unverified_email",
            status_code=403,
        )
    try:
        return normalise_email(profile.email)
    except AppError:
        raise OAuthLoginError(
            f"The e-mail address {label} gave is not valid", reason="invalid_email"
        ) from None


async def _sign_up(session: AsyncSession, profile: ExternalProfile, address: str) -> User:
    """A new user with a personal organization, as the sign-up form makes (minus a password)."""
    user = await create_user(
        session, email=address, password=None, name=profile.name, email_verified=True
    )
    await create_organization(session, f"{user.name}'s organization", user, personal=True)
    log.info(
        "user created from oauth", extra={"provider": profile.provider, "user_id": str(user.id)}
    )
    return user


def _active(user: User | None) -> User:
    if user is None or user.disabled:
        raise OAuthLoginError(
            "This account is disabled; ask an admin", reason="disabled_user", status_code=403
        )
    return user


async def _ensure_signup_allowed(
    session: AsyncSession, settings: Settings, address: str, next_path: str
) -> None:
    if settings.signup_enabled:
        return
    if next_path.startswith(INVITATION_PREFIX):
        try:
            view = await open_invitation(session, next_path.removeprefix(INVITATION_PREFIX))
        except AppError:
            view = None
        if view is not None and view.invitation.email == address:
            return
    raise OAuthLoginError(
        "Sign-up is disabled on this server; ask an admin for an invitation",
        reason="signup_disabled",
        status_code=403,
    )
