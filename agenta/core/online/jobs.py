"""The online evaluation cron and the backfill job, as the job registry declares them.

- ``online.evaluate`` (every minute, once per tick however many workers run): for each active
  rule, a pass over the traces that started since its cursor, looking ``LATE_ARRIVAL`` further
  back since traces are stored a little after they start (claims keep the overlap from counting
  twice). The cursor moves to the end of the window, or to the last trace handled when the pass
  stopped early (its per-tick limit, or a pause), so the next tick continues from there.
- ``online.backfill``: one pass over a past window chosen by a person, without a limit.

The pipeline is imported when a job runs, not with this module: the job catalog is imported by
the platform, and the pipeline reaches the LLM access layer, which imports the platform.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from agenta.core.online.models import ACTIVE, OnlineRule
from agenta.db import utcnow
from agenta.jobs.registry import CronSpec, JobContext, JobSpec

log = logging.getLogger("agenta.online")

CRON = "online.evaluate"
BACKFILL_JOB = "online.backfill"
LATE_ARRIVAL = timedelta(minutes=5)
PER_TICK = 500


async def evaluate_rules(ctx: JobContext, now: datetime | None = None) -> int:
    """One tick: a pass per active rule; returns how many traces were evaluated."""
    moment = now or utcnow()
    async with ctx.db.session() as session:
        rules = (
            await session.execute(
                select(OnlineRule.id, OnlineRule.cursor, OnlineRule.created_at).where(
                    OnlineRule.status == ACTIVE, OnlineRule.deleted_at.is_(None)
                )
            )
        ).all()
    evaluated = 0
    for rule_id, cursor, created_at in rules:
        try:
            evaluated += await _tick_rule(ctx, rule_id, cursor or created_at, moment)
        except Exception:  # one broken rule must not stop the others
            log.exception("online evaluation pass failed", extra={"rule_id": str(rule_id)})
    return evaluated


async def online_cron(ctx: JobContext) -> None:
    """The cron entry point."""
    await evaluate_rules(ctx)


async def backfill(ctx: JobContext, rule_id: str, since: str, until: str) -> int:
    """Job: evaluate the rule's traces that started between ``since`` and ``until``."""
    from agenta.core.online.evaluate import evaluate_window

    result = await evaluate_window(
        ctx, uuid.UUID(rule_id), datetime.fromisoformat(since), datetime.fromisoformat(until)
    )
    log.info(
        "online backfill done",
        extra={"rule_id": rule_id, "evaluated": result.evaluated, "paused": result.paused},
    )
    return result.evaluated


async def _tick_rule(ctx: JobContext, rule_id: uuid.UUID, cursor: datetime, now: datetime) -> int:
    from agenta.core.online.evaluate import evaluate_window

    result = await evaluate_window(ctx, rule_id, cursor - LATE_ARRIVAL, now, limit=PER_TICK)
    reached = now if result.complete else max(cursor, result.last_time or cursor)
    async with ctx.db.session() as session:
        rule = await session.get(OnlineRule, rule_id)
        if rule is not None:
            rule.cursor = max(rule.cursor or reached, reached)
            rule.last_run_at = now
    return result.evaluated


_EVALUATE = ("agenta.core.online.evaluate",)
CRONS = [CronSpec(CRON, online_cron, every_minutes=1, timeout=240, imports=_EVALUATE)]
JOBS = [JobSpec(BACKFILL_JOB, backfill, timeout=3600.0, max_tries=3, imports=_EVALUATE)]
