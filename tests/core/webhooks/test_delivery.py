"""Deliveries to a real receiver on 127.0.0.1: signed, retried with backoff, dead, redelivered."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from sqlalchemy import select

from agenta.core.events.service import record_event
from agenta.core.webhooks.deliveries import get_delivery, redeliver
from agenta.core.webhooks.fanout import delivery_id_for
from agenta.core.webhooks.models import (
    FAILED,
    SUCCEEDED,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from agenta.crypto import SecretBox
from agenta.jobs.runner import InProcessRunner
from agenta.platform import Platform
from tests.core.evaluators.local_http import CannedResponse
from tests.core.webhooks.conftest import MakeSubscription, Receiver, RecordEvent, settle
from tests.support.accounts import Persona


async def deliveries(platform: Platform) -> list[WebhookDelivery]:
    async with platform.db.session() as session:
        return list((await session.scalars(select(WebhookDelivery))).all())


async def attempts_of(platform: Platform, delivery_id: UUID) -> list[WebhookAttempt]:
    async with platform.db.session() as session:
        rows = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        )
        return list(rows.all())


def failing(status: int, times: int) -> list[CannedResponse]:
    return [CannedResponse(status, b'{"error":"down"}') for _ in range(times)]


async def test_the_receiver_gets_a_signed_compact_payload_with_delivery_headers(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
    member: Persona,
) -> None:
    subscription_id = await make_subscription()
    event_id = await emit("app.created", application_id="a1", name="chatbot")
    await settle(platform, runner)

    [request] = receiver.requests
    assert receiver.signatures_ok == [True]
    payload = request.json()
    assert payload["id"] == str(event_id)
    assert (payload["type"], payload["project_id"]) == ("app.created", str(member.project_id))
    assert payload["data"] == {"application_id": "a1", "name": "chatbot"}
    assert request.body == json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    delivery_id = str(delivery_id_for(event_id, subscription_id))
    assert request.headers["x-agenta-delivery-id"] == delivery_id
    assert request.headers["idempotency-key"] == delivery_id
    assert request.headers["x-agenta-event-type"] == "app.created"
    [delivery] = await deliveries(platform)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (SUCCEEDED, 1, 200)


async def test_it_retries_after_500s_until_the_receiver_accepts(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    await make_subscription(max_attempts=5)
    receiver.script = failing(500, 2)
    await emit()
    await settle(platform, runner)

    [delivery] = await deliveries(platform)
    assert (delivery.status, delivery.attempts) == (SUCCEEDED, 3)
    attempts = await attempts_of(platform, delivery.id)
    assert [(a.number, a.status_code, a.outcome) for a in attempts] == [
        (1, 500, "retry"),
        (2, 500, "retry"),
        (3, 200, "succeeded"),
    ]
    assert attempts[0].response_excerpt == '{"error":"down"}'
    assert all(a.latency_ms is not None and a.latency_ms >= 0 for a in attempts)
    assert len(set(receiver.delivery_ids())) == 1
    assert receiver.signatures_ok == [True, True, True]


@pytest.mark.parametrize("webhook_timeout", [0.5])
async def test_it_retries_after_a_timeout(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    await make_subscription()
    receiver.script = [CannedResponse(200, b"late", delay_seconds=1.0)]
    await emit()
    await settle(platform, runner)

    [delivery] = await deliveries(platform)
    attempts = await attempts_of(platform, delivery.id)
    assert [(a.outcome, a.status_code) for a in attempts] == [("retry", None), ("succeeded", 200)]
    assert "within 0.5 s" in (attempts[0].error or "")


async def test_a_delivery_is_dead_after_its_last_try_and_says_why(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    await make_subscription(max_attempts=3)
    receiver.script = failing(503, 10)
    await emit()
    await settle(platform, runner)

    [delivery] = await deliveries(platform)
    assert (delivery.status, delivery.attempts) == (FAILED, 3)
    assert delivery.last_error == "gave up after 3 tries; the last one said: HTTP 503"
    assert len(receiver.requests) == 3


async def test_a_refusing_receiver_is_not_retried(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    await make_subscription(max_attempts=5)
    receiver.script = failing(400, 1)
    await emit()
    await settle(platform, runner)

    [delivery] = await deliveries(platform)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (FAILED, 1, "HTTP 400")


async def test_a_dead_delivery_can_be_redelivered_by_hand_with_the_same_id(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
    member: Persona,
) -> None:
    await make_subscription(max_attempts=2)
    receiver.script = failing(500, 2)
    await emit()
    await settle(platform, runner)
    [dead] = await deliveries(platform)
    assert dead.status == FAILED

    async with platform.db.session() as session:
        delivery = await get_delivery(session, member.project_id, dead.id)
        await redeliver(session, delivery, platform.queue)
    await settle(platform, runner)

    [delivered] = await deliveries(platform)
    assert (delivered.status, delivered.attempts) == (SUCCEEDED, 3)
    assert receiver.delivery_ids() == [str(dead.id)] * 3
    attempts = await attempts_of(platform, dead.id)
    assert [a.outcome for a in attempts] == ["retry", "failed", "succeeded"]


async def test_no_delivery_is_made_for_a_change_that_rolled_back(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    member: Persona,
) -> None:
    await make_subscription()
    with pytest.raises(RuntimeError, match="change failed"):
        async with platform.db.session() as session:
            await record_event(
                session,
                project_id=member.project_id,
                event_type="app.archived",
                data={"application_id": "a1"},
                queue=platform.queue,
            )
            raise RuntimeError("change failed")
    await settle(platform, runner)

    assert receiver.requests == []
    assert await deliveries(platform) == []


async def test_the_response_excerpt_is_capped_at_two_kilobytes(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    await make_subscription()
    receiver.script = [CannedResponse(200, b"y" * 10_000)]
    await emit()
    await settle(platform, runner)

    [delivery] = await deliveries(platform)
    [attempt] = await attempts_of(platform, delivery.id)
    assert attempt.response_excerpt == "y" * 2048


async def test_a_secret_that_no_longer_decrypts_fails_the_delivery_with_advice(
    platform: Platform,
    runner: InProcessRunner,
    receiver: Receiver,
    make_subscription: MakeSubscription,
    emit: RecordEvent,
) -> None:
    subscription_id = await make_subscription(max_attempts=5)
    foreign = SecretBox("another-deployment-secret-key-0123456789abcdef", "webhook-signing-secrets")
    async with platform.db.session() as session:
        subscription = await session.get_one(WebhookSubscription, subscription_id)
        subscription.secret_encrypted = foreign.encrypt("whsec_elsewhere")
    await emit()
    await settle(platform, runner)

    [delivery] = await deliveries(platform)
    assert (delivery.status, delivery.attempts) == (FAILED, 1)
    assert "another AGENTA_SECRET_KEY" in (delivery.last_error or "")
    assert "create a new secret" in (delivery.last_error or "")
    assert receiver.requests == []
