"""ASGI middleware of the access layer: session refresh and CSRF protection.

``SessionRefreshMiddleware`` runs before routing. When a browser request (no ``Authorization``
header) carries a refresh cookie but no usable access token, it rotates the session and hands the
new access token to the guards through the scope, then sets the new cookies on the response; a
refresh that fails clears the cookies, so the browser stops presenting a dead session.

``HeaderAwareCSRFMiddleware`` is Litestar's double-submit CSRF check, skipped for requests with
an ``Authorization`` header: those are authenticated by the header alone (the guards ignore
cookies then), so a forged cross-site request gains nothing from the browser's cookies.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from agenta.core.access.resolution import REFRESHED_TOKEN_KEY
from agenta.core.access.sessions import (
    ACCESS_COOKIE,
    REFRESH_COOKIE,
    cleared_session_cookies,
    read_access_token,
    rotate_session,
    session_cookies,
)
from agenta.core.access.tokens import TokenInvalid
from agenta.platform import Platform
from agenta.settings import Settings

log = logging.getLogger("agenta.access")

# Log-out ends the session itself; refreshing it first would only resurrect its cookies.
SKIPPED_PREFIXES = ("/static", "/health", "/ready", "/logout")


def _has_authorization(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope.get("headers", []))


def _cookies(scope: Scope) -> dict[str, str]:
    jar: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, item = part.strip().partition("=")
                if key:
                    jar[key] = item
    return jar


class SessionRefreshMiddleware:
    """Rotate an expiring browser session before the request reaches its guards."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        platform: Platform = scope["litestar_app"].state.platform
        cookies = await self._refresh(scope, platform, _cookies(scope))
        if not cookies:
            await self.app(scope, receive, send)
            return

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for cookie in cookies:
                    headers.add("set-cookie", cookie.to_header(header=""))
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    def _applies(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and not str(scope.get("path", "")).startswith(SKIPPED_PREFIXES)
            and not _has_authorization(scope)
        )

    async def _refresh(self, scope: Scope, platform: Platform, jar: dict[str, str]) -> list[Cookie]:
        refresh = jar.get(REFRESH_COOKIE)
        if not refresh or _usable(platform.settings, jar.get(ACCESS_COOKIE)):
            return []
        # Commit even when the refresh is refused: a detected token reuse ends the session.
        async with platform.db.sessionmaker() as session:
            try:
                tokens = await rotate_session(session, platform.settings, refresh)
            except TokenInvalid as exc:
                await session.commit()
                log.info("session refresh refused", extra={"reason": str(exc)})
                return cleared_session_cookies(platform.settings)
            await session.commit()
        scope.setdefault("state", {})[REFRESHED_TOKEN_KEY] = tokens.access_token
        return session_cookies(platform.settings, tokens)


def _usable(settings: Settings, token: str | None) -> bool:
    if not token:
        return False
    try:
        read_access_token(settings, token)
    except TokenInvalid:
        return False
    return True


CSRF_COOKIE = "csrftoken"


class HeaderAwareCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, except for requests authenticated by an ``Authorization`` header."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_authorization(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def csrf_config(settings: Settings) -> CSRFConfig:
    """The CSRF cookie and header names the templates and htmx use."""
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_name=CSRF_COOKIE,
        header_name="x-csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude_from_csrf_key="exclude_from_csrf",
    )


def access_middleware(settings: Settings) -> list[Any]:
    """The middleware to install, outermost first."""
    from litestar.middleware import DefineMiddleware

    return [
        DefineMiddleware(SessionRefreshMiddleware),
        DefineMiddleware(HeaderAwareCSRFMiddleware, config=csrf_config(settings)),
    ]
