"""Eval-gated deployment: an environment can require that a revision passed an evaluation.

A gate names a test set revision, evaluator configurations and thresholds on their metrics
(``{"<evaluator slug>[.score|.pass_rate]": minimum}``, see ``metrics.metric_value``). A revision
passes when some succeeded run evaluated it on that test set revision with all those evaluators
(any revision of each configuration) and every threshold is met. ``evidence_for`` finds that run
(or explains, from the newest attempt, what is missing); ``require_passed_evaluation`` is the
check the registry's deploy service calls before it deploys anything: with no gate (or a
disabled one) it does nothing, otherwise a revision without evidence is refused with a 409 that
says why.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluations.cells import run_cells
from agenta.core.evaluations.metrics import (
    compute_metrics,
    evaluator_by_slug,
    metric_value,
    split_metric_name,
)
from agenta.core.evaluations.models import SUCCEEDED, EvaluationGate, EvaluationRun
from agenta.core.evaluations.plan import RunPlan
from agenta.core.evaluators.configs import get_config
from agenta.core.testsets.revisions import get_revision_by_id
from agenta.db import utcnow
from agenta.errors import AppError, Conflict

CANDIDATE_RUNS = 20


@dataclass(frozen=True)
class Evidence:
    """Whether a revision passed a gate, the run that shows it, and what is missing if not."""

    passed: bool
    run: EvaluationRun | None = None
    values: dict[str, float | None] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


async def get_gate(
    session: AsyncSession, project_id: uuid.UUID, environment_id: uuid.UUID
) -> EvaluationGate | None:
    """The environment's gate, if it has one."""
    return await session.scalar(
        select(EvaluationGate).where(
            EvaluationGate.project_id == project_id,
            EvaluationGate.environment_id == environment_id,
        )
    )


async def set_gate(
    session: AsyncSession,
    project_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    environment_id: uuid.UUID,
    *,
    testset_revision_id: uuid.UUID,
    evaluator_ids: Sequence[uuid.UUID],
    thresholds: Mapping[str, Any],
    enabled: bool = True,
) -> EvaluationGate:
    """Create or replace an environment's gate, after checking it as a whole."""
    revision = await get_revision_by_id(session, project_id, testset_revision_id)
    slugs = [(await get_config(session, project_id, item)).slug for item in evaluator_ids]
    if not slugs:
        raise AppError("a gate needs at least one evaluator")
    cleaned = _checked_thresholds(thresholds, slugs)
    gate = await get_gate(session, project_id, environment_id)
    if gate is None:
        gate = EvaluationGate(project_id=project_id, environment_id=environment_id)
        gate.created_by_id = actor_id
        session.add(gate)
    gate.testset_id = revision.testset_id
    gate.testset_revision_id = revision.id
    gate.evaluator_ids = [str(item) for item in evaluator_ids]
    gate.thresholds = cleaned
    gate.enabled = enabled
    gate.updated_by_id, gate.updated_at = actor_id, utcnow()
    await session.flush()
    return gate


