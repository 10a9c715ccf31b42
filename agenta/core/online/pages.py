"""The online evaluation pages: the rules, a new rule, and one rule with its scores over time.

- ``GET /online``: the rules (status, rate, how many traces scored and failed) and a form for a
  new one: a name, the trace filter (the trace explorer's fields, pre-filled from the URL's),
  a sampling rate in percent, and the evaluators;
- ``GET /online/{id}``: the rule's settings (editable), why it is paused, a chart of each
  evaluator's mean score over time (``?range=1h|24h|7d|30d``), its latest scored traces with
  links to them, and buttons to pause, resume, backfill a past window or delete it.

Reading needs ``view_evaluation_runs``, changing ``edit_evaluation_runs``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluations.page_support import back_to, form_lists, render
from agenta.core.evaluators.configs import list_configs
from agenta.core.online import rules
from agenta.core.online.api import parse_time
from agenta.core.online.backfills import request_backfill
from agenta.core.online.history import recent_evaluations
from agenta.core.online.metrics import RANGES, score_series
from agenta.core.online.models import OnlineRule
from agenta.core.online.rules import RULE_FILTERS, RuleInput
from agenta.core.tracing.charts import Chart, Series, line_chart
from agenta.core.tracing.pages_filters import STATUSES
from agenta.core.tracing.span import SPAN_TYPES
from agenta.db import utcnow
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue

VIEW = [requires(Permission.VIEW_EVALUATION_RUNS)]
EDIT = [requires(Permission.EDIT_EVALUATION_RUNS)]
FORM_FILTERS = ("search", "status", "span_type", "application", "environment")


@get("/online", guards=VIEW, include_in_schema=False)
async def rules_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    context = await _list_context(db_session, principal)
    # An application's overview links here with its slug, so the new rule starts filtered on it.
    given = {name: value for name in FORM_FILTERS if (value := request.query_params.get(name))}
    return render(request, "online/rules.html", form={"rate": "100", **given}, **context)


@post("/online", guards=EDIT, include_in_schema=False)
async def create_rule_from_form(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    form, lists = await form_lists(request)
    try:
        rule = await rules.create_rule(db_session, principal, rule_form(form, lists))
    except AppError as error:
        context = await _list_context(db_session, principal)
        return render(
            request, "online/rules.html", status_code=error.status_code, failed=error.detail,
            form=form, **context,
        )  # fmt: skip
    return back_to(f"/online/{rule.id}", notice=f"Rule {rule.name} created")


@get("/online/{online_rule_id:uuid}", guards=VIEW, include_in_schema=False)
async def rule_page(
    request: Request[Any, Any, Any],
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    chosen = request.query_params.get("range") or "24h"
    if chosen not in RANGES:
        raise AppError(f"range must be one of {', '.join(RANGES)}, got {chosen!r}")
    now = utcnow()
    series = await score_series(db_session, rule.id, now - RANGES[chosen], now)
    chart = Chart(
        key="scores",
        title="Mean score over time",
        labels=[_label(start, series.width) for start in series.starts],
        series=[
            Series(slug, [bucket.mean for bucket in buckets])
            for slug, buckets in series.by_evaluator.items()
        ],
        format_value=lambda value: f"{value:.2f}",
    )
    configs = {str(c.id): c for c in await list_configs(db_session, principal.project_id)}
    return render(
        request,
        "online/rule.html",
        rule=rule,
        chart=line_chart(chart) if chart.series else None,
        ranges=list(RANGES),
        chosen=chosen,
        recent=await recent_evaluations(db_session, rule.id),
        configs=configs,
        form={**rule.filters, "name": rule.name, "rate": f"{rule.sampling_rate * 100:g}"},
        filter_fields=FORM_FILTERS,
        status_options=STATUSES,
        span_types=sorted(SPAN_TYPES),
        can_edit=principal.can(Permission.EDIT_EVALUATION_RUNS),
    )


@post("/online/{online_rule_id:uuid}", guards=EDIT, include_in_schema=False)
async def update_rule_from_form(
    request: Request[Any, Any, Any],
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    form, lists = await form_lists(request)
    path = f"/online/{rule.id}"
    try:
        await rules.update_rule(db_session, principal, rule, rule_form(form, lists))
    except AppError as error:
        return back_to(path, error=error.detail)
    return back_to(path, notice="Rule saved")


async def _action(
    request: Request[Any, Any, Any],
    rule_id: uuid.UUID,
    action: str,
    principal: Principal,
    session: AsyncSession,
    queue: JobQueue,
) -> Redirect:
    rule = await rules.get_rule(session, principal.project_id, rule_id)
    path = f"/online/{rule.id}"
    form, _ = await form_lists(request)
    try:
        notice = await _act(session, principal, queue, rule, action, form)
    except AppError as error:
        return back_to(path, error=error.detail)
    return back_to("/online" if action == "delete" else path, notice=notice)


@post("/online/{online_rule_id:uuid}/pause", guards=EDIT, include_in_schema=False)
async def pause_from_page(
    request: Request[Any, Any, Any],
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> Redirect:
    return await _action(request, online_rule_id, "pause", principal, db_session, queue)


@post("/online/{online_rule_id:uuid}/resume", guards=EDIT, include_in_schema=False)
async def resume_from_page(
    request: Request[Any, Any, Any],
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> Redirect:
    return await _action(request, online_rule_id, "resume", principal, db_session, queue)


@post("/online/{online_rule_id:uuid}/backfill", guards=EDIT, include_in_schema=False)
async def backfill_from_page(
    request: Request[Any, Any, Any],
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> Redirect:
    return await _action(request, online_rule_id, "backfill", principal, db_session, queue)


@post("/online/{online_rule_id:uuid}/delete", guards=EDIT, include_in_schema=False)
async def delete_from_page(
    request: Request[Any, Any, Any],
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> Redirect:
    return await _action(request, online_rule_id, "delete", principal, db_session, queue)


async def _act(
    session: AsyncSession,
    principal: Principal,
    queue: JobQueue,
    rule: OnlineRule,
    action: str,
    form: dict[str, str],
) -> str:
    if action == "pause":
        reason = f"paused by {principal.email or 'a member'}"
        await rules.pause(session, rule, reason, actor=principal, queue=queue)
        return "Rule paused"
    if action == "resume":
        await rules.resume(session, rule, principal.user_id)
        return "Rule resumed"
    if action == "backfill":
        since = parse_time(form.get("since", ""), "since")
        until = parse_time(form["until"], "until") if form.get("until") else None
        await request_backfill(session, rule, since, until, queue)
        return "Backfill started: scores appear as the job goes"
    if action == "delete":
        await rules.delete_rule(session, rule, principal.user_id)
        return f"Rule {rule.name} deleted"
    raise AppError(f"unknown action {action!r}", status_code=404)


def rule_form(form: dict[str, str], lists: dict[str, list[str]]) -> RuleInput:
    """The rule form as a ``RuleInput``; a 422 names a field that does not parse."""
    try:
        rate = float(form.get("rate", "100") or "100") / 100
    except ValueError:
        raise AppError(
            "Invalid online rule: sampling rate must be a percentage", status_code=422
        ) from None
    try:
        evaluator_ids = [uuid.UUID(value) for value in lists.get("evaluator", [])]
    except ValueError:
        raise AppError("Invalid online rule: evaluator must be an id", status_code=422) from None
    filters = {name: form.get(name, "") for name in FORM_FILTERS if name in RULE_FILTERS}
    return RuleInput(
        name=form.get("name", ""),
        filters={name: value for name, value in filters.items() if value.strip()},
        sampling_rate=rate,
        evaluator_ids=evaluator_ids,
    )


async def _list_context(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    return {
        "rules": await rules.list_rules(session, principal.project_id),
        "evaluators": [
            c for c in await list_configs(session, principal.project_id) if c.is_builtin
        ],
        "filter_fields": FORM_FILTERS,
        "status_options": STATUSES,
        "span_types": sorted(SPAN_TYPES),
        "can_edit": principal.can(Permission.EDIT_EVALUATION_RUNS),
    }


def _label(start: Any, width: timedelta) -> str:
    return start.strftime("%m-%d %H:%M" if width < timedelta(days=1) else "%Y-%m-%d")


ROUTES = [
    rules_page,
    create_rule_from_form,
    rule_page,
    update_rule_from_form,
    pause_from_page,
    resume_from_page,
    backfill_from_page,
    delete_from_page,
]
