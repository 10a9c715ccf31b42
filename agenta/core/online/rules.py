"""Online evaluation rules: creating, changing, pausing and resuming them.

A rule is checked as a whole before it is stored: a name, a trace filter the query service
accepts (the trace explorer's parameters; time, order and paging ones are not part of a rule,
since the rule's window is "from now on"), a sampling rate from 0 to 1, and one to five
evaluator configurations that the server can run (built-in ones). A new rule looks at traces
that start from its creation on; ``backfill`` (in ``jobs``) covers a past window on demand.

``pause`` and ``resume`` are for people; a rule also pauses itself when its evaluators fail too
often in a row (``evaluate``), saying why in ``paused_reason``. Every pause records the
``online_rule.paused`` event. Resuming clears the failure count and the reason.

Every function takes the caller's session and project; nothing here commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.principal import Principal
from agenta.core.evaluators.configs import EvaluatorConfig, get_config
from agenta.core.events.service import record_event
from agenta.core.events.types import EventType
from agenta.core.online.models import ACTIVE, PAUSED, OnlineRule
from agenta.core.online.sampling import check_rate
from agenta.core.tracing.pages_filters import TraceFilters
from agenta.core.tracing.query_model import QueryError
from agenta.db import utcnow
from agenta.errors import AppError, Conflict, NotFound

if TYPE_CHECKING:
    from agenta.jobs.queue import JobQueue

MAX_EVALUATORS = 5
RULE_FILTERS = (
    "search",
    "name",
    "status",
    "span_type",
    "model",
    "application",
    "environment",
    "session_id",
    "user_id",
    "min_latency_ms",
    "max_latency_ms",
    "min_cost",
    "max_cost",
    "min_tokens",
    "max_tokens",
)


@dataclass(frozen=True)
class RuleInput:
    """What a caller asks a rule to be."""

    name: str
    filters: Mapping[str, Any] = field(default_factory=dict)
    sampling_rate: float = 1.0
    evaluator_ids: Sequence[uuid.UUID] = ()


def rule_filters(filters: Mapping[str, Any]) -> TraceFilters:
    """A rule's stored filter as the trace explorer's state (invocation traces only)."""
    return TraceFilters.from_params({name: filters.get(name) for name in RULE_FILTERS})


async def create_rule(session: AsyncSession, principal: Principal, data: RuleInput) -> OnlineRule:
    """A new active rule, looking at traces from now on."""
    fields = await _checked(session, principal.project_id, data)
    rule = OnlineRule(
        project_id=principal.project_id,
        cursor=utcnow(),
        created_by_id=principal.user_id,
        **fields,
    )
    session.add(rule)
    await session.flush()
    return rule


async def update_rule(
    session: AsyncSession, principal: Principal, rule: OnlineRule, data: RuleInput
) -> OnlineRule:
    """Replace a rule's settings (traces it already scored stay scored)."""
    for name, value in (await _checked(session, principal.project_id, data)).items():
        setattr(rule, name, value)
    rule.updated_by_id = principal.user_id
    await session.flush()
    return rule


async def get_rule(session: AsyncSession, project_id: uuid.UUID, rule_id: uuid.UUID) -> OnlineRule:
    """The project's rule ``rule_id``, or a 404."""
    rule = await session.scalar(
        select(OnlineRule).where(
            OnlineRule.id == rule_id,
            OnlineRule.project_id == project_id,
            OnlineRule.deleted_at.is_(None),
        )
    )
    if rule is None:
        raise NotFound(f"no online evaluation rule {rule_id} in this project")
    return rule


async def list_rules(session: AsyncSession, project_id: uuid.UUID) -> list[OnlineRule]:
    """The project's rules, newest first."""
    result = await session.scalars(
        select(OnlineRule)
        .where(OnlineRule.project_id == project_id, OnlineRule.deleted_at.is_(None))
        .order_by(OnlineRule.id.desc())
    )
    return list(result)


async def delete_rule(session: AsyncSession, rule: OnlineRule, actor_id: uuid.UUID | None) -> None:
    """Stop and hide a rule (its scores stay, for the charts and alerts)."""
    rule.deleted_at, rule.deleted_by_id, rule.status = utcnow(), actor_id, PAUSED
    await session.flush()


async def rule_evaluators(session: AsyncSession, rule: OnlineRule) -> list[EvaluatorConfig]:
    """The rule's evaluator configurations at their latest revisions."""
    return [
        await get_config(session, rule.project_id, uuid.UUID(str(evaluator_id)))
        for evaluator_id in rule.evaluator_ids
    ]


async def pause(
    session: AsyncSession,
    rule: OnlineRule,
    reason: str,
    *,
    actor: Principal | None = None,
    queue: JobQueue | None = None,
) -> bool:
    """Pause an active rule and record the event; False when it was not active."""
    result = await session.execute(
        update(OnlineRule)
        .where(OnlineRule.id == rule.id, OnlineRule.status == ACTIVE)
        .values(status=PAUSED, paused_reason=reason[:2000], updated_at=utcnow())
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await session.refresh(rule)
    await record_event(
        session,
        project_id=rule.project_id,
        event_type=EventType.ONLINE_RULE_PAUSED,
        data={
            "rule_id": rule.id,
            "name": rule.name,
            "reason": rule.paused_reason,
            "consecutive_failures": rule.consecutive_failures,
        },
        actor=actor,
        queue=queue,
    )
    return True


async def resume(session: AsyncSession, rule: OnlineRule, actor_id: uuid.UUID | None) -> None:
    """Start a paused rule again, from where it stopped; a running one is a 409."""
    if rule.status == ACTIVE:
        raise Conflict(f"rule {rule.name!r} is already running")
    rule.status, rule.paused_reason, rule.consecutive_failures = ACTIVE, None, 0
    rule.updated_by_id = actor_id
    await session.flush()


async def _checked(session: AsyncSession, project_id: uuid.UUID, data: RuleInput) -> dict[str, Any]:
    name = data.name.strip()
    if not name:
        raise _invalid("name: a rule needs a name")
    try:
        rate = check_rate(data.sampling_rate)
    except ValueError as error:
        raise _invalid(str(error)) from None
    filters = _filters(data.filters)
    ids = list(dict.fromkeys(data.evaluator_ids))
    if not 1 <= len(ids) <= MAX_EVALUATORS:
        raise _invalid(f"evaluator_ids: choose from 1 to {MAX_EVALUATORS} evaluators")
    for evaluator_id in ids:
        config = await get_config(session, project_id, evaluator_id)
        config.builtin()  # a 400 when the server cannot run it
    return {
        "name": name[:200],
        "filters": filters,
        "sampling_rate": rate,
        "evaluator_ids": [str(evaluator_id) for evaluator_id in ids],
    }


def _filters(given: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(given) - set(RULE_FILTERS))
    if unknown:
        raise _invalid(
            f"filters: {unknown[0]!r} is not a rule filter; use {', '.join(RULE_FILTERS)}"
        )
    kept = {name: str(value).strip() for name, value in given.items() if value not in (None, "")}
    try:
        rule_filters(kept).conditions()
    except QueryError as error:
        raise _invalid(f"filters: {error}") from None
    return kept


def _invalid(message: str) -> AppError:
    return AppError(f"Invalid online rule: {message}", status_code=422)
