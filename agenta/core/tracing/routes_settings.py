"""A project's observability settings over the API: retention, redaction rules, preview.

- `GET /api/observability/settings`: `{retention_days, redaction_rules}`;
- `PUT /api/observability/settings` (project admins): change either or both; rules are
  validated (a bad rule is refused with its name and problem) and apply to exports
  received from then on (other server processes within a few seconds);
- `POST /api/observability/redaction/preview`: what `rules` (saved or not) would change in
  sample spans: the given flat `spans`, the spans of `trace_ids`, or else the project's
  latest `limit` spans. Nothing is modified.
"""

from __future__ import annotations

from typing import Any

from litestar import get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.tracing.project_settings import (
    ProjectTracingSettings,
    read_settings,
    save_settings,
)
from agenta.core.tracing.query import query_spans
from agenta.core.tracing.query_model import SpanQuery
from agenta.core.tracing.redaction import preview
from agenta.core.tracing.routes_common import client_errors
from agenta.core.tracing.runtime import runtime_of
from agenta.core.tracing.span import Span, span_from_dict
from agenta.core.tracing.store import load_spans
from agenta.errors import AppError
from agenta.platform import Platform

VIEW = [requires(Permission.VIEW_SPANS)]
EDIT = [requires(Permission.EDIT_PROJECT)]
TAGS = ["observability"]
PREVIEW_DEFAULT = 20
PREVIEW_MAX = 200


@get("/api/observability/settings", guards=VIEW, tags=TAGS)
async def read_tracing_settings(
    db_session: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> dict[str, Any]:
    """The project's retention and redaction rules."""
    return _settings_json(await read_settings(db_session, principal.project_id))


@put("/api/observability/settings", guards=EDIT, tags=TAGS)
async def update_tracing_settings(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """Change retention and/or rules; keys left out keep their current value."""
    unknown = sorted(set(data) - {"retention_days", "redaction_rules"})
    if unknown:
        raise AppError(f"unknown settings {unknown}; known: retention_days, redaction_rules")
    current = await read_settings(db_session, principal.project_id)
    rules = data.get("redaction_rules", current.redaction_rules)
    if not isinstance(rules, list):
        raise AppError("redaction_rules must be a list of rules")
    with client_errors():
        saved = await save_settings(
            db_session,
            principal.project_id,
            retention_days=data.get("retention_days", current.retention_days),
            redaction_rules=rules,
            actor_id=principal.user_id,
        )
    runtime_of(platform).redactors.invalidate(principal.project_id)
    return _settings_json(saved)


@post("/api/observability/redaction/preview", guards=VIEW, status_code=200, tags=TAGS)
async def preview_redaction(
    db_session: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    data: JSONBody[dict[str, Any]],
) -> dict[str, Any]:
    """What the rules would change in sample spans (nothing is saved or modified)."""
    rules = data.get("rules")
    if not isinstance(rules, list):
        raise AppError("rules must be a list of redaction rules")
    spans = await _samples(db_session, principal, data)
    with client_errors():
        previews = preview(rules, spans)
    items = [
        {
            "span_id": item.span_id,
            "span_name": item.span_name,
            "changes": [
                {"path": change.path, "before": change.before, "after": change.after}
                for change in item.changes
            ],
        }
        for item in previews
    ]
    return {"count": len(items), "previews": items}


async def _samples(session: AsyncSession, principal: Principal, body: dict[str, Any]) -> list[Span]:
    if body.get("spans") is not None:
        given = body["spans"]
        if not isinstance(given, list) or len(given) > PREVIEW_MAX:
            raise AppError(f"spans must be a list of at most {PREVIEW_MAX} flat spans")
        try:
            return [span_from_dict(item) for item in given]
        except (KeyError, TypeError, ValueError) as error:
            raise AppError(f"spans must be flat spans as the API returns them: {error!r}") from None
    if body.get("trace_ids") is not None:
        trace_ids = body["trace_ids"]
        if not isinstance(trace_ids, list) or not all(isinstance(t, str) for t in trace_ids):
            raise AppError("trace_ids must be a list of trace ids")
        return await load_spans(session, principal.project_id, trace_ids[:PREVIEW_MAX])
    limit = body.get("limit", PREVIEW_DEFAULT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= PREVIEW_MAX:
        raise AppError(f"limit must be a whole number from 1 to {PREVIEW_MAX}")
    return (await query_spans(session, principal.project_id, SpanQuery(limit=limit))).spans


def _settings_json(settings: ProjectTracingSettings) -> dict[str, Any]:
    return {
        "retention_days": settings.retention_days,
        "redaction_rules": settings.redaction_rules,
    }


ROUTES = [read_tracing_settings, update_tracing_settings, preview_redaction]
