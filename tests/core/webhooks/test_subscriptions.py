"""Subscriptions: validated input, the secret shown once and stored encrypted, project scoping."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import select

from agenta.core.webhooks.models import WebhookSubscription
from agenta.core.webhooks.secret_storage import secret_box
from agenta.core.webhooks.subscriptions import (
    SubscriptionInput,
    clean,
    create_subscription,
    delete_subscription,
    get_subscription,
    list_subscriptions,
    rotate_secret,
)
from agenta.errors import AppError, NotFound
from agenta.platform import Platform
from tests.support.accounts import Persona, make_user


def problems_of(data: SubscriptionInput, *, allow_private: bool = False) -> dict[str, str]:
    with pytest.raises(AppError) as caught:
        clean(data, allow_private=allow_private)
    assert caught.value.status_code == 422
    return caught.value.extra  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "the URL is required"),
        ("ftp://example.com/hook", "only http and https URLs are allowed, got 'ftp'"),
        ("https://", "the URL has no host"),
        ("http://localhost:8000/hook", "localhost is not reachable for webhooks"),
        ("http://127.0.0.1/hook", "127.0.0.1 is not allowed: it is a loopback address"),
        ("http://10.0.0.5/hook", "10.0.0.5 is not allowed: it is a private address"),
        ("http://169.254.169.254/x", "169.254.169.254 is not allowed: it is a link-local address"),
    ],
)
def test_it_refuses_urls_it_must_not_call(url: str, problem: str) -> None:
    assert problems_of(SubscriptionInput(name="hook", url=url)) == {"url": problem}


def test_private_addresses_are_accepted_when_the_deployment_allows_them() -> None:
    data = SubscriptionInput(name="hook", url="http://127.0.0.1:9000/hook")
    assert clean(data, allow_private=True).url == "http://127.0.0.1:9000/hook"


def test_it_names_every_wrong_field_at_once() -> None:
    data = SubscriptionInput(
        name=" ",
        url="https://example.com/hook",
        event_types=["app.created", "app.exploded"],
        application_id="not-a-uuid",
        max_attempts=0,
    )
    problems = problems_of(data)
    assert set(problems) == {"name", "event_types", "application_id", "max_attempts"}
    assert "unknown event type 'app.exploded'" in problems["event_types"]


def test_it_keeps_known_event_types_once_and_the_filters_given() -> None:
    app_id = uuid4()
    data = SubscriptionInput(
        name="hook",
        url="https://example.com/hook",
        event_types=["app.created", "app.created", "", "environment.deployed"],
        application_id=str(app_id),
        environment=" production ",
    )
    cleaned = clean(data, allow_private=False)
    assert cleaned.event_types == ["app.created", "environment.deployed"]
    assert cleaned.filters == {"application_id": str(app_id), "environment": "production"}


async def test_the_secret_is_returned_once_and_stored_encrypted(
    platform: Platform, member: Persona
) -> None:
    box = secret_box(platform.settings)
    async with platform.db.session() as session:
        subscription, secret = await create_subscription(
            session,
            project_id=member.project_id,
            data=SubscriptionInput(name="hook", url="https://example.com/hook"),
            box=box,
            allow_private=False,
        )
    async with platform.db.session() as session:
        stored = (await session.scalars(select(WebhookSubscription))).one()
    assert secret not in stored.secret_encrypted
    assert box.decrypt(stored.secret_encrypted) == secret
    assert stored.secret_hint == secret[-4:]

    async with platform.db.session() as session:
        rotated = await rotate_secret(
            session, await session.get_one(WebhookSubscription, subscription.id), box, None
        )
    async with platform.db.session() as session:
        stored = await session.get_one(WebhookSubscription, subscription.id)
    assert rotated != secret and box.decrypt(stored.secret_encrypted) == rotated


async def test_another_project_cannot_see_a_subscription(
    platform: Platform, member: Persona
) -> None:
    outsider = await make_user(platform)
    async with platform.db.session() as session:
        subscription, _ = await create_subscription(
            session,
            project_id=member.project_id,
            data=SubscriptionInput(name="hook", url="https://example.com/hook"),
            box=secret_box(platform.settings),
            allow_private=False,
        )
    async with platform.db.session() as session:
        with pytest.raises(NotFound, match="No webhook"):
            await get_subscription(session, outsider.project_id, subscription.id)
        assert await list_subscriptions(session, outsider.project_id) == []


async def test_a_deleted_subscription_disappears_from_the_list(
    platform: Platform, member: Persona
) -> None:
    async with platform.db.session() as session:
        subscription, _ = await create_subscription(
            session,
            project_id=member.project_id,
            data=SubscriptionInput(name="hook", url="https://example.com/hook"),
            box=secret_box(platform.settings),
            allow_private=False,
        )
        await delete_subscription(session, subscription, member.user_id)
    async with platform.db.session() as session:
        assert await list_subscriptions(session, member.project_id) == []
        with pytest.raises(NotFound):
            await get_subscription(session, member.project_id, subscription.id)
