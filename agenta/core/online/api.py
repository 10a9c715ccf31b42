"""REST API of online evaluation rules (``/api/online/rules``).

- ``POST /api/online/rules``: ``{name, filters, sampling_rate, evaluator_ids}``; ``GET`` lists;
- ``GET|PUT|DELETE /api/online/rules/{id}``: one rule (with its recent evaluations);
- ``POST /api/online/rules/{id}/pause`` and ``/resume``;
- ``POST /api/online/rules/{id}/backfill``: ``{since, until}`` (ISO 8601), a job (202);
- ``GET /api/online/rules/{id}/metrics?range=1h|24h|7d|30d``: scores over time.

Online rules are live evaluation runs: reading needs ``view_evaluation_runs``, changing
``edit_evaluation_runs``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.online import rules
from agenta.core.online.backfills import request_backfill
from agenta.core.online.history import recent_evaluations
from agenta.core.online.metrics import RANGES, score_series
from agenta.core.online.rules import RuleInput
from agenta.core.online.views import evaluation_record, rule_record, series_record
from agenta.db import utcnow
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue

VIEW = [requires(Permission.VIEW_EVALUATION_RUNS)]
EDIT = [requires(Permission.EDIT_EVALUATION_RUNS)]
TAGS = ["online evaluation"]
BASE = "/api/online/rules"
ONE = BASE + "/{online_rule_id:uuid}"


@post(BASE, guards=EDIT, tags=TAGS, status_code=201)
async def create_online_rule(
    data: JSONBody[dict[str, Any]],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """A new rule, scoring matching traces from now on."""
    return rule_record(await rules.create_rule(db_session, principal, rule_input(data)))


@get(BASE, guards=VIEW, tags=TAGS)
async def list_online_rules(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> dict[str, Any]:
    """The project's rules."""
    found = await rules.list_rules(db_session, principal.project_id)
    return {"count": len(found), "rules": [rule_record(rule) for rule in found]}


@get(ONE, guards=VIEW, tags=TAGS)
async def read_online_rule(
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    limit: FromQuery[int] = 50,
) -> dict[str, Any]:
    """One rule with its latest evaluations."""
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    recent = await recent_evaluations(db_session, rule.id, limit)
    return {**rule_record(rule), "evaluations": [evaluation_record(*found) for found in recent]}


@put(ONE, guards=EDIT, tags=TAGS)
async def replace_online_rule(
    online_rule_id: FromPath[uuid.UUID],
    data: JSONBody[dict[str, Any]],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Replace a rule's filter, rate, evaluators or name."""
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    return rule_record(await rules.update_rule(db_session, principal, rule, rule_input(data)))


@delete(ONE, guards=EDIT, tags=TAGS)
async def delete_online_rule(
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> None:
    """Stop and hide a rule (its scores stay)."""
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    await rules.delete_rule(db_session, rule, principal.user_id)


@post(ONE + "/pause", guards=EDIT, tags=TAGS, status_code=200)
async def pause_online_rule(
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> dict[str, Any]:
    """Stop scoring new traces until resumed."""
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    reason = f"paused by {principal.email or 'a member'}"
    await rules.pause(db_session, rule, reason, actor=principal, queue=queue)
    return rule_record(rule)


@post(ONE + "/resume", guards=EDIT, tags=TAGS, status_code=200)
async def resume_online_rule(
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Score again, starting with the traces that arrived while paused."""
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    await rules.resume(db_session, rule, principal.user_id)
    return rule_record(rule)


@post(ONE + "/backfill", guards=EDIT, tags=TAGS)
async def backfill_online_rule(
    online_rule_id: FromPath[uuid.UUID],
    data: JSONBody[dict[str, Any]],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> Response[dict[str, Any]]:
    """Evaluate the rule's traces of a past window, as a job."""
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    since = parse_time(data.get("since"), "since")
    until = parse_time(data.get("until"), "until") if data.get("until") else None
    job_id = await request_backfill(db_session, rule, since, until, queue)
    body = {"rule_id": str(rule.id), "job_id": str(job_id) if job_id else None}
    return Response(body, status_code=202)


@get(ONE + "/metrics", guards=VIEW, tags=TAGS)
async def online_rule_metrics(
    online_rule_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    range: FromQuery[str] = "24h",
) -> dict[str, Any]:
    """The rule's scores over ``range``, bucketed per evaluator."""
    if range not in RANGES:
        raise AppError(f"range must be one of {', '.join(RANGES)}, got {range!r}")
    rule = await rules.get_rule(db_session, principal.project_id, online_rule_id)
    now = utcnow()
    series = await score_series(db_session, rule.id, now - RANGES[range], now)
    return {"rule_id": str(rule.id), "range": range, **series_record(series)}


def rule_input(data: dict[str, Any]) -> RuleInput:
    """A rule request's parts; wrong types are a 422 naming the field."""
    filters = data.get("filters") or {}
    if not isinstance(filters, dict):
        raise AppError("Invalid online rule: filters must be an object", status_code=422)
    rate = data.get("sampling_rate", 1.0)
    if isinstance(rate, bool) or not isinstance(rate, int | float):
        raise AppError("Invalid online rule: sampling_rate must be a number", status_code=422)
    ids = data.get("evaluator_ids") or []
    if not isinstance(ids, list):
        raise AppError("Invalid online rule: evaluator_ids must be a list", status_code=422)
    try:
        evaluator_ids = [uuid.UUID(str(item)) for item in ids]
    except ValueError:
        raise AppError("Invalid online rule: evaluator_ids must be ids", status_code=422) from None
    return RuleInput(
        name=str(data.get("name") or ""),
        filters=filters,
        sampling_rate=float(rate),
        evaluator_ids=evaluator_ids,
    )


def parse_time(value: Any, name: str) -> datetime:
    """An ISO 8601 time with a zone; a 422 naming ``name`` otherwise."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise AppError(f"{name} must be an ISO 8601 time, got {value!r}", status_code=422) from None
    if moment.tzinfo is None:
        raise AppError(f"{name} needs a time zone (for example Z)", status_code=422)
    return moment


ROUTES = [
    create_online_rule,
    list_online_rules,
    read_online_rule,
    replace_online_rule,
    delete_online_rule,
    pause_online_rule,
    resume_online_rule,
    backfill_online_rule,
    online_rule_metrics,
]
