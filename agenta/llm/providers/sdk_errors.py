"""Translate the official SDKs' exceptions into ``ProviderError``.

The ``openai`` and ``anthropic`` SDKs share one exception design (``APIStatusError`` with the
response, ``APITimeoutError`` under ``APIConnectionError``, all under ``APIError``), so one
function serves both; it receives the SDK module so that neither SDK is imported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from agenta.llm.errors import ErrorKind, ProviderError


def translate_sdk_error(
    exc: Exception, sdk: ModuleType, *, provider: str, model: str
) -> ProviderError | None:
    """The ``ProviderError`` for an SDK exception, or ``None`` if it is not an API failure."""
    if isinstance(exc, sdk.APIStatusError):
        return ProviderError(
            provider=provider,
            status=exc.status_code,
            message=_message(exc),
            model=model,
            retry_after=_retry_after(exc.response.headers),
        )
    if isinstance(exc, sdk.APITimeoutError) and not _refused(exc):
        message = "no answer within the timeout"
        return ProviderError(
            provider=provider, status=None, message=message, model=model, kind=ErrorKind.TIMEOUT
        )
    if isinstance(exc, sdk.APIConnectionError):
        cause = exc.__cause__ or exc
        return ProviderError(
            provider=provider,
            status=None,
            message=f"cannot reach the provider: {cause}",
            model=model,
            kind=ErrorKind.CONNECTION,
        )
    if isinstance(exc, sdk.APIError):
        return ProviderError(
            provider=provider,
            status=None,
            message=_message(exc),
            model=model,
            kind=ErrorKind.SERVER,
        )
    return None


def _refused(exc: BaseException) -> bool:
    """Whether a "timeout" was a connection failure underneath.

    The openai SDK's aiohttp transport reports every aiohttp connection error, a refused
    connection included, as a connect timeout; the socket error under it tells them apart.
    """
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and not isinstance(cause, TimeoutError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            return error["message"]
    return str(getattr(exc, "message", exc))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(float(value) / scale, 0.0)
        except ValueError:
            return None
    return None
