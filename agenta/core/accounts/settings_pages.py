"""Account and project pages: the account settings, the settings index, the project switcher.

- ``/account``: the user's name and password (changing the password ends their other sessions);
- ``/settings``: the current project and organization, their projects, a form for a new project;
- ``/partials/project-switcher``: the switcher fragment that the top bar loads with htmx;
- ``POST /projects/switch``: remember another project (membership is checked on every request
  anyway, the cookie only records the choice).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.errors import PermissionDenied
from agenta.core.access.guards import authenticated, requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Identity, Principal
from agenta.core.access.resolution import principal_for_connection
from agenta.core.access.sessions import project_cookie
from agenta.core.accounts.api_routes import change_password_of
from agenta.core.accounts.page_support import flash, form_data, page, redirect, safe_next
from agenta.core.accounts.tenancy import (
    create_project,
    project_access,
    projects_of_user,
    workspace_of_project,
)
from agenta.core.accounts.users import get_user, update_profile
from agenta.errors import AppError
from agenta.settings import Settings


async def _account_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    identity: Identity,
    flashes: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Template:
    user = await get_user(session, identity.user_id)
    return page(
        request, "accounts/account.html", user=user, flashes=flashes, status_code=status_code
    )


@get("/account", guards=[authenticated()], include_in_schema=False)
async def account(
    request: Request[Any, Any, Any],
    identity: NamedDependency[Identity],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _account_page(request, db_session, identity)


@post("/account/profile", guards=[authenticated()], include_in_schema=False)
async def account_profile(
    request: Request[Any, Any, Any],
    identity: NamedDependency[Identity],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    form = await form_data(request)
    user = await get_user(db_session, identity.user_id)
    try:
        await update_profile(db_session, user, name=form.get("name", ""))
    except AppError as exc:
        return await _account_page(
            request, db_session, identity, [flash("error", exc.detail)], exc.status_code
        )
    return await _account_page(request, db_session, identity, [flash("success", "Name saved")])


@post("/account/password", guards=[authenticated()], include_in_schema=False)
async def account_password(
    request: Request[Any, Any, Any],
    identity: NamedDependency[Identity],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    form = await form_data(request)
    try:
        await change_password_of(
            db_session, identity, form.get("current_password", ""), form.get("new_password", "")
        )
    except AppError as exc:
        return await _account_page(
            request, db_session, identity, [flash("error", exc.detail)], exc.status_code
        )
    message = "Password changed; your other sessions have been logged out"
    return await _account_page(request, db_session, identity, [flash("success", message)])


async def _settings_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    flashes: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Template:
    assert principal.user_id is not None
    projects = await projects_of_user(session, principal.user_id)
    current = next(p for p in projects if p.project_id == principal.project_id)
    siblings = [p for p in projects if p.organization_id == principal.organization_id]
    return page(
        request,
        "accounts/settings.html",
        principal=principal,
        current=current,
        projects=siblings,
        Permission=Permission,
        flashes=flashes,
        status_code=status_code,
    )


@get("/settings", guards=[requires()], include_in_schema=False)
async def settings_index(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _settings_page(request, db_session, principal)


@post("/settings/projects", guards=[requires(Permission.EDIT_PROJECT)], include_in_schema=False)
async def settings_new_project(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    form = await form_data(request)
    workspace = await workspace_of_project(db_session, principal.project_id)
    try:
        project = await create_project(
            db_session, workspace, form.get("name", ""), actor_id=principal.user_id
        )
    except AppError as exc:
        # The page below is built from fresh queries: the rollback expires what was loaded.
        await db_session.rollback()
        failed = [flash("error", f"Project not created: {exc.detail}")]
        return await _settings_page(request, db_session, principal, failed, exc.status_code)
    return redirect("/settings", [project_cookie(settings, project.id)])


@get("/partials/project-switcher", guards=[authenticated()], include_in_schema=False)
async def project_switcher(
    request: Request[Any, Any, Any],
    identity: NamedDependency[Identity],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    projects = await projects_of_user(db_session, identity.user_id)
    current = (await principal_for_connection(request)).project_id if projects else None
    groups = [
        (name, list(items)) for name, items in groupby(projects, lambda p: p.organization_name)
    ]
    # htmx names the page the switcher sits on; switching comes back to it.
    shown_on = urlparse(request.headers.get("hx-current-url", "/"))
    next_path = shown_on.path + (f"?{shown_on.query}" if shown_on.query else "")
    return page(
        request,
        "partials/project_switcher_menu.html",
        groups=groups,
        current=current,
        next=safe_next(next_path),
    )


@post("/projects/switch", guards=[authenticated()], include_in_schema=False)
async def switch_project(
    request: Request[Any, Any, Any],
    identity: NamedDependency[Identity],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> Redirect:
    form = await form_data(request)
    try:
        project_id = UUID(form.get("project_id", ""))
    except ValueError:
        raise AppError("Choose a project to switch to", status_code=400) from None
    if await project_access(db_session, identity.user_id, project_id) is None:
        raise PermissionDenied("You are not a member of this project")
    return redirect(safe_next(form.get("next")), [project_cookie(settings, project_id)])


ROUTES = [
    account,
    account_profile,
    account_password,
    settings_index,
    settings_new_project,
    project_switcher,
    switch_project,
]
