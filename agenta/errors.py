"""One error format for the whole API: ``{"status", "message", "detail", "details"}``.

``message`` says what is wrong in a sentence; ``details`` carries structured specifics (which
fields failed validation, and why). ``detail`` repeats the message because the official SDK reads
that key from error responses. Pages get the same information as an HTML error page.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger("agenta.http")


class AppError(HTTPException):
    """A client error raised by service code: status, message, optional structured details."""

    status_code = 400

    def __init__(
        self, message: str, *, status_code: int | None = None, details: Any = None
    ) -> None:
        super().__init__(detail=message, status_code=status_code or self.status_code, extra=details)


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class Forbidden(AppError):
    status_code = 403


def error_body(status: int, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "message": message, "detail": message}
    if details not in (None, {}, []):
        body["details"] = details
    return body


def _validation_message(exc: ValidationException) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for item in extra[:5]:
        if isinstance(item, dict):
            key = item.get("key") or item.get("source") or "body"
            parts.append(f"{key}: {item.get('message', 'invalid')}")
    if parts:
        return "Invalid request: " + "; ".join(parts)
    return exc.detail or "Invalid request"


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        message = _validation_message(exc)
    else:
        message = exc.detail or "Error"
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException) and status == 401:
        headers.setdefault("WWW-Authenticate", "ApiKey")
    if _wants_html(request):
        return _error_page(request, status, message, headers)
    return Response(error_body(status, message, exc.extra), status_code=status, headers=headers)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error", extra={"path": request.url.path})
    status = HTTP_500_INTERNAL_SERVER_ERROR
    message = "Internal server error"
    if _wants_html(request):
        return _error_page(request, status, message)
    return Response(error_body(status, message), status_code=status)


def _error_page(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """The error page, with the CSRF token its log-out form needs.

    Errors raised before the CSRF middleware ran (no route matched, a wrong method) leave no
    token in the request; the cookie holds the same token the middleware hands to pages.
    """
    from litestar.response import Template

    from agenta.core.access.middleware import CSRF_COOKIE

    context = {
        "status": status,
        "message": message,
        "request": request,
        "csrf_token": request.cookies.get(CSRF_COOKIE, ""),
    }
    return Template("error.html", context=context, status_code=status, headers=headers)


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    if path.startswith(("/api", "/services", "/health", "/ready")):
        return False
    return "text/html" in request.headers.get("accept", "")


EXCEPTION_HANDLERS = {
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
