"""Pages of deployment gates: which environments require a passed evaluation, and the evidence.

- ``GET /evaluations/gates``: every environment with its gate, if any;
- ``GET /evaluations/gates/{environment_id}``: the gate's settings (test set revision,
  evaluators, thresholds one per line as ``metric=value``) and, for the latest revision of every
  variant, whether it may be deployed there: the run that shows it, or what is missing;
- ``POST`` there to save the gate, ``POST .../remove`` to lift it (``deploy_environments``).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluations import gates
from agenta.core.evaluations.choices import evaluator_choices, revision_choices, testset_choices
from agenta.core.evaluations.page_support import back_to, form_lists, parse_ids, render
from agenta.core.registry.environments import find_environment, list_environments
from agenta.core.registry.models import EnvironmentArtifact
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_EVALUATION_RUNS)]
SET = [requires(Permission.DEPLOY_ENVIRONMENTS)]


@get("/evaluations/gates", guards=VIEW, include_in_schema=False)
async def gate_list(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    scope = Scope(session=db_session, project_id=principal.project_id)
    heads = await list_environments(scope)
    project_id = principal.project_id
    found = {
        head.environment.id: await gates.get_gate(db_session, project_id, head.environment.id)
        for head in heads
    }
    return render(request, "evaluations/gates.html", heads=heads, gates=found)


@get("/evaluations/gates/{environment_id:uuid}", guards=VIEW, include_in_schema=False)
async def gate_page(
    request: Request[Any, Any, Any],
    environment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    project_id = principal.project_id
    environment = await _environment(db_session, project_id, environment_id)
    gate = await gates.get_gate(db_session, project_id, environment_id)
    revisions = await revision_choices(db_session, project_id)
    evidence = {}
    if gate is not None:
        for choice in revisions:
            evidence[choice.id] = await gates.evidence_for(db_session, gate, choice.id)
    return render(
        request,
        "evaluations/gate.html",
        environment=environment,
        gate=gate,
        revisions=revisions,
        evidence=evidence,
        testsets=await testset_choices(db_session, project_id),
        evaluators=await evaluator_choices(db_session, project_id),
        thresholds_text=threshold_lines(gate.thresholds if gate else {}),
        can_set=principal.can(Permission.DEPLOY_ENVIRONMENTS),
    )


@post("/evaluations/gates/{environment_id:uuid}", guards=SET, include_in_schema=False)
async def gate_save(
    request: Request[Any, Any, Any],
    environment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    back = f"/evaluations/gates/{environment_id}"
    await _environment(db_session, principal.project_id, environment_id)
    single, multi = await form_lists(request)
    try:
        await gates.set_gate(
            db_session,
            principal.project_id,
            principal.user_id,
            environment_id,
            testset_revision_id=parse_ids([single.get("testset_revision_id", "")], "test set")[0],
            evaluator_ids=parse_ids(multi.get("evaluator_ids", []), "evaluator"),
            thresholds=parse_thresholds(single.get("thresholds", "")),
            enabled=single.get("enabled") in ("on", "true", "1"),
        )
    except (AppError, ValueError) as error:
        await db_session.rollback()
        return back_to(back, error=error.detail if isinstance(error, AppError) else str(error))
    return back_to(back, notice="Gate saved")


@post("/evaluations/gates/{environment_id:uuid}/remove", guards=SET, include_in_schema=False)
async def gate_remove(
    environment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    await _environment(db_session, principal.project_id, environment_id)
    await gates.remove_gate(db_session, principal.project_id, environment_id)
    return back_to(f"/evaluations/gates/{environment_id}", notice="Gate lifted")


def threshold_lines(thresholds: dict[str, float]) -> str:
    """Thresholds as the form shows them: ``metric=value`` lines."""
    return "\n".join(f"{name}={value:g}" for name, value in thresholds.items())


def parse_thresholds(text: str) -> dict[str, float]:
    """``metric=value`` lines into thresholds; a ``ValueError`` names the bad line."""
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            found[name.strip()] = float(value)
        except ValueError:
            message = f"thresholds line {number}: expected metric=number, got {line!r}"
            raise ValueError(message) from None
    return found


async def _environment(
    session: AsyncSession, project_id: uuid.UUID, environment_id: uuid.UUID
) -> EnvironmentArtifact:
    scope = Scope(session=session, project_id=project_id)
    found = await find_environment(scope, Reference(id=environment_id))
    if found is None:
        raise NotFound(f"no environment {environment_id} in this project")
    return found


ROUTES = [gate_list, gate_page, gate_save, gate_remove]
