"""Webhook pages under ``/settings/webhooks``: list and create (the secret is shown once), edit,
(de)activate, send a test event, rotate the secret, delete. Deliveries and their tries are on
``delivery_pages``. Every change re-renders the page it came from with a message, as the other
settings pages do.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.accounts.page_support import flash, page
from agenta.core.events.types import EventType
from agenta.core.registry.applications import application_slugs
from agenta.core.registry.scope import Scope
from agenta.core.webhooks import subscriptions as subs
from agenta.core.webhooks.deliveries import STATUSES, DeliveryFilter, list_deliveries
from agenta.core.webhooks.page_forms import form_values, subscription_form
from agenta.core.webhooks.secret_storage import secret_box
from agenta.core.webhooks.subscriptions import SubscriptionInput
from agenta.core.webhooks.views import subscription_view
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue
from agenta.settings import Settings

VIEW = [requires(Permission.VIEW_WEBHOOKS)]
EDIT = [requires(Permission.EDIT_WEBHOOKS)]
EVENT_TYPES = [kind.value for kind in EventType if kind != EventType.WEBHOOK_TEST]


async def _applications(session: AsyncSession, principal: Principal) -> dict[UUID, str]:
    return await application_slugs(Scope(session=session, project_id=principal.project_id))


async def _list_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    *,
    submitted: SubscriptionInput | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    rows = await subs.list_subscriptions(session, principal.project_id)
    return page(
        request,
        "webhooks/list.html",
        status_code=status_code,
        subscriptions=[subscription_view(row) for row in rows],
        can_edit=principal.can(Permission.EDIT_WEBHOOKS),
        event_types=EVENT_TYPES,
        form=form_values(submitted),
        applications=await _applications(session, principal),
        **context,
    )


async def _detail_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    subscription_id: UUID,
    *,
    submitted: SubscriptionInput | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    subscription = await subs.get_subscription(session, principal.project_id, subscription_id)
    view = subscription_view(subscription)
    status = request.query_params.get("status")
    status = status if status in STATUSES else None
    wanted = DeliveryFilter(subscription_id=subscription.id, status=status)
    deliveries = await list_deliveries(session, principal.project_id, wanted)
    if submitted is None:
        submitted = SubscriptionInput(
            name=view["name"],
            url=view["url"],
            event_types=view["event_types"],
            application_id=view["application_id"],
            environment=view["environment"],
            active=view["active"],
            max_attempts=view["max_attempts"],
        )
    return page(
        request,
        "webhooks/detail.html",
        status_code=status_code,
        subscription=view,
        deliveries=deliveries,
        statuses=STATUSES,
        status=status,
        can_edit=principal.can(Permission.EDIT_WEBHOOKS),
        event_types=EVENT_TYPES,
        form=form_values(submitted),
        applications=await _applications(session, principal),
        **context,
    )


@get("/settings/webhooks", guards=VIEW, include_in_schema=False)
async def webhooks_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _list_page(request, db_session, principal)


@post("/settings/webhooks", guards=EDIT, include_in_schema=False)
async def webhooks_create(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    submitted: SubscriptionInput | None = None
    try:
        submitted = await subscription_form(request)
        subscription, secret = await subs.create_subscription(
            db_session,
            project_id=principal.project_id,
            data=submitted,
            box=secret_box(settings),
            allow_private=settings.webhooks_allow_private,
            default_attempts=settings.webhooks_max_attempts,
            actor_id=principal.user_id,
        )
    except AppError as exc:
        return await _list_page(
            request,
            db_session,
            principal,
            submitted=submitted,
            status_code=exc.status_code,
            flashes=[flash("error", exc.detail)],
        )
    return await _list_page(
        request, db_session, principal, new_secret=secret, created=subscription_view(subscription)
    )


@get("/settings/webhooks/{subscription_id:uuid}", guards=VIEW, include_in_schema=False)
async def webhook_page(
    request: Request[Any, Any, Any],
    subscription_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _detail_page(request, db_session, principal, subscription_id)


@post("/settings/webhooks/{subscription_id:uuid}", guards=EDIT, include_in_schema=False)
async def webhook_update(
    request: Request[Any, Any, Any],
    subscription_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    subscription = await subs.get_subscription(db_session, principal.project_id, subscription_id)
    submitted: SubscriptionInput | None = None
    try:
        submitted = await subscription_form(request)
        await subs.update_subscription(
            db_session,
            subscription,
            submitted,
            allow_private=settings.webhooks_allow_private,
            actor_id=principal.user_id,
        )
    except AppError as exc:
        return await _detail_page(
            request,
            db_session,
            principal,
            subscription_id,
            submitted=submitted,
            status_code=exc.status_code,
            flashes=[flash("error", exc.detail)],
        )
    return await _detail_page(
        request, db_session, principal, subscription_id, flashes=[flash("success", "Saved")]
    )


@post(
    "/settings/webhooks/{subscription_id:uuid}/{action:str}", guards=EDIT, include_in_schema=False
)
async def webhook_action_page(
    request: Request[Any, Any, Any],
    subscription_id: FromPath[UUID],
    action: FromPath[str],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    subscription = await subs.get_subscription(db_session, principal.project_id, subscription_id)
    context: dict[str, Any] = {}
    if action in {"activate", "deactivate"}:
        await subs.set_active(db_session, subscription, action == "activate", principal.user_id)
        message = "Webhook activated" if action == "activate" else "Webhook deactivated"
    elif action == "test":
        await subs.send_test_event(db_session, subscription, actor=principal, queue=queue)
        message = "Test event sent: its delivery appears below in a moment"
    elif action == "rotate-secret":
        box = secret_box(settings)
        context["new_secret"] = await subs.rotate_secret(
            db_session, subscription, box, principal.user_id
        )
        message = "New signing secret created; the old one no longer signs deliveries"
    elif action == "delete":
        await subs.delete_subscription(db_session, subscription, principal.user_id)
        deleted = flash("success", f"Webhook {subscription.name} deleted")
        return await _list_page(request, db_session, principal, flashes=[deleted])
    else:
        raise AppError(f"Unknown webhook action {action!r}", status_code=404)
    return await _detail_page(
        request,
        db_session,
        principal,
        subscription_id,
        flashes=[flash("success", message)],
        **context,
    )


ROUTES = [webhooks_page, webhooks_create, webhook_page, webhook_update, webhook_action_page]
