"""Errors of the LLM layer, and how they map onto our HTTP API.

Every failure of a provider call becomes one typed ``ProviderError`` (provider, status, message and
an error kind), whatever SDK raised it, so retry and fallback policies, traces and the services API
reason about one shape. Configuration problems (a bad prompt config, a template that does not
render, a model without credentials) are ``ValueError`` subclasses whose message names the field.

Provider 401/403/429 answers are surfaced as HTTP 424 (Failed Dependency) by our API so that a
caller never mistakes the provider's "unauthorized" or "rate limited" for Agenta's own
(agenta-behaviour.md §3.7 and §8.14).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class ErrorKind(StrEnum):
    """What went wrong with a provider call, as retry and fallback policies see it."""

    AUTH = "auth"
    PERMISSION = "permission"
    RATE_LIMIT = "rate_limit"
    SERVER = "server"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    CONTEXT_WINDOW = "context_window"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"


# Phrases providers use when a prompt does not fit the model's context window.
_CONTEXT_WINDOW_PHRASES = (
    "context length",
    "context_length",
    "context window",
    "maximum context",
    "prompt is too long",
    "too many tokens",
)


class LLMError(Exception):
    """Base class of the errors raised by ``agenta.llm``."""


class ProviderError(LLMError):
    """A provider call failed: HTTP error, timeout or connection failure.

    ``status`` is the provider's HTTP status, or ``None`` when no answer came back (timeout,
    connection refused). ``retry_after`` carries the provider's ``Retry-After`` hint in seconds.
    """

    def __init__(
        self,
        *,
        provider: str,
        status: int | None,
        message: str,
        model: str | None = None,
        kind: ErrorKind | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.provider = provider
        self.status = status
        self.message = message
        self.model = model
        self.kind = kind or classify(status, message)
        self.retry_after = retry_after
        where = f"{provider}/{model}" if model else provider
        code = f" {status}" if status is not None else ""
        super().__init__(f"{where} failed ({self.kind}{code}): {message}")


class PromptConfigError(LLMError, ValueError):
    """A prompt configuration is invalid; each entry of ``errors`` starts with the field path."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


class TemplateError(LLMError, ValueError):
    """A template could not be rendered (bad syntax, forbidden construct, render failure)."""


class UnresolvedVariablesError(TemplateError):
    """Some placeholders of a template have no value among the variables."""

    def __init__(self, names: Iterable[str], where: str | None = None) -> None:
        self.names = sorted(set(names))
        self.where = where
        location = f"{where}: " if where else ""
        super().__init__(f"{location}unresolved template variables: {', '.join(self.names)}")


class InputsError(LLMError, ValueError):
    """The inputs of a prompt call are unusable: required keys missing or a malformed history."""

    def __init__(self, errors: Iterable[str], missing: Iterable[str] = ()) -> None:
        self.errors = list(errors)
        self.missing = sorted(set(missing))
        super().__init__("; ".join(self.errors))


class CredentialsError(LLMError, ValueError):
    """No usable credentials or connection for a model; the message says what to configure.

    ``reason`` is one of ``missing-secret``, ``unknown-connection``, ``connection-model-mismatch``
    and ``unknown-provider``, matching the services error catalog.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        self.reason = reason
        super().__init__(message)


class EmbeddingsUnsupportedError(LLMError, ValueError):
    """The provider serving a model has no embeddings API (Anthropic); the message says so."""


def classify(status: int | None, message: str = "") -> ErrorKind:
    """Name the kind of a provider failure from its HTTP status and message."""
    if status is None:
        return ErrorKind.CONNECTION
    if status in (400, 413) and _mentions_context_window(message):
        return ErrorKind.CONTEXT_WINDOW
    by_status = {401: ErrorKind.AUTH, 403: ErrorKind.PERMISSION, 404: ErrorKind.NOT_FOUND}
    if status in by_status:
        return by_status[status]
    if status == 408:
        return ErrorKind.TIMEOUT
    if status == 429:
        return ErrorKind.RATE_LIMIT
    if status >= 500:
        return ErrorKind.SERVER
    return ErrorKind.BAD_REQUEST


def _mentions_context_window(message: str) -> bool:
    lowered = message.lower()
    return any(phrase in lowered for phrase in _CONTEXT_WINDOW_PHRASES)


def api_status_for(error: ProviderError) -> int:
    """The HTTP status our API answers with when a provider call failed.

    401, 403 and 429 from the provider become 424 so callers do not confuse them with our own
    authentication or rate limiting; a provider that never answered becomes 503; any other
    provider status is passed on.
    """
    if error.status in (401, 403, 429):
        return 424
    if error.status is None:
        return 503
    return error.status
