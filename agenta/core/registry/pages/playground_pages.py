"""Pages: the playground, where a draft prompt is edited, run (streamed) and compared.

- ``GET /apps/{id}/playground[?revision_id=|variant_id=]``: one column holding the editor of a
  revision (by default the first variant's latest), the shared input fields and, for chat
  apps, the message history;
- ``POST /apps/{id}/playground/column``: another column (a revision, or a copy of a draft);
- ``POST /apps/{id}/playground/variables``: the input fields for the variables the columns'
  templates read (htmx swaps them in when a template changes; typed values are kept);
- ``POST /apps/{id}/playground/commit``: the draft becomes a new revision of its variant;
- ``POST /apps/{id}/playground/variant``: a new variant whose first commit is the draft.

Runs do not pass through these pages: ``playground.js`` posts each column's draft inline to
``/services/{completion|chat}/v0/invoke`` and renders the server-sent events as they come.
Deploying uses the variant pages' deploy form.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.accounts.page_support import form_data, page
from agenta.core.registry import applications, environments, variants
from agenta.core.registry.models import ApplicationArtifact, ApplicationRevision
from agenta.core.registry.pages import playground_forms as forms
from agenta.core.registry.pages.support import parse_id, render, variant_rows
from agenta.core.registry.scope import Scope
from agenta.core.registry.templates import app_type_of
from agenta.core.secrets.runtime import cached_connections
from agenta.errors import AppError, NotFound
from agenta.llm import connection_model_names
from agenta.platform import Platform

VIEW = [requires(Permission.VIEW_APPLICATIONS)]
EDIT = [requires(Permission.EDIT_APPLICATIONS)]
INPUT_PREFIX = "input:"


@get("/apps/{app_id:uuid}/playground", guards=VIEW, include_in_schema=False)
async def playground(
    request: Request[Any, Any, Any],
    registry: NamedDependency[Scope],
    platform: NamedDependency[Platform],
    app_id: FromPath[uuid.UUID],
    revision_id: FromQuery[str | None] = None,
    variant_id: FromQuery[str | None] = None,
) -> Template:
    application = await applications.get_application(registry, app_id)
    revision = await _starting_revision(registry, application, revision_id, variant_id)
    parameters = (revision.data.get("parameters") if revision else None) or {}
    view = forms.editor_view(parameters)
    names, problems = forms.variables_of([parameters.get("prompt")] if revision else [])
    return render(
        request,
        "playground.html",
        application=application,
        tab="playground",
        playground_url=f"/apps/{app_id}/playground",
        kind=app_type_of(application.flags),
        column=await _column_context(registry, platform, revision, view),
        choices=await _revision_choices(registry, application),
        environments=[head.environment for head in await environments.list_environments(registry)],
        variables=names,
        values={},
        problems=problems,
        can_edit=registry.can(Permission.EDIT_APPLICATIONS),
        can_run=registry.can(Permission.RUN_SERVICE),
        can_deploy=registry.can(Permission.EDIT_ENVIRONMENTS),
    )


@post("/apps/{app_id:uuid}/playground/column", guards=VIEW, include_in_schema=False)
async def playground_column(
    request: Request[Any, Any, Any],
    registry: NamedDependency[Scope],
    platform: NamedDependency[Platform],
    app_id: FromPath[uuid.UUID],
) -> Template:
    form = await form_data(request)
    application = await applications.get_application(registry, app_id)
    revision = await _revision_of(registry, application, parse_id(form.get("revision_id")))
    parameters = revision.data.get("parameters")
    if form.get("parameters"):
        parameters = forms.parse_draft(form["parameters"])
    view = forms.editor_view(parameters)
    return page(
        request,
        "registry/playground_column.html",
        application=application,
        column=await _column_context(registry, platform, revision, view),
        environments=[head.environment for head in await environments.list_environments(registry)],
        can_edit=registry.can(Permission.EDIT_APPLICATIONS),
        can_deploy=registry.can(Permission.EDIT_ENVIRONMENTS),
    )


@post("/apps/{app_id:uuid}/playground/variables", guards=VIEW, include_in_schema=False)
async def playground_variables(
    request: Request[Any, Any, Any], registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID]
) -> Template:
    await applications.get_application(registry, app_id)  # 404 outside the caller's project
    form = await form_data(request)
    try:
        prompts = json.loads(form.get("prompts") or "[]")
    except json.JSONDecodeError:
        prompts = []
    if not isinstance(prompts, list):
        prompts = []
    names, problems = forms.variables_of(prompts)
    values = {
        key.removeprefix(INPUT_PREFIX): value
        for key, value in form.items()
        if key.startswith(INPUT_PREFIX)
    }
    return page(
        request,
        "registry/playground_inputs.html",
        variables=names,
        values=values,
        problems=problems,
    )


@post("/apps/{app_id:uuid}/playground/commit", guards=EDIT, include_in_schema=False)
async def playground_commit(
    request: Request[Any, Any, Any], registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID]
) -> Redirect:
    await applications.get_application(registry, app_id)  # 404 outside the caller's project
    form = await form_data(request)
    variant_id = parse_id(form.get("variant_id"))
    if variant_id is None:
        return _to_playground(app_id, error="Choose the variant to commit to")
    variant = await variants.get_variant(registry, variant_id)
    if variant.artifact_id != app_id:
        raise NotFound(f"variant {variant_id} is not a variant of this application")
    try:
        parameters = forms.parse_draft(form.get("parameters"))
        revision = await variants.commit(
            registry,
            variant,
            data={"parameters": parameters},
            message=form.get("message", "").strip(),
        )
    except AppError as exc:
        return _to_playground(app_id, variant_id=variant_id, error=exc.detail)
    notice = f"Committed {variant.slug} v{revision.version}"
    return _to_playground(app_id, revision_id=revision.id, notice=notice)


@post("/apps/{app_id:uuid}/playground/variant", guards=EDIT, include_in_schema=False)
async def playground_new_variant(
    request: Request[Any, Any, Any], registry: NamedDependency[Scope], app_id: FromPath[uuid.UUID]
) -> Redirect:
    form = await form_data(request)
    application = await applications.get_application(registry, app_id)
    source = await _revision_of(registry, application, parse_id(form.get("revision_id")))
    # Read before a rollback expires the row: reloading it then would need IO in sync code.
    source_id = source.id
    try:
        parameters = forms.parse_draft(form.get("parameters"))
        variant, _ = await variants.fork(
            registry, source, slug=form.get("slug", "").strip() or None
        )
        revision = await variants.commit(
            registry,
            variant,
            data={"parameters": parameters},
            message=form.get("message", "").strip() or "Created from the playground",
        )
    except AppError as exc:
        await registry.session.rollback()
        return _to_playground(app_id, revision_id=source_id, error=exc.detail)
    notice = f"Created variant {variant.slug} (v{revision.version})"
    return _to_playground(app_id, revision_id=revision.id, notice=notice)


def _to_playground(app_id: uuid.UUID, **query: object) -> Redirect:
    """A 303 back to the playground, opened on a revision or variant, with its flash."""
    path = f"/apps/{app_id}/playground"
    return Redirect(f"{path}?{urlencode({k: str(v) for k, v in query.items()})}", status_code=303)


async def _starting_revision(
    registry: Scope,
    application: ApplicationArtifact,
    revision_id: str | None,
    variant_id: str | None,
) -> ApplicationRevision | None:
    """The asked revision, else the asked variant's latest, else the first variant's latest."""
    if revision_id:
        return await _revision_of(registry, application, parse_id(revision_id))
    rows = await variant_rows(registry, application)
    wanted = parse_id(variant_id)
    for row in rows:
        if wanted is None or row.variant.id == wanted:
            return row.latest
    raise NotFound(f"variant {variant_id} is not a variant of {application.slug}")


async def _revision_of(
    registry: Scope, application: ApplicationArtifact, revision_id: uuid.UUID | None
) -> ApplicationRevision:
    if revision_id is None:
        raise AppError("Choose a revision")
    revision = await variants.get_revision(registry, revision_id)
    if revision.artifact_id != application.id:
        raise NotFound(f"revision {revision_id} is not a revision of {application.slug}")
    return revision


async def _column_context(
    registry: Scope,
    platform: Platform,
    revision: ApplicationRevision | None,
    view: forms.EditorView,
) -> dict[str, Any]:
    """What one column's template needs: its revision, variant, fields and model picker."""
    variant = await variants.get_variant(registry, revision.variant_id) if revision else None
    custom = connection_model_names(await cached_connections(platform, registry.project_id))
    return {
        "key": uuid.uuid4().hex[:8],
        "revision": revision,
        "variant": variant,
        "view": view,
        "stored": json.dumps((revision.data.get("parameters") if revision else None) or {}),
        "models": forms.model_groups(view.model, custom),
        "roles": forms.ROLES,
        "formats": forms.FORMATS,
        "response_types": forms.RESPONSE_TYPES,
    }


async def _revision_choices(
    registry: Scope, application: ApplicationArtifact
) -> list[tuple[str, str]]:
    """Each variant's latest revision as (id, label), to add as a compare column."""
    return [
        (str(row.latest.id), f"{row.variant.slug} v{row.latest.version}")
        for row in await variant_rows(registry, application)
        if row.latest is not None
    ]


ROUTES = [
    playground,
    playground_column,
    playground_variables,
    playground_commit,
    playground_new_variant,
]
