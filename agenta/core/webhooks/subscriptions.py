"""Managing webhook subscriptions: create (the secret is returned once), edit, (de)activate,
rotate the secret, delete, and send a test event.

Input is checked up front and every problem names the field: the URL must be http(s) with a host
(and, unless ``AGENTA_WEBHOOKS_ALLOW_PRIVATE`` is set, not a private, loopback or link-local IP
literal or ``localhost``; names are resolved and checked again on every try), event types must be
known ones, ``application_id`` a UUID. A subscription that does not say how many tries a delivery
gets has the deployment's ``AGENTA_WEBHOOKS_MAX_ATTEMPTS`` when created and keeps its number when
edited. Deleting keeps the row (deleted, inactive) so its delivery
history stays readable.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.events.service import record_event
from agenta.core.events.types import EventType, parse_event_type
from agenta.core.webhooks.models import WebhookSubscription
from agenta.core.webhooks.policy import DEFAULT_MAX_ATTEMPTS, MAX_ATTEMPTS_LIMIT
from agenta.core.webhooks.signing import generate_secret
from agenta.crypto import SecretBox
from agenta.db import utcnow
from agenta.errors import AppError, NotFound
from agenta.outbound import private_address_problem

if TYPE_CHECKING:
    from agenta.core.access.principal import Principal
    from agenta.jobs.queue import JobQueue

MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class SubscriptionInput:
    """What a user submits for a subscription (API body or page form)."""

    name: str
    url: str
    event_types: list[str] = field(default_factory=list)
    application_id: str | None = None
    environment: str | None = None
    active: bool = True
    max_attempts: int | None = None  # None: the deployment's default (or, on edit, unchanged)


@dataclass(frozen=True)
class CleanSubscription:
    name: str
    url: str
    event_types: list[str]
    filters: dict[str, Any]
    active: bool
    max_attempts: int


def clean(
    data: SubscriptionInput, *, allow_private: bool, default_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> CleanSubscription:
    """Validate ``data`` (``default_attempts`` when it has no ``max_attempts``); raises a 422
    ``AppError`` listing every field that is wrong."""
    problems: dict[str, str] = {}
    name = data.name.strip()
    if not name or len(name) > 200:
        problems["name"] = "the name must be 1 to 200 characters long"
    url_problem = url_problem_of(data.url.strip(), allow_private=allow_private)
    if url_problem:
        problems["url"] = url_problem
    event_types = _clean_event_types(data.event_types, problems)
    filters = _clean_filters(data, problems)
    attempts = default_attempts if data.max_attempts is None else data.max_attempts
    if not 1 <= attempts <= MAX_ATTEMPTS_LIMIT:
        problems["max_attempts"] = f"the number of tries must be between 1 and {MAX_ATTEMPTS_LIMIT}"
    if problems:
        summary = "; ".join(f"{key}: {text}" for key, text in problems.items())
        raise AppError(f"Invalid webhook: {summary}", status_code=422, details=problems)
    return CleanSubscription(name, data.url.strip(), event_types, filters, data.active, attempts)


def url_problem_of(url: str, *, allow_private: bool) -> str | None:
    """Why ``url`` cannot be a webhook URL, or None."""
    if not url:
        return "the URL is required"
    if len(url) > MAX_URL_LENGTH:
        return f"the URL must be at most {MAX_URL_LENGTH} characters long"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "the URL is not valid"
    if parts.scheme not in {"http", "https"}:
        return f"only http and https URLs are allowed, got {parts.scheme or 'none'!r}"
    if not host:
        return "the URL has no host"
    if allow_private:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "localhost is not reachable for webhooks"
    try:
        problem = private_address_problem(ipaddress.ip_address(host))
    except ValueError:
        return None
    return f"{host} is not allowed: {problem}" if problem else None


def _clean_event_types(names: list[str], problems: dict[str, str]) -> list[str]:
    cleaned: list[str] = []
    for name in names:
        if not name.strip():
            continue
        try:
            kind = parse_event_type(name)
        except ValueError as exc:
            problems["event_types"] = str(exc)
            continue
        if kind.value not in cleaned:
            cleaned.append(kind.value)
    return cleaned


def _clean_filters(data: SubscriptionInput, problems: dict[str, str]) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if data.application_id and data.application_id.strip():
        try:
            filters["application_id"] = str(UUID(data.application_id.strip()))
        except ValueError:
            problems["application_id"] = "the application id must be a UUID"
    if data.environment and data.environment.strip():
        environment = data.environment.strip()
        if len(environment) > 100:
            problems["environment"] = "the environment must be at most 100 characters long"
        filters["environment"] = environment
    return filters


async def create_subscription(
    session: AsyncSession,
    *,
    project_id: UUID,
    data: SubscriptionInput,
    box: SecretBox,
    allow_private: bool,
    default_attempts: int = DEFAULT_MAX_ATTEMPTS,
    actor_id: UUID | None = None,
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret (returned here only; stored encrypted).

    ``default_attempts`` (the deployment's ``webhooks_max_attempts``) applies when ``data``
    gives no ``max_attempts``."""
    values = clean(data, allow_private=allow_private, default_attempts=default_attempts)
    secret = generate_secret()
    subscription = WebhookSubscription(
        project_id=project_id,
        name=values.name,
        url=values.url,
        event_types=values.event_types,
        filters=values.filters,
        active=values.active,
        max_attempts=values.max_attempts,
        secret_encrypted=box.encrypt(secret),
        secret_hint=secret[-4:],
        created_by_id=actor_id,
    )
    session.add(subscription)
    await session.flush()
    return subscription, secret


