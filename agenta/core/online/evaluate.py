"""One pass of a rule over a time window: find matching traces, sample, claim, evaluate, store.

``evaluate_window`` reads the traces the rule's filter matches whose start time is in the
window, oldest first, a page at a time. A trace outside the sample is skipped; one already
claimed (by an earlier pass, a backfill or another worker) is skipped; the others are claimed,
run through every evaluator of the rule (with the project's model access, outside any
transaction) and their results stored (``claims``). At most ``limit`` traces are evaluated per
pass; ``PassResult.complete`` says whether the window was covered, and ``last_time`` how far
it got, so the caller can continue from there.

Failures are counted in a row with an atomic update: a trace on which any evaluator failed
adds one, a trace without failures resets the count. At ``MAX_CONSECUTIVE_FAILURES`` the rule
pauses itself (``rules.pause``: status, reason naming the evaluator and its error, and the
``online_rule.paused`` event) and the pass stops. A rule whose evaluator configuration is gone
pauses at once. The pass also stops when someone paused the rule meanwhile.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.llm_access import Meter, ProjectModels, open_models
from agenta.core.evaluators.builtins import EvaluatorResult
from agenta.core.evaluators.configs import EvaluatorConfig
from agenta.core.online.claims import Verdict, claim, store_results
from agenta.core.online.models import ACTIVE, OnlineRule
from agenta.core.online.rules import pause, rule_evaluators, rule_filters
from agenta.core.online.sampling import sampled
from agenta.core.tracing.query import query_traces
from agenta.core.tracing.query_model import Cursor, SpanQuery
from agenta.core.tracing.span import Span
from agenta.errors import AppError
from agenta.jobs.registry import JobContext

log = logging.getLogger("agenta.online")

MAX_CONSECUTIVE_FAILURES = 5
PAGE_SIZE = 200
CODE_EVALUATOR = "auto_custom_code_run"
DEFAULT_OUTPUT_KEY = "__default__"


@dataclass
class PassResult:
    """What one pass did (see the module docstring)."""

    matched: int = 0
    sampled: int = 0
    evaluated: int = 0
    failed: int = 0
    last_time: datetime | None = None
    complete: bool = True
    paused: bool = False


async def evaluate_window(
    ctx: JobContext,
    rule_id: uuid.UUID,
    oldest: datetime,
    newest: datetime,
    *,
    limit: int | None = None,
) -> PassResult:
    """Evaluate the rule's new traces that started in ``[oldest, newest]``."""
    found = await _active_rule(ctx, rule_id)
    if found is None:
        return PassResult()
    rule, configs = found
    query = SpanQuery(
        conditions=rule_filters(rule.filters).conditions(),
        oldest=oldest,
        newest=newest,
        descending=False,
        limit=PAGE_SIZE,
    )
    needs_sandbox = any(config.key == CODE_EVALUATOR for config in configs)
    async with open_models(
        ctx.settings, ctx.db, rule.project_id, sandbox=needs_sandbox, client=ctx.llm
    ) as models:
        return await _walk(ctx, rule, configs, query, models, limit)


async def _walk(
    ctx: JobContext,
    rule: OnlineRule,
    configs: list[EvaluatorConfig],
    query: SpanQuery,
    models: ProjectModels,
    limit: int | None,
) -> PassResult:
    result = PassResult()
    while True:
        async with ctx.db.session() as session:
            page = await query_traces(session, rule.project_id, query)
        for root in page.spans:
            result.matched += 1
            if not sampled(root.trace_id, rule.sampling_rate):
                result.last_time = root.start_time
                continue
            result.sampled += 1
            if limit is not None and result.evaluated >= limit:
                result.complete = False
                return result
            if not await _evaluate_trace(ctx, rule, configs, root, models, result):
                result.complete, result.paused = False, True
                return result
            result.last_time = root.start_time
        if page.next is None:
            return result
        query = replace(query, cursor=Cursor.decode(page.next))


async def _evaluate_trace(
    ctx: JobContext,
    rule: OnlineRule,
    configs: list[EvaluatorConfig],
    root: Span,
    models: ProjectModels,
    result: PassResult,
) -> bool:
    """Claim and evaluate one trace; False when the rule is (now) paused."""
    async with ctx.db.session() as session:
        evaluation_id = await claim(session, rule, root)
    if evaluation_id is None:
        return True
    verdicts = [Verdict(config, await _run(config, root, models)) for config in configs]
    failures = [v for v in verdicts if v.result.error]
    result.evaluated += 1
    result.failed += int(bool(failures))
    async with ctx.db.session() as session:
        await store_results(session, rule, evaluation_id, root, verdicts)
        return await _count(session, ctx, rule.id, failures)


async def _run(config: EvaluatorConfig, root: Span, models: ProjectModels) -> EvaluatorResult:
    inputs = root.inputs if isinstance(root.inputs, Mapping) else {}
    trace = {
        "trace_id": root.trace_id,
        "latency_ms": root.duration_ms,
        "tokens": root.tokens.total if root.tokens else 0,
        "cost": root.cost.total if root.cost else 0.0,
    }
    try:
        return await config.builtin().evaluate(
            config.settings, inputs, app_output(root.outputs), trace, models.context(Meter())
        )
    except Exception as error:  # a broken evaluator must count as a failure, not stop the pass
        log.exception("online evaluator crashed", extra={"evaluator": config.slug})
        return EvaluatorResult(error=f"{type(error).__name__}: {error}", error_type="crashed")


def app_output(outputs: Any) -> Any:
    """What the app returned: the SDK files a plain return value under ``__default__``."""
    if isinstance(outputs, Mapping) and set(outputs) == {DEFAULT_OUTPUT_KEY}:
        return outputs[DEFAULT_OUTPUT_KEY]
    return outputs


async def _count(
    session: AsyncSession, ctx: JobContext, rule_id: uuid.UUID, failures: list[Verdict]
) -> bool:
    """Move the counters on; pause at the limit. False when the rule is no longer active."""
    failed = bool(failures)
    row = (
        await session.execute(
            update(OnlineRule)
            .where(OnlineRule.id == rule_id)
            .values(
                consecutive_failures=(OnlineRule.consecutive_failures + 1) if failed else 0,
                evaluated_count=OnlineRule.evaluated_count + 1,
                failed_count=OnlineRule.failed_count + int(failed),
            )
            .returning(OnlineRule.consecutive_failures, OnlineRule.status)
        )
    ).one()
    streak, status = int(row[0]), str(row[1])
    if status != ACTIVE:
        return False
    if streak < MAX_CONSECUTIVE_FAILURES:
        return True
    rule = await session.get(OnlineRule, rule_id)
    assert rule is not None
    first = failures[0]
    reason = (
        f"paused after {streak} consecutive failed evaluations; last: "
        f"{first.config.slug}: {first.result.error}"
    )
    await pause(session, rule, reason, queue=ctx.queue)
    return False


async def _active_rule(
    ctx: JobContext, rule_id: uuid.UUID
) -> tuple[OnlineRule, list[EvaluatorConfig]] | None:
    async with ctx.db.session() as session:
        rule = await session.get(OnlineRule, rule_id)
        if rule is None or rule.status != ACTIVE or rule.deleted_at is not None:
            return None
        try:
            configs = await rule_evaluators(session, rule)
            for config in configs:
                config.builtin()
        except AppError as error:
            await pause(session, rule, f"paused: {error.detail}", queue=ctx.queue)
            return None
    return rule, configs
