"""The project's tracing settings page: redaction rules with a preview, and retention.

- `GET /observability/settings`: the retention (days; empty keeps spans forever) and the
  redaction rules, one table row each, plus a blank row to add one;
- `POST /observability/settings/preview`: what the rules as typed (saved or not) would
  change in sample spans: the spans of the trace id given in the form, else the project's
  latest spans, else a built-in sample span, so a rule can be tried before any trace
  arrives. Nothing is saved; the form keeps what was typed;
- `POST /observability/settings`: saves both (project admins), through the settings
  service, which validates every rule; ingestion applies them from then on.

The rules table posts indexed fields (`name-0`, `kind-0`, `pattern-0`, `replacement-0`,
`targets-0` ticked once per target, `remove-0`), `rules` giving the row count; a row
without a name and a pattern is ignored, so the blank row adds nothing unless filled in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import flash
from agenta.core.tracing.pages_support import back_to, render
from agenta.core.tracing.project_settings import (
    MAX_RETENTION_DAYS,
    SettingsError,
    read_settings,
    save_settings,
)
from agenta.core.tracing.query import query_spans
from agenta.core.tracing.query_model import SpanQuery
from agenta.core.tracing.redaction import (
    DEFAULT_REPLACEMENT,
    KINDS,
    PRESETS,
    TARGETS,
    RedactionRuleError,
    preview,
)
from agenta.core.tracing.runtime import runtime_of
from agenta.core.tracing.span import Span
from agenta.core.tracing.store import load_spans
from agenta.platform import Platform

VIEW = [requires(Permission.VIEW_SPANS)]
EDIT = [requires(Permission.EDIT_PROJECT)]
PATH = "/observability/settings"
PREVIEW_SPANS = 20
MAX_ROWS = 101
_SAMPLE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def rules_from_form(form: Any) -> list[dict[str, Any]]:
    """The rules of the submitted table (see the module docstring), in row order."""
    raw_count = str(form.get("rules") or "0")
    rows = min(int(raw_count), MAX_ROWS) if raw_count.isdigit() else 0
    rules = []
    for index in range(rows):
        name = str(form.get(f"name-{index}") or "").strip()
        pattern = str(form.get(f"pattern-{index}") or "")
        if form.get(f"remove-{index}") or (not name and not pattern):
            continue
        rules.append(
            {
                "name": name,
                "kind": str(form.get(f"kind-{index}") or ""),
                "pattern": pattern,
                "replacement": str(form.get(f"replacement-{index}") or DEFAULT_REPLACEMENT),
                "targets": [str(target) for target in form.getall(f"targets-{index}", [])],
            }
        )
    return rules


def retention_from_form(text: str) -> int | None:
    """Days from the form (empty keeps spans forever); `SettingsError` for anything else."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise SettingsError(
            f"retention must be a whole number of days from 1 to {MAX_RETENTION_DAYS}, "
            f"or empty to keep spans forever; got {text!r}"
        )
    return int(text)


def sample_span() -> Span:
    """A made-up span holding the kinds of values rules usually hide."""
    inputs = {
        "email": "ada@example.com",
        "message": "My card is 4242 4242 4242 4242; call me at ada@example.com",
    }
    outputs = "Use the key sk-proj-AbCdEfGhIjKlMnOpQrStUv to call the API"
    return Span(
        trace_id="0" * 31 + "1",
        span_id="0" * 15 + "1",
        parent_id=None,
        name="sample span",
        kind="SPAN_KIND_INTERNAL",
        span_type="chat",
        trace_type="invocation",
        start_time=_SAMPLE_TIME,
        end_time=_SAMPLE_TIME,
        duration_ms=0.0,
        status_code="STATUS_CODE_UNSET",
        status_message="",
        attributes={
            "ag": {"data": {"inputs": inputs, "outputs": outputs}},
            "http": {"headers": {"authorization": "Bearer abc.def.ghi"}},
        },
    )


async def preview_spans(
    session: AsyncSession, principal: Principal, trace_id: str
) -> tuple[list[Span], str]:
    """The spans to preview on, and a phrase saying which they are."""
    if trace_id:
        spans = await load_spans(session, principal.project_id, [trace_id.lower()])
        if spans:
            return spans, f"the {len(spans)} spans of trace {trace_id}"
    latest = await query_spans(session, principal.project_id, SpanQuery(limit=PREVIEW_SPANS))
    if latest.spans:
        return latest.spans, f"the project's latest {len(latest.spans)} spans"
    return [sample_span()], "a sample span (the project has no spans yet)"


async def _settings_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    *,
    rules: list[dict[str, Any]] | None = None,
    retention: str | None = None,
    status_code: int = 200,
    flashes: list[dict[str, str]] | None = None,
    **context: Any,
) -> Template:
    stored = await read_settings(session, principal.project_id)
    if rules is None:
        rules = stored.redaction_rules
    if retention is None:
        retention = "" if stored.retention_days is None else str(stored.retention_days)
    blank = {"name": "", "kind": "preset", "pattern": "", "replacement": DEFAULT_REPLACEMENT}
    return render(
        request,
        "settings.html",
        tab="settings",
        status_code=status_code,
        flashes=flashes,
        rules=[*rules, {**blank, "targets": list(TARGETS)}],
        retention=retention,
        kinds=KINDS,
        presets=PRESETS,
        targets=TARGETS,
        max_retention=MAX_RETENTION_DAYS,
        can_edit=principal.can(Permission.EDIT_PROJECT),
        **context,
    )


@get(PATH, guards=VIEW, include_in_schema=False)
async def settings_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _settings_page(request, db_session, principal)


@post(f"{PATH}/preview", guards=VIEW, include_in_schema=False)
async def settings_preview(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    form = await request.form()
    rules = rules_from_form(form)
    retention = str(form.get("retention_days") or "")
    trace_id = str(form.get("preview_trace_id") or "").strip()
    spans, source = await preview_spans(db_session, principal, trace_id)
    try:
        previews = preview(rules, spans)
    except RedactionRuleError as error:
        failed = [flash("error", f"Cannot preview: {error}")]
        return await _settings_page(
            request,
            db_session,
            principal,
            rules=rules,
            retention=retention,
            status_code=422,
            flashes=failed,
            preview_trace_id=trace_id,
        )
    return await _settings_page(
        request,
        db_session,
        principal,
        rules=rules,
        retention=retention,
        previews=[item for item in previews if item.changes],
        preview_source=source,
        preview_trace_id=trace_id,
    )


@post(PATH, guards=EDIT, include_in_schema=False)
async def settings_save(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    platform: NamedDependency[Platform],
) -> Template | Redirect:
    form = await request.form()
    rules = rules_from_form(form)
    retention = str(form.get("retention_days") or "")
    try:
        await save_settings(
            db_session,
            principal.project_id,
            retention_days=retention_from_form(retention),
            redaction_rules=rules,
            actor_id=principal.user_id,
        )
    except (SettingsError, RedactionRuleError) as error:
        await db_session.rollback()
        failed = [flash("error", f"Not saved: {error}")]
        return await _settings_page(
            request,
            db_session,
            principal,
            rules=rules,
            retention=retention,
            status_code=422,
            flashes=failed,
        )
    runtime_of(platform).redactors.invalidate(principal.project_id)
    return back_to(PATH, notice="Tracing settings saved")


ROUTES = [settings_page, settings_preview, settings_save]
