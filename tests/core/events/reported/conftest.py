"""Fixtures of the tests of what features report: the app, a subscribed webhook receiver, and
the activity log as its API shows it.

The app runs without its job runner; ``deliveries`` publishes and delivers here, so it can wait
until nothing is left to do and then read what the receiver got. Personas are made by
the account fixtures (``owner`` holds an API key), which record no events of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.webhooks.secret_storage import secret_box
from agenta.core.webhooks.subscriptions import SubscriptionInput, create_subscription
from agenta.jobs.runner import InProcessRunner
from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.webhooks.conftest import Receiver, make_runner, receiver, settle
from tests.support.accounts import Persona

__all__ = ["receiver"]


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    # The receiver listens on the loopback interface.
    return make_settings(database_url, job_poll_interval=0.05, webhooks_allow_private=True)


@pytest.fixture
async def client(
    settings: Settings, make_client: Callable[..., AsyncTestClient[Any]]
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with make_client(settings, run_jobs=False) as test_client:
        yield test_client


@dataclass
class Deliveries:
    """The receiver subscribed to the owner's project, and the runner that delivers to it."""

    platform: Platform
    runner: InProcessRunner
    receiver: Receiver

    async def of(self, event_type: str) -> list[dict[str, Any]]:
        """Once every event is published and delivered: the payloads of ``event_type``
        received, each with a valid signature."""
        await settle(self.platform, self.runner)
        assert all(self.receiver.signatures_ok), "deliveries are signed with the secret"
        payloads = [request.json() for request in self.receiver.requests]
        return [payload for payload in payloads if payload["type"] == event_type]


@pytest.fixture
async def deliveries(
    platform: Platform, owner: Persona, receiver: Receiver
) -> AsyncIterator[Deliveries]:
    """The receiver, subscribed to every event of the owner's project."""
    async with platform.db.session() as session:
        _, secret = await create_subscription(
            session,
            project_id=owner.project_id,
            data=SubscriptionInput(name="receiver", url=receiver.url),
            box=secret_box(platform.settings),
            allow_private=True,
        )
    receiver.secret = secret
    runner = make_runner(platform)
    yield Deliveries(platform, runner, receiver)
    await runner.stop()


async def activity(
    client: AsyncTestClient[Any], persona: Persona, event_type: str
) -> list[dict[str, Any]]:
    """The project's events of ``event_type`` in the activity log API, oldest first."""
    response = await client.get("/api/events", params={"type": event_type}, headers=persona.headers)
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["events"]))
