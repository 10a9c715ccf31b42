"""Pages: the application list and an application's overview.

- ``GET /apps``: every application with its type, default variant's latest version and the
  environments it is deployed to; a form to create one (completion, chat, or custom with a URL);
  ``?archived=1`` lists archived ones, which can be restored;
- ``POST /apps``: create (the first variant is ``default``);
- ``GET /apps/{id}``: variants with their latest revisions, what each environment deploys, and
  the online evaluation scores of its live traces over the last day (asked of the online
  feature's ``app_scores``; with no rule watching the application, how to add one);
- ``POST /apps/{id}/archive`` and ``/unarchive``.
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
from agenta.core.online.overview import AppScores, app_scores
from agenta.core.registry import applications, environments
from agenta.core.registry.environments import entry_for
from agenta.core.registry.models import ApplicationArtifact
from agenta.core.registry.pages.support import (
    app_type,
    back_to,
    deployments_of,
    names_for,
    render,
    variant_rows,
)
from agenta.core.registry.scope import Scope
from agenta.core.registry.templates import APP_TYPES
from agenta.errors import AppError

VIEW = [requires(Permission.VIEW_APPLICATIONS)]
EDIT = [requires(Permission.EDIT_APPLICATIONS)]


@get("/apps", guards=VIEW, include_in_schema=False)
async def app_list(request: Request[Any, Any, Any], registry: NamedDependency[Scope]) -> Template:
    return await _list_page(request, registry)


async def _list_page(
    request: Request[Any, Any, Any],
    registry: Scope,
    *,
    typed: dict[str, str] | None = None,
    error: str | None = None,
) -> Template:
    """The app list with the new-app form: empty, or as typed when creating the app failed."""
    archived = request.query_params.get("archived") == "1"
    heads = await applications.list_applications(registry, include_archived=archived)
    if archived:
        heads = [head for head in heads if head.application.deleted_at is not None]
    deployed: dict[uuid.UUID, list[str]] = {}
    for environment in await environments.list_environments(registry):
        for head in heads:
            if entry_for(environment.references, application_id=head.application.id, key=None):
                deployed.setdefault(head.application.id, []).append(environment.environment.slug)
    return render(
        request,
        "apps.html",
        heads=heads,
        deployed=deployed,
        archived=archived,
        app_type=app_type,
        app_types=APP_TYPES,
        can_edit=registry.can(Permission.EDIT_APPLICATIONS),
        typed=typed or {},
        error=error,
        status_code=422 if error else 200,
    )


@post("/apps", guards=EDIT, include_in_schema=False)
async def app_create(
    request: Request[Any, Any, Any], registry: NamedDependency[Scope]
) -> Template | Redirect:
    form = await form_data(request)
    kind = form.get("app_type", "completion")
    if kind not in APP_TYPES:
        return await _list_page(
            request, registry, typed=form, error=f"Unknown application type {kind!r}"
        )
    if kind == "custom" and not form.get("url", "").strip():
        problem = "A custom application needs the URL of its service"
        return await _list_page(request, registry, typed=form, error=problem)
    try:
        head = await applications.create_application(
            registry,
            slug=form.get("slug", "").strip(),
            app_type=kind,  # type: ignore[arg-type]
            url=form.get("url", "").strip() or None,
            variant_slug="default",
            name=form.get("name", "").strip() or None,
        )
    except AppError as exc:
        # The application may be half written (a bad URL is found after its first rows).
        await registry.session.rollback()
        return await _list_page(request, registry, typed=form, error=exc.detail)
    return back_to(f"/apps/{head.application.id}", notice="Application created")


@get("/apps/{app_id:uuid}", guards=VIEW, include_in_schema=False)
async def app_overview(
    request: Request[Any, Any, Any], registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID]
) -> Template:
    application = await applications.get_application(registry, app_id)
    rows = await variant_rows(registry, application)
    deployments = await deployments_of(registry, application)
    names = await names_for(
        registry,
        [row.latest for row in rows] + [d.deployed for d in deployments if d.deployed],
    )
    return render(
        request,
        "overview.html",
        application=application,
        rows=rows,
        deployments=deployments,
        names=names,
        app_type=app_type(application),
        tab="overview",
        can_edit=registry.can(Permission.EDIT_APPLICATIONS),
        online_scores=await _online_scores(registry, application),
    )


async def _online_scores(registry: Scope, application: ApplicationArtifact) -> AppScores | None:
    if not registry.can(Permission.VIEW_EVALUATION_RUNS):
        return None
    names = [application.slug, str(application.id)]
    return await app_scores(registry.session, registry.project_id, names)


@post("/apps/{app_id:uuid}/archive", guards=EDIT, include_in_schema=False)
async def app_archive(registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID]) -> Redirect:
    application = await applications.get_application(registry, app_id)
    await applications.set_application_archived(registry, application, True)
    return back_to("/apps", notice=f"Archived {application.slug}")


@post("/apps/{app_id:uuid}/unarchive", guards=EDIT, include_in_schema=False)
async def app_unarchive(registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID]) -> Redirect:
    application = await applications.get_application(registry, app_id)
    await applications.set_application_archived(registry, application, False)
    return back_to(f"/apps/{app_id}", notice=f"Restored {application.slug}")


ROUTES = [app_list, app_create, app_overview, app_archive, app_unarchive]
