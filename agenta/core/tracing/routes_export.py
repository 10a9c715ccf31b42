"""Exporting traces: every trace matching a filter, streamed as CSV or JSON Lines.

- `POST /api/traces/export` with a query body (`windowing`, `filtering`, `filters`) plus
  `format` (`csv` or `jsonl`);
- `GET /api/traces/export?format=csv&oldest=...&newest=...&<filter>=<value>` for links and
  download buttons; filter names are those of the flat `filters` object.

The response streams as pages are read (see `export.py`), with a `Content-Disposition` so
browsers save it as a file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.response import Stream

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.tracing.export import EXPORT_FORMATS, MEDIA_TYPES, export_traces
from agenta.core.tracing.query_model import query_from_body
from agenta.core.tracing.routes_common import client_errors
from agenta.errors import AppError
from agenta.platform import Platform

VIEW = [requires(Permission.VIEW_SPANS)]
TAGS = ["observability"]
_NUMERIC_FILTERS = frozenset(
    ("min_latency_ms", "max_latency_ms", "min_cost", "max_cost", "min_tokens", "max_tokens")
)
_WINDOW_PARAMS = frozenset(("oldest", "newest", "order"))


@post("/api/traces/export", guards=VIEW, status_code=200, tags=TAGS)
async def export_traces_post(
    platform: NamedDependency[Platform],
    principal: NamedDependency[Principal],
    data: JSONBody[dict[str, Any]],
) -> Stream:
    """Every trace matching the body's filters, in the body's `format`."""
    return _stream(platform, principal, data, str(data.get("format") or "jsonl"))


@get("/api/traces/export", guards=VIEW, tags=TAGS)
async def export_traces_get(
    request: Request[Any, Any, Any],
    platform: NamedDependency[Platform],
    principal: NamedDependency[Principal],
) -> Stream:
    """Every trace matching the query-string filters (`format=csv|jsonl`)."""
    params = {key: value for key, value in request.query_params.items() if key != "project_id"}
    export_format = params.pop("format", "csv")
    window = {key: params.pop(key) for key in list(params) if key in _WINDOW_PARAMS}
    filters: dict[str, Any] = {}
    for key, value in params.items():
        filters[key] = _number(key, value) if key in _NUMERIC_FILTERS else value
    if "span_types" in filters:
        filters["span_types"] = str(filters["span_types"]).split(",")
    body = {"windowing": window, "filters": filters}
    return _stream(platform, principal, body, export_format)


def _stream(
    platform: Platform, principal: Principal, body: dict[str, Any], export_format: str
) -> Stream:
    if export_format not in EXPORT_FORMATS:
        raise AppError(f"format must be one of {', '.join(EXPORT_FORMATS)}, got {export_format!r}")
    with client_errors():
        query = query_from_body({key: value for key, value in body.items() if key != "format"})
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Stream(
        export_traces(platform.db, principal.project_id, query, export_format),
        media_type=MEDIA_TYPES[export_format],
        headers={"Content-Disposition": f'attachment; filename="traces-{stamp}.{export_format}"'},
    )


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise AppError(f"{name} must be a number, got {value!r}") from None


ROUTES = [export_traces_post, export_traces_get]