def _checked_thresholds(thresholds: Mapping[str, Any], slugs: list[str]) -> dict[str, float]:
    cleaned = {}
    for name, value in thresholds.items():
        slug, _ = split_metric_name(name)
        if slug not in slugs:
            raise AppError(
                f"threshold {name!r} names no evaluator of the gate (they are: {', '.join(slugs)})"
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AppError(f"threshold {name!r} must be a number, got {value!r}")
        cleaned[name] = float(value)
    return cleaned


async def remove_gate(
    session: AsyncSession, project_id: uuid.UUID, environment_id: uuid.UUID
) -> None:
    """Lift an environment's gate (nothing happens when it has none)."""
    gate = await get_gate(session, project_id, environment_id)
    if gate is not None:
        await session.delete(gate)
        await session.flush()


async def evidence_for(
    session: AsyncSession, gate: EvaluationGate, revision_id: uuid.UUID
) -> Evidence:
    """The newest run proving ``revision_id`` passes ``gate``, or why there is none."""
    wanted = {uuid.UUID(str(item)) for item in gate.evaluator_ids}
    candidates = [
        run
        for run in await _succeeded_runs(session, gate)
        if _covers(RunPlan.from_config(run.config), revision_id, wanted)
    ][:CANDIDATE_RUNS]
    if not candidates:
        return Evidence(
            False,
            reasons=[
                "no succeeded run evaluated this revision on the gate's test set revision "
                "with all of the gate's evaluators"
            ],
        )
    attempts = [await _judge(session, run, gate, revision_id) for run in candidates]
    return next((found for found in attempts if found.passed), attempts[0])


async def _succeeded_runs(session: AsyncSession, gate: EvaluationGate) -> list[EvaluationRun]:
    result = await session.scalars(
        select(EvaluationRun)
        .where(
            EvaluationRun.project_id == gate.project_id,
            EvaluationRun.testset_revision_id == gate.testset_revision_id,
            EvaluationRun.status == SUCCEEDED,
            EvaluationRun.deleted_at.is_(None),
        )
        .order_by(EvaluationRun.id.desc())
        .limit(CANDIDATE_RUNS * 5)
    )
    return list(result)


def _covers(plan: RunPlan, revision_id: uuid.UUID, evaluator_ids: set[uuid.UUID]) -> bool:
    has_revision = plan.application(revision_id) is not None
    used = {step.evaluator_id for step in plan.evaluators}
    return has_revision and evaluator_ids <= used


async def _judge(
    session: AsyncSession, run: EvaluationRun, gate: EvaluationGate, revision_id: uuid.UUID
) -> Evidence:
    plan = RunPlan.from_config(run.config)
    cells = [cell for cell in await run_cells(session, [run.id]) if cell.revision_id == revision_id]
    metrics = compute_metrics(cells)
    values, reasons = {}, []
    for name, minimum in gate.thresholds.items():
        slug, _ = split_metric_name(name)
        try:
            evaluator_by_slug(plan, slug)
            value = metric_value(plan, metrics, revision_id, name)
        except KeyError as error:
            value, reasons = None, [*reasons, str(error.args[0])]
            continue
        values[name] = value
        if value is None or value < float(minimum):
            shown = "no value" if value is None else f"{value:.3f}"
            reasons.append(f"{name} is {shown}, the gate requires at least {float(minimum):g}")
    return Evidence(not reasons, run, values, reasons)


async def check_deployment(
    session: AsyncSession, project_id: uuid.UUID, environment_id: uuid.UUID, revision_id: uuid.UUID
) -> Evidence | None:
    """The evidence for deploying ``revision_id`` there; None when the environment has no gate."""
    gate = await get_gate(session, project_id, environment_id)
    if gate is None or not gate.enabled:
        return None
    return await evidence_for(session, gate, revision_id)


async def require_passed_evaluation(
    session: AsyncSession, project_id: uuid.UUID, environment_id: uuid.UUID, revision_id: uuid.UUID
) -> None:
    """The deploy hook: a 409 saying why when the environment's gate refuses the revision."""
    evidence = await check_deployment(session, project_id, environment_id, revision_id)
    if evidence is None or evidence.passed:
        return
    raise Conflict(
        "this environment requires a passed evaluation before deploying: "
        + "; ".join(evidence.reasons)
        + f" (see /evaluations/gates/{environment_id})",
        details={"gate": {"environment_id": str(environment_id), "reasons": evidence.reasons}},
    )


def gate_record(gate: EvaluationGate) -> dict[str, Any]:
    """A gate as the API answers it."""
    return {
        "environment_id": str(gate.environment_id),
        "testset_id": str(gate.testset_id),
        "testset_revision_id": str(gate.testset_revision_id),
        "evaluator_ids": list(gate.evaluator_ids),
        "thresholds": dict(gate.thresholds),
        "enabled": gate.enabled,
    }


def evidence_record(evidence: Evidence) -> dict[str, Any]:
    """Evidence as the API answers it."""
    return {
        "passed": evidence.passed,
        "run_id": str(evidence.run.id) if evidence.run else None,
        "run_name": evidence.run.name if evidence.run else None,
        "values": evidence.values,
        "reasons": evidence.reasons,
    }
