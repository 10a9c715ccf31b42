"""Environments: defaults per project, deploys as versioned changes, rollback, protection."""

from __future__ import annotations

import pytest

from agenta.core.access.errors import PermissionDenied
from agenta.core.access.permissions import permissions_of
from agenta.core.registry import applications, environments, variants
from agenta.core.registry.deployments import history_with_changes
from agenta.core.registry.resolution import ConfigQuery, resolve
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.errors import AppError
from tests.core.registry.conftest import ScopeOf
from tests.support.accounts import Persona


async def deployed_data(scope: Scope, environment: str, app_slug: str) -> dict | None:
    resolved = await resolve(
        scope, ConfigQuery(environment=Reference(slug=environment), key=f"{app_slug}.revision")
    )
    return resolved.revision.data if resolved else None


async def test_every_new_project_has_development_staging_and_production(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        heads = await environments.list_environments(scope)

    assert [head.environment.slug for head in heads] == ["development", "staging", "production"]
    assert all(head.references == {} for head in heads)


async def test_a_deploy_is_a_new_environment_revision_and_rollback_restores_an_old_map(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        head = await applications.create_application(scope, slug="bot", variant_slug="main")
        assert head.variant is not None and head.revision is not None
        v2 = await variants.commit(scope, head.variant, data={"parameters": {"v": 2}})
        production = await environments.require_environment(scope, Reference(slug="production"))
        first = await environments.deploy(
            scope, production, head.application, head.revision, variant_slug="main"
        )
        await environments.deploy(scope, production, head.application, v2, variant_slug="main")
        before = await deployed_data(scope, "production", "bot")
        rolled = await environments.rollback(scope, production, first.version)
        after = await deployed_data(scope, "production", "bot")
        entries = await history_with_changes(scope, production)

    assert before == {**head.revision.data, "parameters": {"v": 2}}
    assert after == head.revision.data
    assert [entry.revision.version for entry in entries] == [4, 3, 2, 1]
    assert rolled.message == "Roll back to revision 2"
    assert [change.kind for change in entries[0].changes] == ["changed"]
    assert [change.kind for change in entries[2].changes] == ["added"]
    assert entries[2].revision.created_by_id == owner.user_id


async def test_rolling_back_to_the_current_state_is_refused(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        staging = await environments.require_environment(scope, Reference(slug="staging"))
        with pytest.raises(AppError, match="already the current state"):
            await environments.rollback(scope, staging, 1)


async def test_a_renamed_application_keeps_its_deployment(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        head = await applications.create_application(scope, slug="old-name")
        assert head.revision is not None and head.variant is not None
        staging = await environments.require_environment(scope, Reference(slug="staging"))
        await environments.deploy(
            scope, staging, head.application, head.revision, variant_slug=head.variant.slug
        )
        await applications.update_application(scope, head.application, {"slug": "new-name"})

        assert await deployed_data(scope, "staging", "new-name") == head.revision.data


async def test_a_protected_environment_needs_deploy_environments(
    scope_of: ScopeOf, owner: Persona
) -> None:
    async with scope_of(owner) as scope:
        head = await applications.create_application(scope, slug="bot")
        production = await environments.require_environment(scope, Reference(slug="production"))
        await environments.set_guarded(scope, production, True)
        assert head.revision is not None
        without_deploy = Scope(
            session=scope.session,
            project_id=scope.project_id,
            actor_id=scope.actor_id,
            permissions=permissions_of("owner") - {"deploy_environments"},  # type: ignore[operator]
        )
        with pytest.raises(PermissionDenied, match="protected"):
            await environments.deploy(
                without_deploy, production, head.application, head.revision, variant_slug="x"
            )
        staging = await environments.require_environment(scope, Reference(slug="staging"))
        await environments.deploy(
            without_deploy, staging, head.application, head.revision, variant_slug="x"
        )


async def test_an_environment_slug_cannot_change(scope_of: ScopeOf, owner: Persona) -> None:
    async with scope_of(owner) as scope:
        production = await environments.require_environment(scope, Reference(slug="production"))
        with pytest.raises(AppError, match=r"environment\.slug cannot change"):
            await environments.update_environment(scope, production, {"slug": "prod"})
