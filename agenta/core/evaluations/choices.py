"""What a new run (or a gate) can be made of: the choices the forms offer.

- test sets with their latest revision;
- app revisions the services can run: the latest revision of every variant of every
  completion or chat application (custom applications run on the client, with the SDK);
- evaluator configurations the server can run (built-in ones).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.evaluators.configs import EvaluatorConfig, list_configs
from agenta.core.registry.scope import Scope
from agenta.core.registry.templates import app_type_of
from agenta.core.testsets.testsets import find_testsets, head_revisions


@dataclass(frozen=True)
class Choice:
    id: uuid.UUID
    label: str


async def testset_choices(session: AsyncSession, project_id: uuid.UUID) -> list[Choice]:
    """Each test set's latest revision: ``name vN (R rows)``."""
    testsets = await find_testsets(session, project_id)
    heads = await head_revisions(session, testsets)
    return [
        Choice(head.id, f"{testset.name} v{head.version} ({head.row_count} rows)")
        for testset in testsets
        if (head := heads.get(testset.id)) is not None
    ]


async def revision_choices(session: AsyncSession, project_id: uuid.UUID) -> list[Choice]:
    """The latest revision of every variant of every runnable application."""
    store = Scope(session=session, project_id=project_id).applications
    applications = [
        app for app in await store.artifacts() if app_type_of(app.flags) in ("completion", "chat")
    ]
    names = {app.id: app.slug for app in applications}
    variants = await store.variants(artifact_ids=list(names))
    latest = await store.latest_of([variant.id for variant in variants])
    return [
        Choice(revision.id, f"{names[variant.artifact_id]} / {variant.slug} v{revision.version}")
        for variant in variants
        if (revision := latest.get(variant.id)) is not None
    ]


async def evaluator_choices(session: AsyncSession, project_id: uuid.UUID) -> list[EvaluatorConfig]:
    """The configurations the server can run."""
    return [config for config in await list_configs(session, project_id) if config.is_builtin]
