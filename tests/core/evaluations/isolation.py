"""Isolation samples for the evaluation and evaluator routes (see
``tests/core/access/route_table.py``): an owner's run with a scenario and a cell, and an owner's
evaluator configuration."""

from __future__ import annotations

from agenta.core.evaluations.cells import CellKey, cell_row, insert_cells
from agenta.core.evaluations.models import EvaluationRun
from agenta.core.evaluations.scenarios import insert_scenarios, scenario_row
from agenta.core.evaluators.configs import builtin_data, create_config
from agenta.db import uuid7
from agenta.platform import Platform
from tests.support.accounts import Persona


async def _run(platform: Platform, owner: Persona) -> tuple[str, str, str]:
    """A finished run of the owner's with one scenario and one cell: their ids."""
    async with platform.db.session() as session:
        run = EvaluationRun(project_id=owner.project_id, name="owner run", status="succeeded")
        session.add(run)
        await session.flush()
        scenario = scenario_row(run.id, 0, inputs={"country": "owner secret"})
        await insert_scenarios(session, [scenario])
        cell = cell_row(run.id, CellKey(0, uuid7(), 0), output="owner output")
        await insert_cells(session, [cell])
        return str(run.id), str(scenario["id"]), str(cell["id"])


async def run_id(platform: Platform, owner: Persona) -> str:
    return (await _run(platform, owner))[0]


async def scenario_id(platform: Platform, owner: Persona) -> str:
    return (await _run(platform, owner))[1]


async def cell_id(platform: Platform, owner: Persona) -> str:
    return (await _run(platform, owner))[2]


async def evaluator_id(platform: Platform, owner: Persona) -> str:
    async with platform.db.session() as session:
        config = await create_config(
            session,
            owner.project_id,
            owner.user_id,
            slug=f"owner-exact-{uuid7().hex[:8]}",
            data=builtin_data("auto_exact_match", {}),
        )
        return str(config.id)


async def action_archive(platform: Platform, owner: Persona) -> str:
    return "archive"


SAMPLES = {
    "run_id": run_id,
    "scenario_id": scenario_id,
    "cell_id": cell_id,
    "evaluator_id": evaluator_id,
    "/api/evaluators/configs/{evaluator_id:uuid}/{action:str}#action": action_archive,
}
