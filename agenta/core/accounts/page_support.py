"""Small helpers shared by the account pages: forms, flashes, redirects, the OAuth buttons."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from agenta.settings import Settings

OAUTH_PROVIDERS = (("github", "GitHub"), ("google", "Google"), ("oidc", "Single sign-on"))


def flash(category: str, message: str) -> dict[str, str]:
    """A message shown at the top of the page (category: success, info, warning, error)."""
    return {"category": category, "message": message}


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    status_code: int = 200,
    flashes: list[dict[str, str]] | None = None,
    **context: Any,
) -> Template:
    """Render an account page with the request, flashes and the CSRF token in its context."""
    from litestar.utils.scope.state import ScopeState

    token = ScopeState.from_scope(request.scope).csrf_token
    return Template(
        template,
        context={
            "request": request,
            "flashes": flashes or [],
            "csrf_token": token if isinstance(token, str) else "",
            **context,
        },
        status_code=status_code,
    )


async def form_data(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The submitted form as plain strings (repeated fields keep their last value)."""
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


def safe_next(raw: str | None, default: str = "/") -> str:
    """A local path to continue to; anything pointing elsewhere falls back to ``default``."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    return raw


def redirect(path: str, cookies: list[Cookie] | None = None) -> Redirect:
    """A 303 redirect (the browser follows it with a GET)."""
    return Redirect(path, status_code=303, cookies=cookies or [])


def oauth_buttons(settings: Settings) -> list[dict[str, str]]:
    """Log-in buttons for the OAuth providers that are configured."""
    buttons = []
    for provider, label in OAUTH_PROVIDERS:
        client = getattr(settings, f"oauth_{provider}")
        if client is not None:
            buttons.append(
                {
                    "provider": provider,
                    "label": client.name or label,
                    "url": f"/auth/oauth/{provider}/login",
                }
            )
    return buttons
