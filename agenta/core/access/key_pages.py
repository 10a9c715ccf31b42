"""The API keys page: list the project's keys, create one (shown once), revoke one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.api_keys import list_api_keys
from agenta.core.access.guards import requires
from agenta.core.access.key_changes import issue_key, withdraw_key
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.access.runtime import access_runtime
from agenta.core.accounts.page_support import flash, form_data, page
from agenta.errors import AppError
from agenta.platform import Platform


async def _keys_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    *,
    flashes: list[dict[str, str]] | None = None,
    new_key: str | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "accounts/api_keys.html",
        status_code=status_code,
        flashes=flashes,
        keys=await list_api_keys(session, principal.project_id),
        new_key=new_key,
        can_edit=principal.can(Permission.EDIT_API_KEYS),
    )


def _expiry(raw: str) -> datetime | None:
    """A date from the form (end of that day, UTC), or None when left empty."""
    if not raw.strip():
        return None
    try:
        day = datetime.strptime(raw.strip(), "%Y-%m-%d")
    except ValueError:
        message = f"The expiry date {raw!r} is not a date (YYYY-MM-DD)"
        raise AppError(message, status_code=422) from None
    return day.replace(hour=23, minute=59, second=59, tzinfo=UTC)


@get("/settings/api-keys", guards=[requires(Permission.VIEW_API_KEYS)], include_in_schema=False)
async def keys_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _keys_page(request, db_session, principal)


@post("/settings/api-keys", guards=[requires(Permission.EDIT_API_KEYS)], include_in_schema=False)
async def keys_create(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    form = await form_data(request)
    assert principal.user_id is not None
    try:
        raw, _ = await issue_key(
            db_session,
            principal,
            project_id=principal.project_id,
            user_id=principal.user_id,
            name=form.get("name", ""),
            expires_at=_expiry(form.get("expires_at", "")),
            queue=platform.queue,
        )
    except AppError as exc:
        return await _keys_page(
            request,
            db_session,
            principal,
            flashes=[flash("error", exc.detail)],
            status_code=exc.status_code,
        )
    return await _keys_page(request, db_session, principal, new_key=raw)


@post(
    "/settings/api-keys/{prefix:str}/revoke",
    guards=[requires(Permission.EDIT_API_KEYS)],
    include_in_schema=False,
)
async def keys_revoke(
    request: Request[Any, Any, Any],
    prefix: FromPath[str],
    principal: NamedDependency[Principal],
    platform: NamedDependency[Platform],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    key = await withdraw_key(
        db_session, principal, project_id=principal.project_id, prefix=prefix, queue=platform.queue
    )
    await db_session.commit()
    await access_runtime(platform).invalidate(api_key_id=key.id)
    message = f"Key {prefix}… revoked"
    return await _keys_page(request, db_session, principal, flashes=[flash("success", message)])


ROUTES = [keys_page, keys_create, keys_revoke]
