"""Two real ``agenta serve`` processes sharing Postgres and Redis: a change made through one is
served at once by the other, whose config cache was invalidated through Redis pub/sub."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from agenta.core.registry.invalidation import CHANNEL
from agenta.db import Database
from tests.conftest import TEST_SECRET_KEY
from tests.support.accounts import make_user
from tests.support.processes import ServerProcess, base_env

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]
FETCH = "/api/configs?application=bot&environment=production"


@pytest.fixture
def servers(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    env = base_env(
        AGENTA_DATABASE_URL=postgres_url,
        AGENTA_REDIS_URL=redis_url,
        AGENTA_SECRET_KEY=TEST_SECRET_KEY,
        AGENTA_DATA_DIR=str(tmp_path / "data"),
        AGENTA_LOG_LEVEL="WARNING",
    )
    started = [ServerProcess(env, tmp_path / f"serve-{n}.log") for n in (1, 2)]
    try:
        for server in started:
            server.start()
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


def wait_for_subscribers(redis_url: str, count: int) -> None:
    """Both processes cache only once subscribed to invalidations: wait for that."""
    client = redis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 10
        while dict(client.pubsub_numsub(CHANNEL)).get(CHANNEL.encode(), 0) < count:
            assert time.monotonic() < deadline, "the serve processes never subscribed"
            time.sleep(0.02)
    finally:
        client.close()


def call(server: ServerProcess, key: str, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(
        method, server.url + path, json=body, headers={"Authorization": f"ApiKey {key}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def publish_revision(server: ServerProcess, key: str, variant_id: str, message: str) -> str:
    committed = call(
        server,
        key,
        "POST",
        "/api/applications/revisions/commit",
        {
            "application_revision": {
                "application_variant_id": variant_id,
                "data": {},
                "message": message,
            }
        },
    )["application_revision"]
    call(
        server,
        key,
        "POST",
        "/api/applications/revisions/deploy",
        {
            "application_revision_ref": {"id": committed["id"]},
            "environment_ref": {"slug": "production"},
        },
    )
    return str(committed["id"])


def tamper(postgres_url: str, revision_id: str) -> None:
    """Change a revision behind the app's back: only a cache can keep serving the old text."""
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(
            "UPDATE application_revisions SET message = 'tampered' WHERE id = %s", (revision_id,)
        )


async def test_a_deploy_through_one_process_is_served_at_once_by_the_other(
    servers: list[ServerProcess], postgres_url: str, redis_url: str
) -> None:
    wait_for_subscribers(redis_url, len(servers))
    db = Database.unpooled(postgres_url)
    try:
        owner = await make_user(db, with_api_key=True)
    finally:
        await db.dispose()
    assert owner.api_key is not None
    key, (first, second) = owner.api_key, servers

    def scenario() -> tuple[dict[str, Any], dict[str, Any], float]:
        app = call(
            first, key, "POST", "/api/simple/applications/", {"application": {"slug": "bot"}}
        )
        v2 = publish_revision(first, key, app["application"]["variant_id"], "second")
        cached = call(second, key, "GET", FETCH)
        tamper(postgres_url, v2)
        still_cached = call(second, key, "GET", FETCH)
        publish_revision(first, key, app["application"]["variant_id"], "third")
        started = time.monotonic()
        while (fresh := call(second, key, "GET", FETCH))["revision"]["message"] != "third":
            assert time.monotonic() - started < 5, "the second process kept serving the old config"
            time.sleep(0.02)
        assert cached["revision"]["message"] == "second"
        return still_cached, fresh, time.monotonic() - started

    still_cached, fresh, waited = await asyncio.to_thread(scenario)

    assert still_cached["revision"]["message"] == "second"
    assert fresh["variant"]["version"] == "3"
    assert waited < 2
