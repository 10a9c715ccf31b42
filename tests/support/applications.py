"""Applications stored straight through the registry's service, for tests of other features."""

from __future__ import annotations

import uuid

from agenta.core.registry.applications import create_application
from agenta.core.registry.scope import Scope
from agenta.platform import Platform
from tests.support.accounts import Persona


async def store_application(platform: Platform, owner: Persona, slug: str) -> uuid.UUID:
    """A completion application in ``owner``'s project; returns its id."""
    async with platform.db.session() as session:
        scope = Scope(session=session, project_id=owner.project_id, actor_id=owner.user_id)
        return (await create_application(scope, slug=slug)).application.id
