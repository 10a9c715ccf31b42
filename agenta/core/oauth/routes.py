"""The two public routes of an OAuth log-in.

``GET /auth/oauth/{provider}/login?next=/path`` starts a log-in: it keeps a new state, PKCE
verifier and nonce in the ``agenta_oauth`` cookie and redirects to the provider.
``GET /auth/oauth/{provider}/callback`` is where the provider sends the browser back: it checks
the state against the cookie, turns a refusal at the provider into a clear error, exchanges the
code, reads the profile, finds, links or creates the user, opens a session exactly as the log-in
form does (``login_user``) and redirects to ``next`` (a local path only).

Every failure answers with its own 4xx (502 when the provider is down) as the usual error page,
or JSON for clients not asking for HTML, clears the log-in cookie, rolls back any write, and logs
one line with the provider and a fixed reason: never a code, token, state or nonce.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.sessions import login_user, session_cookies
from agenta.core.accounts.page_support import safe_next
from agenta.core.oauth.errors import OAuthLoginError
from agenta.core.oauth.exchange import authorization_url, fetch_profile
from agenta.core.oauth.linking import user_for_profile
from agenta.core.oauth.pending import (
    COOKIE_NAME,
    check_callback,
    cleared_pending_cookie,
    new_pending_login,
    pending_cookie,
    unseal,
)
from agenta.core.oauth.providers import LABELS, Provider, configured_provider
from agenta.core.oauth.runtime import oidc_directory
from agenta.errors import error_body
from agenta.platform import Platform
from agenta.settings import Settings

log = logging.getLogger("agenta.oauth")

PUBLIC = {"public": True}


@get("/auth/oauth/{provider:str}/login", opt=PUBLIC, include_in_schema=False)
async def oauth_login(
    request: Request[Any, Any, Any],
    provider: FromPath[str],
    platform: NamedDependency[Platform],
    next: FromQuery[str] = "/",
) -> Response[Any]:
    settings = platform.settings
    try:
        chosen = configured_provider(settings, provider)
        pending = new_pending_login(chosen.key, safe_next(next))
        url = await authorization_url(oidc_directory(platform), settings, chosen, pending)
    except OAuthLoginError as error:
        return failure(request, settings, provider, error)
    return Redirect(url, status_code=302, cookies=[pending_cookie(settings, pending)])


@get("/auth/oauth/{provider:str}/callback", opt=PUBLIC, include_in_schema=False)
async def oauth_callback(
    request: Request[Any, Any, Any],
    provider: FromPath[str],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    settings = platform.settings
    # Read by hand: Litestar reserves the parameter name "state" for the app state.
    query = request.query_params
    code = query.get("code")
    try:
        chosen = configured_provider(settings, provider)
        pending = unseal(settings, request.cookies.get(COOKIE_NAME))
        check_callback(pending, chosen.key, query.get("state"))
        check_provider_answer(chosen, code, query.get("error"))
        profile = await fetch_profile(
            oidc_directory(platform), settings, chosen, pending, str(code)
        )
        user = await user_for_profile(
            db_session, settings, profile, label=chosen.label, next_path=pending.next_path
        )
    except OAuthLoginError as failed:
        await db_session.rollback()
        return failure(request, settings, provider, failed)
    tokens = await login_user(
        db_session, settings, user, user_agent=request.headers.get("user-agent", "")
    )
    log.info("oauth log-in", extra={"provider": chosen.key, "user_id": str(user.id)})
    cookies = [*session_cookies(settings, tokens), cleared_pending_cookie(settings)]
    return Redirect(pending.next_path, status_code=303, cookies=cookies)


def check_provider_answer(provider: Provider, code: str | None, error: str | None) -> None:
    """The provider's redirect carries a code, or says why it has none."""
    if error == "access_denied":
        raise OAuthLoginError(
            f"Log-in with {provider.label} was cancelled: access was not granted",
            reason="access_denied",
            status_code=403,
        )
    if error:
        raise OAuthLoginError(
            f"{provider.label} could not log you in; start again from the log-in page",
            reason="provider_error",
        )
    if not code:
        raise OAuthLoginError(
            f"{provider.label} sent no log-in code; start again from the log-in page",
            reason="missing_code",
        )


def failure(
    request: Request[Any, Any, Any], settings: Settings, provider: str, error: OAuthLoginError
) -> Response[Any]:
    """The error page (or JSON) for a failed log-in, logged without any secret."""
    log.warning(
        "oauth log-in failed",
        extra={
            "provider": provider if provider in LABELS else "unknown",
            "reason": error.reason,
            "status": error.status_code,
        },
    )
    cookies = [cleared_pending_cookie(settings)]
    if "text/html" in request.headers.get("accept", ""):
        return Template(
            "error.html",
            context={"status": error.status_code, "message": error.detail, "request": request},
            status_code=error.status_code,
            cookies=cookies,
        )
    return Response(
        error_body(error.status_code, error.detail), status_code=error.status_code, cookies=cookies
    )


ROUTES = [oauth_login, oauth_callback]
