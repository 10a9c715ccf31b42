"""Fixtures of the webhook tests: a receiving server on 127.0.0.1, subscriptions, and a runner.

The settings allow private addresses (the receiver is on the loopback interface) and shrink the
timeout and backoff so retries happen within a test. ``Receiver`` answers with a script of
responses (then 200s), verifies every signature with the subscription's secret and records
which delivery ids it saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from agenta.core.events.models import Event
from agenta.core.events.service import record_event
from agenta.core.webhooks.models import DELIVERING, PENDING, RETRYING, WebhookDelivery
from agenta.core.webhooks.secret_storage import secret_box
from agenta.core.webhooks.signing import verify_signature
from agenta.core.webhooks.subscriptions import SubscriptionInput, create_subscription
from agenta.jobs.registry import JobContext
from agenta.jobs.runner import InProcessRunner
from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.evaluators.local_http import CannedResponse, LocalHTTPServer, RecordedRequest
from tests.support.accounts import Persona, make_user

FAST_RETRIES = {
    "webhooks_backoff_base_seconds": 0.05,
    "webhooks_backoff_max_seconds": 0.1,
}


@pytest.fixture
def webhook_timeout() -> float:
    """Generous, so a loaded machine never turns a prompt answer into a timeout; a test about
    timeouts parametrizes a short one."""
    return 5.0


@pytest.fixture
def settings(
    make_settings: Callable[..., Settings], database_url: str, webhook_timeout: float
) -> Settings:
    return make_settings(
        database_url,
        job_poll_interval=0.05,
        webhooks_allow_private=True,
        webhooks_timeout_seconds=webhook_timeout,
        **FAST_RETRIES,
    )


@dataclass
class Receiver:
    """A webhook receiver: scripted answers, then 200 OK; checks signatures with ``secret``."""

    script: list[CannedResponse] = field(default_factory=list)
    secret: str = ""
    signatures_ok: list[bool] = field(default_factory=list)
    server: LocalHTTPServer | None = None

    def respond(self, request: RecordedRequest) -> CannedResponse:
        header = request.headers.get("x-agenta-signature", "")
        self.signatures_ok.append(verify_signature(self.secret, header, request.body))
        return self.script.pop(0) if self.script else CannedResponse(200, b'{"ok":true}')

    @property
    def requests(self) -> list[RecordedRequest]:
        assert self.server is not None
        return self.server.requests

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url()

    def delivery_ids(self) -> list[str]:
        return [request.headers["x-agenta-delivery-id"] for request in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    with LocalHTTPServer(receiver.respond) as server:
        receiver.server = server
        yield receiver


@pytest.fixture
async def member(platform: Platform) -> Persona:
    return await make_user(platform, with_api_key=True)


MakeSubscription = Callable[..., Awaitable[UUID]]


@pytest.fixture
def make_subscription(platform: Platform, member: Persona, receiver: Receiver) -> MakeSubscription:
    """Subscribe the receiver (or ``url``) to the member's project; it learns the secret."""

    async def make(url: str | None = None, **fields: Any) -> UUID:
        name = fields.pop("name", "receiver")
        data = SubscriptionInput(name=name, url=url or receiver.url, **fields)
        async with platform.db.session() as session:
            subscription, secret = await create_subscription(
                session,
                project_id=member.project_id,
                data=data,
                box=secret_box(platform.settings),
                allow_private=True,
            )
        receiver.secret = secret
        return subscription.id

    return make


RecordEvent = Callable[..., Awaitable[UUID]]


@pytest.fixture
def emit(platform: Platform, member: Persona) -> RecordEvent:
    """Record an event in the member's project in a transaction of its own."""

    async def record(event_type: str = "app.created", **data: Any) -> UUID:
        async with platform.db.session() as session:
            return await record_event(
                session,
                project_id=member.project_id,
                event_type=event_type,
                data=data,
                queue=platform.queue,
            )

    return record


def make_runner(platform: Platform) -> InProcessRunner:
    context = JobContext(settings=platform.settings, db=platform.db, queue=platform.queue)
    return InProcessRunner(platform.queue, context, concurrency=4, lease=5.0, cron=False)


@pytest.fixture
async def runner(platform: Platform) -> AsyncIterator[InProcessRunner]:
    runner = make_runner(platform)
    yield runner
    await runner.stop()


async def settle(platform: Platform, *runners: InProcessRunner, timeout: float = 20.0) -> None:
    """Run jobs until every event is published and no delivery is waiting or in progress."""
    async with asyncio.timeout(timeout):
        while True:
            await asyncio.gather(*(r.run_until_idle(timeout) for r in runners))
            if await _settled(platform):
                return
            await asyncio.sleep(0.02)


async def _settled(platform: Platform) -> bool:
    async with platform.db.session() as session:
        unpublished = await session.scalar(select(Event.id).where(Event.published_at.is_(None)))
        waiting = await session.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.status.in_((PENDING, RETRYING, DELIVERING))
            )
        )
    return unpublished is None and waiting is None
