"""Members and invitations pages, and the page an invitation link opens.

``/settings/members`` lists the organization's members with their roles; members who may edit
members also change roles, remove members, and invite addresses (the invitation link is shown
right away, since no mail server is assumed). ``/invitations/{token}`` shows what the link is
for; a logged-in user with the invited address accepts it there, anybody else is offered to log
in or sign up and comes back afterwards.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.errors import NotAuthenticated
from agenta.core.access.guards import authenticated, requires
from agenta.core.access.permissions import ROLE_DESCRIPTIONS, ROLE_ORDER, Permission
from agenta.core.access.principal import Identity, Principal
from agenta.core.access.resolution import identity_for_connection
from agenta.core.access.runtime import access_runtime
from agenta.core.access.sessions import project_cookie
from agenta.core.accounts.invitations import (
    accept_invitation,
    open_invitation,
    pending_invitations,
    revoke_invitation,
)
from agenta.core.accounts.member_events import member_joined
from agenta.core.accounts.members import change_role, list_members, remove_member
from agenta.core.accounts.organization_routes import NewInvitation, invite_member
from agenta.core.accounts.page_support import flash, form_data, page, redirect
from agenta.core.accounts.tenancy import projects_of_user
from agenta.core.accounts.users import get_user
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue
from agenta.platform import Platform
from agenta.settings import Settings


async def _members_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    *,
    flashes: list[dict[str, str]] | None = None,
    status_code: int = 200,
    invitation_link: str | None = None,
) -> Template:
    can_edit = principal.can(Permission.EDIT_MEMBERS)
    pending = await pending_invitations(session, principal.organization_id) if can_edit else []
    return page(
        request,
        "accounts/members.html",
        status_code=status_code,
        flashes=flashes,
        principal=principal,
        members=await list_members(session, principal.organization_id),
        invitations=pending,
        can_edit=can_edit,
        roles=ROLE_ORDER,
        role_descriptions=ROLE_DESCRIPTIONS,
        invitation_link=invitation_link,
    )


@get("/settings/members", guards=[requires(Permission.VIEW_MEMBERS)], include_in_schema=False)
async def members_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _members_page(request, db_session, principal)


@post(
    "/settings/members/{user_id:uuid}/role",
    guards=[requires(Permission.EDIT_MEMBERS)],
    include_in_schema=False,
)
async def member_role(
    request: Request[Any, Any, Any],
    user_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    form = await form_data(request)
    try:
        await change_role(
            db_session,
            principal.organization_id,
            user_id,
            form.get("role", ""),
            actor_role=principal.role,
        )
    except AppError as exc:
        await db_session.rollback()
        return await _members_page(
            request,
            db_session,
            principal,
            flashes=[flash("error", exc.detail)],
            status_code=exc.status_code,
        )
    await db_session.commit()
    await access_runtime(platform).invalidate(user_id=user_id)
    return await _members_page(
        request, db_session, principal, flashes=[flash("success", "Role changed")]
    )


@post(
    "/settings/members/{user_id:uuid}/remove",
    guards=[requires(Permission.EDIT_MEMBERS)],
    include_in_schema=False,
)
async def member_remove(
    request: Request[Any, Any, Any],
    user_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    try:
        await remove_member(
            db_session, principal.organization_id, user_id, actor_role=principal.role
        )
    except AppError as exc:
        await db_session.rollback()
        return await _members_page(
            request,
            db_session,
            principal,
            flashes=[flash("error", exc.detail)],
            status_code=exc.status_code,
        )
    await db_session.commit()
    await access_runtime(platform).invalidate(user_id=user_id)
    return await _members_page(
        request, db_session, principal, flashes=[flash("success", "Member removed")]
    )


@post("/settings/invitations", guards=[requires(Permission.EDIT_MEMBERS)], include_in_schema=False)
async def invitation_create(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> Template:
    form = await form_data(request)
    request_data = NewInvitation(email=form.get("email", ""), role=form.get("role", "viewer"))
    try:
        issued = await invite_member(
            db_session, settings, principal, principal.organization_id, request_data, queue
        )
    except AppError as exc:
        return await _members_page(
            request,
            db_session,
            principal,
            flashes=[flash("error", exc.detail)],
            status_code=exc.status_code,
        )
    message = f"Invitation created for {issued.invitation.email}: send them the link below"
    if issued.renewed:
        message = (
            f"{issued.invitation.email} already had a pending invitation: it was renewed as "
            f"{issued.invitation.role} and the earlier link no longer works; "
            "send them the link below"
        )
    return await _members_page(
        request,
        db_session,
        principal,
        flashes=[flash("success", message)],
        invitation_link=issued.url,
    )


@post(
    "/settings/invitations/{invitation_id:uuid}/revoke",
    guards=[requires(Permission.EDIT_MEMBERS)],
    include_in_schema=False,
)
async def invitation_revoke(
    request: Request[Any, Any, Any],
    invitation_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    await revoke_invitation(db_session, principal.organization_id, invitation_id)
    return await _members_page(
        request, db_session, principal, flashes=[flash("success", "Invitation withdrawn")]
    )


@get("/invitations/{token:str}", opt={"public": True}, include_in_schema=False)
async def invitation_page(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    try:
        view = await open_invitation(db_session, token)
    except AppError as exc:
        return page(
            request,
            "accounts/invitation.html",
            status_code=exc.status_code,
            problem=exc.detail,
            view=None,
            user=None,
            token=token,
        )
    user = None
    try:
        identity = await identity_for_connection(request)
        user = await get_user(db_session, identity.user_id)
    except NotAuthenticated:
        pass
    return page(
        request, "accounts/invitation.html", view=view, user=user, token=token, problem=None
    )


@post("/invitations/{token:str}/accept", guards=[authenticated()], include_in_schema=False)
async def invitation_accept(
    request: Request[Any, Any, Any],
    token: FromPath[str],
    identity: NamedDependency[Identity],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
    queue: NamedDependency[JobQueue],
) -> Redirect | Template:
    user = await get_user(db_session, identity.user_id)
    try:
        view = await accept_invitation(db_session, token, user)
    except AppError as exc:
        return page(
            request,
            "accounts/invitation.html",
            status_code=exc.status_code,
            problem=exc.detail,
            view=None,
            user=user,
            token=token,
        )
    await member_joined(db_session, identity, view.invitation, user, queue)
    joined = [
        project
        for project in await projects_of_user(db_session, user.id)
        if project.organization_id == view.invitation.organization_id
    ]
    cookies = [project_cookie(settings, joined[0].project_id)] if joined else []
    return redirect("/settings/members", cookies)


ROUTES = [
    members_page,
    member_role,
    member_remove,
    invitation_create,
    invitation_revoke,
    invitation_page,
    invitation_accept,
]
