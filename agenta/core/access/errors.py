"""The two ways access is refused, and how each reaches the caller.

``NotAuthenticated`` (401) means no valid credential came with the request: API callers (and any
request with an ``Authorization`` header) get the JSON error with ``WWW-Authenticate``; browsers
asking for a page are sent to ``/login`` with the
page to come back to (htmx requests get an ``HX-Redirect`` header, since htmx does not follow a
redirect into a full page). ``PermissionDenied`` (403) means the caller is known but lacks a right
in the project in scope; its message names the missing permission.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect

from agenta.errors import Forbidden, http_exception_handler

API_PREFIXES = ("/api", "/services", "/health", "/ready")


class NotAuthenticated(NotAuthorizedException):
    """No valid credential: the message says what was missing or wrong (never the secret)."""

    def __init__(self, message: str = "Authentication required") -> None:
        super().__init__(detail=message, status_code=401)


class PermissionDenied(Forbidden):
    """The caller is authenticated but may not do this here."""


def is_page_request(request: Request[Any, Any, Any]) -> bool:
    """True for browser navigation to a page (not the API, not a probe, not a program)."""
    if "authorization" in request.headers:
        return False
    return not request.url.path.startswith(API_PREFIXES)


def login_redirect_target(request: Request[Any, Any, Any]) -> str:
    """``/login?next=…`` pointing back at the page that was asked for."""
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return "/login?next=" + quote(path, safe="/")


def not_authenticated_handler(
    request: Request[Any, Any, Any], exc: NotAuthenticated
) -> Response[Any]:
    """Pages go to the login form; everything else gets the JSON 401."""
    if not is_page_request(request):
        return http_exception_handler(request, exc)
    target = login_redirect_target(request)
    if request.headers.get("hx-request") == "true":
        return Response(None, status_code=401, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


EXCEPTION_HANDLERS = {NotAuthenticated: not_authenticated_handler}
