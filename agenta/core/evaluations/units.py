"""Units of work of a slice: what is still missing for each (row, app revision, repeat).

A unit invokes the application unless its invocation cell exists, then runs the evaluators
whose cells are missing. ``missing_units`` compares the plan with the cells already written,
so a resumed slice does exactly the work that was not recorded, and nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agenta.core.evaluations.cells import CellKey
from agenta.core.evaluations.models import EvaluationCell, EvaluationScenario
from agenta.core.evaluations.plan import AppStep, EvaluatorStep, RunPlan


@dataclass(frozen=True)
class Unit:
    """One (row, app revision, repeat) and the work it still needs."""

    scenario: EvaluationScenario
    app: AppStep
    repeat: int
    invocation: EvaluationCell | None
    evaluators: tuple[EvaluatorStep, ...]

    @property
    def inputs(self) -> dict[str, Any]:
        return dict(self.scenario.inputs or {})

    def key(self, evaluator: EvaluatorStep | None = None) -> CellKey:
        """The key of this unit's invocation cell, or of one evaluator's cell."""
        base = CellKey(self.scenario.row_index, self.app.revision_id, self.repeat)
        if evaluator is None:
            return base
        return CellKey(base.row_index, base.revision_id, base.repeat, evaluator.revision_id)


def missing_units(
    plan: RunPlan,
    scenarios: list[EvaluationScenario],
    done: dict[CellKey, EvaluationCell],
) -> list[Unit]:
    """The units of ``scenarios`` with at least one missing cell, in row order."""
    units = []
    for scenario in scenarios:
        for app in plan.applications:
            for repeat in range(plan.repeats):
                base = CellKey(scenario.row_index, app.revision_id, repeat)
                missing = tuple(
                    evaluator
                    for evaluator in plan.evaluators
                    if CellKey(base.row_index, base.revision_id, repeat, evaluator.revision_id)
                    not in done
                )
                invocation = done.get(base)
                if invocation is None or missing:
                    units.append(Unit(scenario, app, repeat, invocation, missing))
    return units
