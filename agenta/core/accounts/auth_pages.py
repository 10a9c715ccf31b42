"""Pages that open and close sessions: sign-up, log-in, log-out and password reset.

All are public. Log-in failures say only "wrong e-mail or password" (never which), are logged
without the password, and are rate-limited per address and per client (429 with Retry-After).
Sign-up can be switched off (``AGENTA_SIGNUP_ENABLED=false``); an invitation link still lets the
invited address create its account. ``next`` parameters are followed only to local paths.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.resolution import client_address
from agenta.core.access.runtime import access_runtime
from agenta.core.access.sessions import (
    cleared_session_cookies,
    end_session,
    login_user,
    session_cookies,
    session_id_of_cookies,
)
from agenta.core.accounts.invitations import open_invitation
from agenta.core.accounts.mail import send_account_mail
from agenta.core.accounts.page_support import (
    flash,
    form_data,
    oauth_buttons,
    page,
    redirect,
    safe_next,
)
from agenta.core.accounts.password_resets import (
    request_password_reset,
    reset_password,
    reset_url,
)
from agenta.core.accounts.users import check_credentials, sign_up
from agenta.errors import AppError
from agenta.platform import Platform
from agenta.settings import Settings

log = logging.getLogger("agenta.access")

PUBLIC = {"public": True}


@get("/login", opt=PUBLIC, include_in_schema=False)
async def login_page(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings], next: FromQuery[str] = "/"
) -> Template:
    return page(
        request,
        "accounts/login.html",
        next=safe_next(next),
        email="",
        oauth=oauth_buttons(settings),
        signup_enabled=settings.signup_enabled,
    )


@post("/login", opt=PUBLIC, include_in_schema=False)
async def login_submit(
    request: Request[Any, Any, Any],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Redirect | Template:
    form = await form_data(request)
    email, password = form.get("email", "").strip(), form.get("password", "")
    limiter = access_runtime(platform).login_limiter
    address = client_address(request)
    message = "Too many failed log-ins"
    await limiter.check(f"ip:{address}", message)
    await limiter.check(f"email:{email.lower()}", message)
    user = await check_credentials(db_session, email, password)
    if user is None:
        await limiter.record_failure(f"ip:{address}")
        await limiter.record_failure(f"email:{email.lower()}")
        log.info("log-in failed", extra={"reason": "wrong e-mail or password"})
        return page(
            request,
            "accounts/login.html",
            status_code=400,
            flashes=[flash("error", "Wrong e-mail or password")],
            next=safe_next(form.get("next")),
            email=email,
            oauth=oauth_buttons(platform.settings),
            signup_enabled=platform.settings.signup_enabled,
        )
    await limiter.reset(f"email:{email.lower()}")
    tokens = await login_user(
        db_session, platform.settings, user, user_agent=request.headers.get("user-agent", "")
    )
    return redirect(safe_next(form.get("next")), session_cookies(platform.settings, tokens))


@get("/signup", opt=PUBLIC, include_in_schema=False)
async def signup_page(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    next: FromQuery[str] = "/",
    email: FromQuery[str] = "",
) -> Template:
    return page(
        request,
        "accounts/signup.html",
        next=safe_next(next),
        email=email,
        name="",
        signup_enabled=settings.signup_enabled or next.startswith("/invitations/"),
        oauth=oauth_buttons(settings),
    )


@post("/signup", opt=PUBLIC, include_in_schema=False)
async def signup_submit(
    request: Request[Any, Any, Any],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Redirect | Template:
    form = await form_data(request)
    target = safe_next(form.get("next"))
    email, name = form.get("email", "").strip(), form.get("name", "").strip()
    try:
        await _check_signup_allowed(db_session, platform.settings, target, email)
        user, _ = await sign_up(
            db_session, email=email, password=form.get("password", ""), name=name
        )
    except AppError as exc:
        return page(
            request,
            "accounts/signup.html",
            status_code=exc.status_code,
            flashes=[flash("error", exc.detail)],
            next=target,
            email=email,
            name=name,
            signup_enabled=True,
            oauth=oauth_buttons(platform.settings),
        )
    tokens = await login_user(
        db_session, platform.settings, user, user_agent=request.headers.get("user-agent", "")
    )
    return redirect(target, session_cookies(platform.settings, tokens))


async def _check_signup_allowed(
    session: AsyncSession, settings: Settings, target: str, email: str
) -> None:
    """Open sign-up, or an invitation link for exactly this address."""
    if settings.signup_enabled:
        return
    if target.startswith("/invitations/"):
        view = await open_invitation(session, target.removeprefix("/invitations/"))
        if view.invitation.email == email.strip().lower():
            return
    raise AppError(
        "Sign-up is disabled on this server; ask an admin for an invitation", status_code=403
    )


@post("/logout", opt=PUBLIC, include_in_schema=False)
async def logout(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    session_id = session_id_of_cookies(settings, request.cookies)
    if session_id is not None:
        await end_session(db_session, session_id)
    return redirect("/login", cleared_session_cookies(settings))


@get("/password-reset", opt=PUBLIC, include_in_schema=False)
async def reset_request_page(request: Request[Any, Any, Any]) -> Template:
    return page(request, "accounts/password_reset_request.html", sent=False)


@post("/password-reset", opt=PUBLIC, include_in_schema=False)
async def reset_request_submit(
    request: Request[Any, Any, Any],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    form = await form_data(request)
    limiter = access_runtime(platform).login_limiter
    await limiter.check(f"reset-ip:{client_address(request)}", "Too many reset requests")
    await limiter.record_failure(f"reset-ip:{client_address(request)}")
    issued = await request_password_reset(db_session, form.get("email", ""))
    if issued is not None:
        user, token = issued
        await send_account_mail(
            platform.settings,
            user.email,
            "Reset your Agenta password",
            f"Set a new password here (valid one hour): {reset_url(platform.settings, token)}",
        )
    return page(request, "accounts/password_reset_request.html", sent=True)


@get("/password-reset/{token:str}", opt=PUBLIC, include_in_schema=False)
async def reset_page(request: Request[Any, Any, Any], token: FromPath[str]) -> Template:
    return page(request, "accounts/password_reset.html", token=token)


@post("/password-reset/{token:str}", opt=PUBLIC, include_in_schema=False)
async def reset_submit(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    db_session: NamedDependency[AsyncSession],
) -> Redirect | Template:
    form = await form_data(request)
    try:
        await reset_password(db_session, token, form.get("password", ""))
    except AppError as exc:
        return page(
            request,
            "accounts/password_reset.html",
            status_code=exc.status_code,
            flashes=[flash("error", exc.detail)],
            token=token,
        )
    return redirect("/login?reset=1")


ROUTES = [
    login_page,
    login_submit,
    signup_page,
    signup_submit,
    logout,
    reset_request_page,
    reset_request_submit,
    reset_page,
    reset_submit,
]
