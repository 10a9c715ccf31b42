"""Pages: a variant's history, forks, deploys and the side-by-side diff of two revisions.

- ``GET /apps/{id}/variants/{variant_id}``: revisions newest first (message, author, date, where
  deployed), each with its configuration, a deploy form and a fork form; pick two to compare;
- ``POST /apps/{id}/fork``: a new variant from any revision;
- ``POST /apps/{id}/revisions/{revision_id}/deploy``: deploy to an environment;
- ``POST /apps/{id}/variants/{variant_id}/archive`` and ``/unarchive``;
- ``GET /apps/{id}/diff?old=&new=``: every field of two revisions side by side.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.accounts.page_support import form_data
from agenta.core.registry import applications, environments, variants
from agenta.core.registry.models import ApplicationArtifact
from agenta.core.registry.pages.support import (
    back_to,
    deployments_of,
    names_for,
    parse_id,
    render,
    variant_rows,
)
from agenta.core.registry.scope import Scope
from agenta.core.revisions.references import Reference
from agenta.errors import AppError, NotFound

VIEW = [requires(Permission.VIEW_APPLICATIONS)]
EDIT = [requires(Permission.EDIT_APPLICATIONS)]
DEPLOY = [requires(Permission.VIEW_APPLICATIONS, Permission.EDIT_ENVIRONMENTS)]


@get("/apps/{app_id:uuid}/variants/{variant_id:uuid}", guards=VIEW, include_in_schema=False)
async def variant_history(
    request: Request[Any, Any, Any],
    registry: NamedDependency[Scope],
    app_id: FromPath[uuid.UUID],
    variant_id: FromPath[uuid.UUID],
) -> Template:
    application, variant = await _app_and_variant(registry, app_id, variant_id)
    revisions = await variants.history(registry, variant, include_archived=True)
    deployments = await deployments_of(registry, application)
    deployed_in: dict[str, list[str]] = {}
    for deployment in deployments:
        if deployment.revision_id:
            deployed_in.setdefault(deployment.revision_id, []).append(
                deployment.head.environment.slug
            )
    return render(
        request,
        "variant.html",
        application=application,
        variant=variant,
        revisions=revisions,
        names=await names_for(registry, revisions),
        deployed_in=deployed_in,
        environments=[deployment.head.environment for deployment in deployments],
        pretty=lambda data: json.dumps(data, indent=2, ensure_ascii=False),
        tab="variants",
        can_edit=registry.can(Permission.EDIT_APPLICATIONS),
        can_deploy=registry.can(Permission.EDIT_ENVIRONMENTS),
    )


@post("/apps/{app_id:uuid}/fork", guards=EDIT, include_in_schema=False)
async def variant_fork(
    request: Request[Any, Any, Any], registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID]
) -> Redirect:
    form = await form_data(request)
    source = await _revision_of(registry, app_id, parse_id(form.get("revision_id")))
    try:
        variant, _ = await variants.fork(
            registry, source, slug=form.get("slug", "").strip() or None
        )
    except AppError as exc:
        return back_to(f"/apps/{app_id}/variants/{source.variant_id}", error=exc.detail)
    return back_to(f"/apps/{app_id}/variants/{variant.id}", notice=f"Forked into {variant.slug}")


@post(
    "/apps/{app_id:uuid}/revisions/{revision_id:uuid}/deploy",
    guards=DEPLOY,
    include_in_schema=False,
)
async def revision_deploy(
    request: Request[Any, Any, Any],
    registry: NamedDependency[Scope],
    app_id: FromPath[uuid.UUID],
    revision_id: FromPath[uuid.UUID],
) -> Redirect:
    form = await form_data(request)
    revision = await _revision_of(registry, app_id, revision_id)
    back = f"/apps/{app_id}/variants/{revision.variant_id}"
    environment_id = parse_id(form.get("environment_id"))
    environment = environment_id and await environments.find_environment(
        registry, Reference(id=environment_id)
    )
    if not environment:
        return back_to(back, error="Choose an environment to deploy to")
    application = await applications.get_application(registry, app_id)
    variant = await variants.get_variant(registry, revision.variant_id)
    try:
        await environments.deploy(
            registry,
            environment,
            application,
            revision,
            variant_slug=variant.slug,
            message=form.get("message", "").strip() or None,
        )
    except AppError as exc:
        return back_to(back, error=exc.detail)
    notice = f"Deployed {variant.slug} v{revision.version} to {environment.slug}"
    return back_to(back, notice=notice)


@post(
    "/apps/{app_id:uuid}/variants/{variant_id:uuid}/archive", guards=EDIT, include_in_schema=False
)
async def variant_archive(
    registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID], variant_id: FromPath[uuid.UUID]
) -> Redirect:
    _, variant = await _app_and_variant(registry, app_id, variant_id)
    await variants.set_variant_archived(registry, variant, True)
    return back_to(f"/apps/{app_id}", notice=f"Archived variant {variant.slug}")


@post(
    "/apps/{app_id:uuid}/variants/{variant_id:uuid}/unarchive", guards=EDIT, include_in_schema=False
)
async def variant_unarchive(
    registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID], variant_id: FromPath[uuid.UUID]
) -> Redirect:
    _, variant = await _app_and_variant(registry, app_id, variant_id)
    await variants.set_variant_archived(registry, variant, False)
    return back_to(f"/apps/{app_id}/variants/{variant_id}", notice="Variant restored")


@get("/apps/{app_id:uuid}/diff", guards=VIEW, include_in_schema=False)
async def revision_diff(
    request: Request[Any, Any, Any],
    registry: NamedDependency[Scope],
    app_id: FromPath[uuid.UUID],
    old: FromQuery[str | None] = None,
    new: FromQuery[str | None] = None,
    changes_only: FromQuery[bool] = False,
) -> Template:
    application = await applications.get_application(registry, app_id)
    choices = await _revision_choices(registry, application)
    old_revision = new_revision = rows = None
    old_id, new_id = parse_id(old), parse_id(new)
    if old_id and new_id:
        old_revision = await _revision_of(registry, app_id, old_id)
        new_revision = await _revision_of(registry, app_id, new_id)
        rows = variants.diff(old_revision, new_revision)
        if changes_only:
            rows = [row for row in rows if row.status != "same"]
    return render(
        request,
        "diff.html",
        application=application,
        choices=choices,
        old_revision=old_revision,
        new_revision=new_revision,
        rows=rows,
        changes_only=changes_only,
        show=lambda value: json.dumps(value, ensure_ascii=False),
        tab="variants",
    )


async def _revision_choices(
    registry: Scope, application: ApplicationArtifact
) -> list[tuple[str, str]]:
    """Every revision of the application as (id, label), newest variant first."""
    choices = []
    for row in await variant_rows(registry, application, include_archived=True):
        for revision in await variants.history(registry, row.variant, include_archived=True):
            choices.append((str(revision.id), f"{row.variant.slug} v{revision.version}"))
    return choices


async def _app_and_variant(
    registry: Scope, app_id: uuid.UUID, variant_id: uuid.UUID
) -> tuple[ApplicationArtifact, Any]:
    application = await applications.get_application(registry, app_id)
    variant = await variants.get_variant(registry, variant_id)
    if variant.artifact_id != application.id:
        raise NotFound(f"variant {variant_id} is not a variant of {application.slug}")
    return application, variant


async def _revision_of(registry: Scope, app_id: uuid.UUID, revision_id: uuid.UUID | None) -> Any:
    if revision_id is None:
        raise AppError("Choose a revision")
    revision = await variants.get_revision(registry, revision_id)
    if revision.artifact_id != app_id:
        raise NotFound(f"revision {revision_id} is not a revision of this application")
    return revision


ROUTES = [
    variant_history,
    variant_fork,
    revision_deploy,
    variant_archive,
    variant_unarchive,
    revision_diff,
]
