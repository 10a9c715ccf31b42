"""REST API of deployment gates (``/api/evaluations/gates/{environment_id}``).

- ``GET``: the environment's gate (``{"count": 0, "gate": null}`` without one);
- ``PUT``: set it: ``{testset_revision_id, evaluator_ids, thresholds, enabled?}`` (needs
  ``deploy_environments``, like protecting an environment);
- ``DELETE``: lift it;
- ``GET .../evidence?revision_id=``: whether that app revision may be deployed there, the run
  that shows it, and what is missing otherwise.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.evaluations import gates
from agenta.core.registry.environments import find_environment
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.errors import NotFound

VIEW = [requires(Permission.VIEW_EVALUATION_RUNS)]
SET = [requires(Permission.DEPLOY_ENVIRONMENTS)]
TAGS = ["evaluations"]
BASE = "/api/evaluations/gates/{environment_id:uuid}"


class GateBody(msgspec.Struct, kw_only=True):
    testset_revision_id: uuid.UUID
    evaluator_ids: list[uuid.UUID]
    thresholds: dict[str, Any] = msgspec.field(default_factory=dict)
    enabled: bool = True


async def require_environment(
    session: AsyncSession, project_id: uuid.UUID, environment_id: uuid.UUID
) -> None:
    """A 404 unless the project has that environment."""
    scope = Scope(session=session, project_id=project_id)
    if await find_environment(scope, Reference(id=environment_id)) is None:
        raise NotFound(f"no environment {environment_id} in this project")


@get(BASE, guards=VIEW, tags=TAGS)
async def read_gate(
    environment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """The environment's gate, if any."""
    await require_environment(db_session, principal.project_id, environment_id)
    gate = await gates.get_gate(db_session, principal.project_id, environment_id)
    return {"count": 0 if gate is None else 1, "gate": gates.gate_record(gate) if gate else None}


@put(BASE, guards=SET, tags=TAGS)
async def write_gate(
    environment_id: FromPath[uuid.UUID],
    data: JSONBody[GateBody],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Require a passed evaluation before deploying to the environment."""
    await require_environment(db_session, principal.project_id, environment_id)
    gate = await gates.set_gate(
        db_session,
        principal.project_id,
        principal.user_id,
        environment_id,
        testset_revision_id=data.testset_revision_id,
        evaluator_ids=data.evaluator_ids,
        thresholds=data.thresholds,
        enabled=data.enabled,
    )
    return {"count": 1, "gate": gates.gate_record(gate)}


@delete(BASE, guards=SET, tags=TAGS, status_code=200)
async def delete_gate(
    environment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Deploy to the environment without an evaluation again."""
    await require_environment(db_session, principal.project_id, environment_id)
    await gates.remove_gate(db_session, principal.project_id, environment_id)
    return {"count": 0, "gate": None}


@get(BASE + "/evidence", guards=VIEW, tags=TAGS)
async def read_evidence(
    environment_id: FromPath[uuid.UUID],
    revision_id: FromQuery[uuid.UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Whether ``revision_id`` may be deployed to the environment, and the evidence."""
    await require_environment(db_session, principal.project_id, environment_id)
    evidence = await gates.check_deployment(
        db_session, principal.project_id, environment_id, revision_id
    )
    if evidence is None:
        return {"gated": False, "passed": True, "reasons": []}
    return {"gated": True, **gates.evidence_record(evidence)}


ROUTES = [read_gate, write_gate, delete_gate, read_evidence]
