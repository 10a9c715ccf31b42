"""Pages: environments, their deployment history, rollback and protection.

- ``GET /environments``: every environment with its current version and what it deploys; a form
  for a new one;
- ``GET /environments/{id}``: what is deployed now, then the history (who deployed what, when),
  each older state with a "Roll back to this" button; protect or unprotect the environment;
- ``POST /environments``, ``POST /environments/{id}/rollback``, ``.../guard``, ``.../unguard``.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.accounts.page_support import form_data
from agenta.core.registry import environments
from agenta.core.registry.deployments import history_with_changes
from agenta.core.registry.models import EnvironmentArtifact
from agenta.core.registry.pages.support import back_to, names_for, render
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference, parse_version
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_ENVIRONMENTS)]
EDIT = [requires(Permission.EDIT_ENVIRONMENTS)]
GUARD = [requires(Permission.DEPLOY_ENVIRONMENTS)]


@get("/environments", guards=VIEW, include_in_schema=False)
async def environment_list(
    request: Request[Any, Any, Any], registry: NamedDependency[Scope]
) -> Template:
    heads = await environments.list_environments(registry)
    names = await names_for(registry, [head.revision for head in heads if head.revision])
    return render(
        request,
        "environments.html",
        heads=heads,
        names=names,
        is_guarded=environments.is_guarded,
        can_edit=registry.can(Permission.EDIT_ENVIRONMENTS),
    )


@post("/environments", guards=EDIT, include_in_schema=False)
async def environment_create(
    request: Request[Any, Any, Any], registry: NamedDependency[Scope]
) -> Redirect:
    form = await form_data(request)
    try:
        head = await environments.create_environment(
            registry, slug=form.get("slug", "").strip(), name=form.get("name", "").strip() or None
        )
    except AppError as exc:
        await registry.session.rollback()
        return back_to("/environments", error=exc.detail)
    return back_to(f"/environments/{head.environment.id}", notice="Environment created")


@get("/environments/{environment_id:uuid}", guards=VIEW, include_in_schema=False)
async def environment_detail(
    request: Request[Any, Any, Any],
    registry: NamedDependency[Scope],
    environment_id: FromPath[uuid.UUID],
) -> Template:
    environment = await _environment(registry, environment_id)
    head = await environments.head_of(registry, environment)
    entries = await history_with_changes(registry, environment)
    return render(
        request,
        "environment.html",
        environment=environment,
        head=head,
        entries=entries,
        names=await names_for(registry, [entry.revision for entry in entries]),
        guarded=environments.is_guarded(environment),
        can_change=_may_change(registry, environment),
        can_guard=registry.can(Permission.DEPLOY_ENVIRONMENTS),
    )


@post("/environments/{environment_id:uuid}/rollback", guards=EDIT, include_in_schema=False)
async def environment_rollback(
    request: Request[Any, Any, Any],
    registry: NamedDependency[Scope],
    environment_id: FromPath[uuid.UUID],
) -> Redirect:
    form = await form_data(request)
    environment = await _environment(registry, environment_id)
    back = f"/environments/{environment_id}"
    try:
        version = parse_version(form.get("version"), "version")
        if version is None:
            raise AppError("Choose the revision to roll back to")
        revision = await environments.rollback(registry, environment, version)
    except AppError as exc:
        return back_to(back, error=exc.detail)
    return back_to(
        back, notice=f"Rolled back to revision {version} (now revision {revision.version})"
    )


@post("/environments/{environment_id:uuid}/guard", guards=GUARD, include_in_schema=False)
async def environment_guard(
    registry: NamedDependency[Scope], environment_id: FromPath[uuid.UUID]
) -> Redirect:
    environment = await _environment(registry, environment_id)
    await environments.set_guarded(registry, environment, True)
    return back_to(f"/environments/{environment_id}", notice="Environment protected")


@post("/environments/{environment_id:uuid}/unguard", guards=GUARD, include_in_schema=False)
async def environment_unguard(
    registry: NamedDependency[Scope], environment_id: FromPath[uuid.UUID]
) -> Redirect:
    environment = await _environment(registry, environment_id)
    await environments.set_guarded(registry, environment, False)
    return back_to(f"/environments/{environment_id}", notice="Protection lifted")


def _may_change(registry: Scope, environment: EnvironmentArtifact) -> bool:
    if not registry.can(Permission.EDIT_ENVIRONMENTS):
        return False
    return not environments.is_guarded(environment) or registry.can(Permission.DEPLOY_ENVIRONMENTS)


async def _environment(registry: Scope, environment_id: uuid.UUID) -> EnvironmentArtifact:
    found = await environments.find_environment(registry, Reference(id=environment_id))
    if found is None:
        raise NotFound(f"environment {environment_id} not found")
    return found


ROUTES = [
    environment_list,
    environment_create,
    environment_detail,
    environment_rollback,
    environment_guard,
    environment_unguard,
]
