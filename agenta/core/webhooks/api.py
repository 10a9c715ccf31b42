"""REST API of webhooks (``/api/webhooks/...``).

Subscriptions: list, create (the answer carries ``secret``, the only time it is shown), read,
replace, delete, activate/deactivate, rotate the secret, send a test event. Deliveries: list
(by subscription and status), read with every try, redeliver. Reading needs ``view_webhooks``,
changing needs ``edit_webhooks``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.webhooks import subscriptions as subs
from agenta.core.webhooks.deliveries import (
    DeliveryFilter,
    attempts_of,
    get_delivery,
    list_deliveries,
    redeliver,
)
from agenta.core.webhooks.secret_storage import secret_box
from agenta.core.webhooks.subscriptions import SubscriptionInput
from agenta.core.webhooks.views import attempt_view, delivery_view, subscription_view
from agenta.errors import AppError
from agenta.jobs.queue import JobQueue
from agenta.settings import Settings

VIEW = [requires(Permission.VIEW_WEBHOOKS)]
EDIT = [requires(Permission.EDIT_WEBHOOKS)]
BASE = "/api/webhooks/subscriptions"
TAGS = ["webhooks"]


@get(BASE, guards=VIEW, tags=TAGS)
async def list_webhooks(
    principal: NamedDependency[Principal], db_session: NamedDependency[AsyncSession]
) -> list[dict[str, Any]]:
    """The project's webhook subscriptions, newest first."""
    rows = await subs.list_subscriptions(db_session, principal.project_id)
    return [subscription_view(row) for row in rows]


@post(BASE, guards=EDIT, tags=TAGS, status_code=201)
async def create_webhook(
    data: JSONBody[SubscriptionInput],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """A new subscription; ``secret`` signs its deliveries and is shown only in this answer."""
    subscription, secret = await subs.create_subscription(
        db_session,
        project_id=principal.project_id,
        data=data,
        box=secret_box(settings),
        allow_private=settings.webhooks_allow_private,
        default_attempts=settings.webhooks_max_attempts,
        actor_id=principal.user_id,
    )
    return {**subscription_view(subscription), "secret": secret}


@get(BASE + "/{subscription_id:uuid}", guards=VIEW, tags=TAGS)
async def read_webhook(
    subscription_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One subscription (without its secret)."""
    subscription = await subs.get_subscription(db_session, principal.project_id, subscription_id)
    return subscription_view(subscription)


@put(BASE + "/{subscription_id:uuid}", guards=EDIT, tags=TAGS)
async def replace_webhook(
    subscription_id: FromPath[UUID],
    data: JSONBody[SubscriptionInput],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Replace a subscription's settings (its secret stays)."""
    subscription = await subs.get_subscription(db_session, principal.project_id, subscription_id)
    await subs.update_subscription(
        db_session,
        subscription,
        data,
        allow_private=settings.webhooks_allow_private,
        actor_id=principal.user_id,
    )
    return subscription_view(subscription)


@delete(BASE + "/{subscription_id:uuid}", guards=EDIT, tags=TAGS)
async def delete_webhook(
    subscription_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> None:
    """Delete a subscription; its delivery history stays readable."""
    subscription = await subs.get_subscription(db_session, principal.project_id, subscription_id)
    await subs.delete_subscription(db_session, subscription, principal.user_id)


@post(BASE + "/{subscription_id:uuid}/{action:str}", guards=EDIT, tags=TAGS, status_code=200)
async def webhook_action(
    subscription_id: FromPath[UUID],
    action: FromPath[str],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """``activate``, ``deactivate``, ``rotate-secret`` (answers the new ``secret`` once) or
    ``test`` (sends a ``webhook.test`` event to this subscription only)."""
    subscription = await subs.get_subscription(db_session, principal.project_id, subscription_id)
    if action in {"activate", "deactivate"}:
        await subs.set_active(db_session, subscription, action == "activate", principal.user_id)
        return subscription_view(subscription)
    if action == "rotate-secret":
        box = secret_box(settings)
        secret = await subs.rotate_secret(db_session, subscription, box, principal.user_id)
        return {**subscription_view(subscription), "secret": secret}
    if action == "test":
        event_id = await subs.send_test_event(
            db_session, subscription, actor=principal, queue=queue
        )
        return {"event_id": str(event_id)}
    raise AppError(
        f"Unknown webhook action {action!r}: use activate, deactivate, rotate-secret or test",
        status_code=404,
    )


@get("/api/webhooks/deliveries", guards=VIEW, tags=TAGS)
async def list_webhook_deliveries(
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
    subscription_id: FromQuery[UUID | None] = None,
    status: FromQuery[str | None] = None,
    before: FromQuery[UUID | None] = None,
    limit: FromQuery[int] = 50,
) -> list[dict[str, Any]]:
    """The project's deliveries, newest first; filter by subscription and status."""
    wanted = DeliveryFilter(subscription_id, status or None, before, limit)
    try:
        rows = await list_deliveries(db_session, principal.project_id, wanted)
    except ValueError as exc:
        raise AppError(str(exc), status_code=400) from None
    return [delivery_view(row) for row in rows]


@get("/api/webhooks/deliveries/{delivery_id:uuid}", guards=VIEW, tags=TAGS)
async def read_webhook_delivery(
    delivery_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """One delivery with every try."""
    delivery = await get_delivery(db_session, principal.project_id, delivery_id)
    tries = await attempts_of(db_session, delivery.id)
    return {**delivery_view(delivery), "attempts_log": [attempt_view(a) for a in tries]}


@post(
    "/api/webhooks/deliveries/{delivery_id:uuid}/redeliver",
    guards=EDIT,
    tags=TAGS,
    status_code=202,
)
async def redeliver_webhook_delivery(
    delivery_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    queue: NamedDependency[JobQueue],
    db_session: NamedDependency[AsyncSession],
) -> dict[str, Any]:
    """Send a finished delivery again, with the same id and a new round of tries."""
    delivery = await get_delivery(db_session, principal.project_id, delivery_id)
    await redeliver(db_session, delivery, queue)
    return delivery_view(delivery)


ROUTES = [
    list_webhooks,
    create_webhook,
    read_webhook,
    replace_webhook,
    delete_webhook,
    webhook_action,
    list_webhook_deliveries,
    read_webhook_delivery,
    redeliver_webhook_delivery,
]