async def update_subscription(
    session: AsyncSession,
    subscription: WebhookSubscription,
    data: SubscriptionInput,
    *,
    allow_private: bool,
    actor_id: UUID | None = None,
) -> WebhookSubscription:
    """Replace the subscription's settings: not its secret, nor its tries unless given."""
    values = clean(data, allow_private=allow_private, default_attempts=subscription.max_attempts)
    subscription.name = values.name
    subscription.url = values.url
    subscription.event_types = values.event_types
    subscription.filters = values.filters
    subscription.active = values.active
    subscription.max_attempts = values.max_attempts
    subscription.updated_by_id = actor_id
    await session.flush()
    return subscription


async def set_active(
    session: AsyncSession, subscription: WebhookSubscription, active: bool, actor_id: UUID | None
) -> None:
    """Start or stop deliveries to the subscription."""
    subscription.active = active
    subscription.updated_by_id = actor_id
    await session.flush()


async def rotate_secret(
    session: AsyncSession, subscription: WebhookSubscription, box: SecretBox, actor_id: UUID | None
) -> str:
    """Replace the signing secret; the new one is returned here only."""
    secret = generate_secret()
    subscription.secret_encrypted = box.encrypt(secret)
    subscription.secret_hint = secret[-4:]
    subscription.updated_by_id = actor_id
    await session.flush()
    return secret


async def delete_subscription(
    session: AsyncSession, subscription: WebhookSubscription, actor_id: UUID | None
) -> None:
    """Stop and hide the subscription, keeping its delivery history."""
    subscription.active = False
    subscription.deleted_at = utcnow()
    subscription.deleted_by_id = actor_id
    await session.flush()


async def list_subscriptions(session: AsyncSession, project_id: UUID) -> list[WebhookSubscription]:
    """The project's subscriptions, newest first."""
    rows = await session.scalars(
        select(WebhookSubscription)
        .where(
            WebhookSubscription.project_id == project_id,
            WebhookSubscription.deleted_at.is_(None),
        )
        .order_by(WebhookSubscription.created_at.desc())
    )
    return list(rows.all())


async def get_subscription(
    session: AsyncSession, project_id: UUID, subscription_id: UUID
) -> WebhookSubscription:
    """One subscription of the project; 404 if it is not there (or belongs to another)."""
    subscription = await session.get(WebhookSubscription, subscription_id)
    if (
        subscription is None
        or subscription.project_id != project_id
        or subscription.deleted_at is not None
    ):
        raise NotFound(f"No webhook {subscription_id} in this project")
    return subscription


async def send_test_event(
    session: AsyncSession,
    subscription: WebhookSubscription,
    *,
    actor: Principal | None,
    queue: JobQueue,
) -> UUID:
    """Record a ``webhook.test`` event aimed at this subscription only; returns the event id."""
    return await record_event(
        session,
        project_id=subscription.project_id,
        event_type=EventType.WEBHOOK_TEST,
        data={
            "subscription_id": subscription.id,
            "name": subscription.name,
            "message": "This is a test event sent from Agenta.",
        },
        actor=actor,
        queue=queue,
    )
