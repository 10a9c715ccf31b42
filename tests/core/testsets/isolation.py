"""Isolation samples for the test set routes (see ``tests/core/access/route_table.py``).

The sample is a test set of the owner's project with one revision; ``version`` is a generic
name, so it is registered for the test set routes only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select

from agenta.core.testsets import adding
from agenta.core.testsets.models import Testset
from agenta.platform import Platform
from tests.support.accounts import Persona

Sample = Callable[[Platform, Persona], Awaitable[str]]
NAME = "Isolated test set"


async def testset_id(platform: Platform, owner: Persona) -> str:
    async with platform.db.session() as session:
        existing = await session.scalar(
            select(Testset.id).where(Testset.project_id == owner.project_id, Testset.name == NAME)
        )
        if existing is not None:
            return str(existing)
        added = await adding.add_rows(
            session,
            owner.project_id,
            None,
            NAME,
            [{"question": "secret?", "correct_answer": "secret"}],
            None,
            "",
            owner.user_id,
            max_rows=10,
        )
        return str(added.testset.id)


async def first_version(platform: Platform, owner: Persona) -> str:
    return "1"


VERSION_ROUTES = [
    "/api/testsets/{testset_id:uuid}/revisions/{version:str}",
    "/api/testsets/{testset_id:uuid}/revisions/{version:str}/rows",
    "/api/testsets/{testset_id:uuid}/revisions/{version:str}/download",
]

SAMPLES: dict[str, Sample] = {
    "testset_id": testset_id,
    **{f"{path}#version": first_version for path in VERSION_ROUTES},
}
