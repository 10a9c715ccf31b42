"""The alerts page (``/alerts``): rules with their state, a form for a new rule, the firing
history; ``/alerts/{id}`` edits or deletes one rule and shows its own history.

Values and thresholds are shown in their metric's unit (``shown``): an error rate as a
percentage, latency in milliseconds or seconds, cost in dollars per hour; the form keeps the
raw numbers, in the units its metric labels name.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import flash, form_data, page
from agenta.core.alerts import rules
from agenta.core.alerts.metrics import METRIC_LABELS, Metric
from agenta.core.alerts.rules import COMPARISONS, AlertRuleInput
from agenta.core.alerts.views import rule_view
from agenta.core.registry.applications import application_slugs
from agenta.core.registry.scope import Scope
from agenta.core.tracing.pages_support import ms, usd
from agenta.errors import AppError

VIEW = [requires(Permission.VIEW_SPANS)]
EDIT = [requires(Permission.EDIT_WEBHOOKS)]


def shown(metric: str, value: float | None) -> str:
    """A metric's value with its unit ("12.5%", "3.85 s", "$0.20/h"), or a dash without one."""
    if value is None:
        return "—"
    if metric == Metric.ERROR_RATE:
        return f"{value * 100:.3g}%"
    if metric == Metric.LATENCY_P95:
        return ms(value * 1000)
    if metric == Metric.COST_PER_HOUR:
        return f"{usd(value)}/h"
    return f"{value:.4g}"


def rule_form(form: dict[str, str]) -> AlertRuleInput:
    """The submitted rule; numbers that do not parse are a 422 naming the field."""
    try:
        threshold = float(form.get("threshold", ""))
    except ValueError:
        raise AppError("Invalid alert rule: threshold: must be a number", status_code=422) from None
    window = form.get("window_minutes", "15").strip()
    if not window.isdigit():
        raise AppError(
            "Invalid alert rule: window_minutes: must be a whole number", status_code=422
        )
    return AlertRuleInput(
        name=form.get("name", ""),
        metric=form.get("metric", ""),
        comparison=form.get("comparison", "above"),
        threshold=threshold,
        window_minutes=int(window),
        application_id=form.get("application_id") or None,
        environment=form.get("environment") or None,
        evaluator=form.get("evaluator") or None,
        active="active" in form,
    )


async def _page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    *,
    rule_id: UUID | None = None,
    status_code: int = 200,
    flashes: list[dict[str, str]] | None = None,
    form: dict[str, str] | None = None,
) -> Template:
    rule = await rules.get_rule(session, principal.project_id, rule_id) if rule_id else None
    all_rules = await rules.list_rules(session, principal.project_id)
    return page(
        request,
        "alerts/rules.html",
        status_code=status_code,
        flashes=flashes,
        rule=rule_view(rule) if rule else None,
        rules={str(r.id): rule_view(r) for r in all_rules},
        firings=await rules.firing_history(session, principal.project_id, rule_id),
        form=form or (rule_view(rule) if rule else {"window_minutes": 15, "active": True}),
        metrics=METRIC_LABELS,
        shown=shown,
        comparisons=COMPARISONS,
        applications=await application_slugs(
            Scope(session=session, project_id=principal.project_id)
        ),
        can_edit=principal.can(Permission.EDIT_WEBHOOKS),
    )


@get(["/alerts", "/alerts/{rule_id:uuid}"], guards=VIEW, include_in_schema=False)
async def alerts_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    rule_id: FromPath[UUID | None] = None,
) -> Template:
    return await _page(request, db_session, principal, rule_id=rule_id)


@post(["/alerts", "/alerts/{rule_id:uuid}"], guards=EDIT, include_in_schema=False)
async def alerts_save(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    rule_id: FromPath[UUID | None] = None,
) -> Template:
    form = await form_data(request)
    try:
        data = rule_form(form)
        if rule_id is None:
            saved = await rules.create_rule(
                db_session, principal.project_id, data, principal.user_id
            )
        else:
            saved = await rules.get_rule(db_session, principal.project_id, rule_id)
            await rules.update_rule(db_session, saved, data, principal.user_id)
    except AppError as exc:
        failed = [flash("error", exc.detail)]
        return await _page(
            request,
            db_session,
            principal,
            rule_id=rule_id,
            status_code=exc.status_code,
            flashes=failed,
            form=form,
        )
    done = [flash("success", f"Alert rule {saved.name} saved")]
    return await _page(request, db_session, principal, rule_id=saved.id, flashes=done)


@post("/alerts/{rule_id:uuid}/delete", guards=EDIT, include_in_schema=False)
async def alerts_delete(
    request: Request[Any, Any, Any],
    rule_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    rule = await rules.get_rule(db_session, principal.project_id, rule_id)
    await rules.delete_rule(db_session, rule)
    done = [flash("success", f"Alert rule {rule.name} deleted")]
    return await _page(request, db_session, principal, flashes=done)


ROUTES = [alerts_page, alerts_save, alerts_delete]
