"""Extension points other features plug into when accounts change.

``PROJECT_CREATED`` lists dotted import paths of ``async def f(session, project_id, actor_id)``
functions called, in order and in the same transaction, whenever a project is created (on
sign-up, by the CLI or from the UI). Features use it to seed per-project defaults such as the
default environments. The list is a constant edited in source, never mutated at runtime.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

ProjectCreatedHook = Callable[[AsyncSession, UUID, UUID | None], Awaitable[None]]

PROJECT_CREATED: tuple[str, ...] = ("agenta.core.registry.environments.create_defaults",)


def load_hook(path: str) -> ProjectCreatedHook:
    """Import ``package.module.function`` and return the function."""
    module_name, _, attribute = path.rpartition(".")
    if not module_name:
        raise ValueError(f"hook path {path!r} must be 'package.module.function'")
    return getattr(importlib.import_module(module_name), attribute)  # type: ignore[no-any-return]


async def run_project_created(
    session: AsyncSession, project_id: UUID, actor_id: UUID | None
) -> None:
    """Call every ``PROJECT_CREATED`` hook for a project that was just created."""
    for path in PROJECT_CREATED:
        await load_hook(path)(session, project_id, actor_id)
