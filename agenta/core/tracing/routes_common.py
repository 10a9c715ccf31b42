"""Helpers shared by the tracing route modules: error mapping and JSON shapes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from agenta.core.tracing.annotations import AnnotationError
from agenta.core.tracing.project_settings import SettingsError
from agenta.core.tracing.query_model import QueryError
from agenta.core.tracing.redaction import RedactionRuleError
from agenta.core.tracing.span import Span
from agenta.core.tracing.trees import read_back_span
from agenta.errors import AppError

_CLIENT_ERRORS = (QueryError, AnnotationError, SettingsError, RedactionRuleError)


@contextmanager
def client_errors() -> Iterator[None]:
    """Turn the tracing services' validation errors into 400 responses with their message."""
    try:
        yield
    except _CLIENT_ERRORS as error:
        raise AppError(str(error)) from error


def span_json(span: Span) -> dict[str, Any]:
    """The flat span as the API returns it (references safe for the SDK's models)."""
    return read_back_span(span)


def section(body: dict[str, Any] | None, key: str) -> dict[str, Any]:
    """`body[key]` as an object (missing = empty); a 400 naming `key` otherwise."""
    value = (body or {}).get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AppError(f"{key} must be an object")
    return value


def windowing(next_cursor: str | None) -> dict[str, Any]:
    """The `windowing` block of a page: where the next page starts (null at the end)."""
    return {"next": next_cursor}
