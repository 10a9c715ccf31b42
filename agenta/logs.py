"""Structured logging: one JSON object per line, with the request id of the current request.

``RequestLogMiddleware`` takes ``X-Request-ID`` from the client (or makes one), echoes it back,
keeps it in a context variable that every log record picks up, and logs one line per request
with method, path, status and duration. Secrets never reach logs: query strings are dropped and
only the path is logged.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
}


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


# HTTP clients that log one INFO line per request: every provider call would be logged (it is
# traced already), at a CPU cost that counts when a run makes hundreds of calls a second.
_CHATTY_HTTP_LOGGERS = ("httpx", "httpx2")


def configure_logging(level: str) -> None:
    """Send our logs as JSON lines to stderr at ``level`` (idempotent).

    The HTTP clients' per-request lines are kept for ``DEBUG``; otherwise they log warnings only.
    """
    root = logging.getLogger("agenta")
    root.setLevel(level)
    number = logging.getLevelNamesMapping()[level]
    quiet = number if number <= logging.DEBUG else max(number, logging.WARNING)
    for name in _CHATTY_HTTP_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    if not any(getattr(h, "_agenta", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JSONFormatter())
        handler._agenta = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.propagate = False


class RequestLogMiddleware:
    """ASGI middleware: request ids and one access-log line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger("agenta.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # 128 random bits as 32 hex digits, like a UUID4's hex without building a UUID object.
        request_id = _incoming_request_id(scope) or os.urandom(16).hex()
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            if path not in ("/health", "/ready"):
                self.log.info(
                    "request",
                    extra={
                        "method": scope.get("method"),
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            request_id_var.reset(token)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")[:64]
            if text.replace("-", "").isalnum():
                return text
    return None
