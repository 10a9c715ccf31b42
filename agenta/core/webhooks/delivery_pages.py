"""The delivery page: one delivery's payload, every try (status, latency, answer excerpt, error),
the verification recipe, and the redeliver button."""

from __future__ import annotations

import json
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
from agenta.core.events.messages import event_message
from agenta.core.events.models import Event
from agenta.core.webhooks.deliveries import attempts_of, get_delivery, redeliver
from agenta.core.webhooks.models import WebhookSubscription
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue

PATH = "/settings/webhooks/deliveries/{delivery_id:uuid}"


async def _delivery_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: Principal,
    delivery_id: UUID,
    *,
    status_code: int = 200,
    flashes: list[dict[str, str]] | None = None,
) -> Template:
    delivery = await get_delivery(session, principal.project_id, delivery_id)
    subscription = await session.get_one(WebhookSubscription, delivery.subscription_id)
    event = await session.get_one(Event, delivery.event_id)
    payload = json.dumps(event_message(event), indent=2, sort_keys=True, ensure_ascii=False)
    return page(
        request,
        "webhooks/delivery.html",
        status_code=status_code,
        flashes=flashes,
        delivery=delivery,
        subscription=subscription,
        attempts=await attempts_of(session, delivery.id),
        payload=payload,
        can_edit=principal.can(Permission.EDIT_WEBHOOKS),
    )


@get(PATH, guards=[requires(Permission.VIEW_WEBHOOKS)], include_in_schema=False)
async def delivery_page(
    request: Request[Any, Any, Any],
    delivery_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    return await _delivery_page(request, db_session, principal, delivery_id)


@post(PATH + "/redeliver", guards=[requires(Permission.EDIT_WEBHOOKS)], include_in_schema=False)
async def delivery_redeliver(
    request: Request[Any, Any, Any],
    delivery_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    queue: NamedDependency[JobQueue],
    db_session: NamedDependency[AsyncSession],
) -> Template:
    delivery = await get_delivery(db_session, principal.project_id, delivery_id)
    try:
        await redeliver(db_session, delivery, queue)
    except AppError as exc:
        return await _delivery_page(
            request,
            db_session,
            principal,
            delivery_id,
            status_code=exc.status_code,
            flashes=[flash("error", exc.detail)],
        )
    done = flash("success", "Redelivery queued: the new try appears here in a moment")
    return await _delivery_page(request, db_session, principal, delivery_id, flashes=[done])


ROUTES = [delivery_page, delivery_redeliver]
