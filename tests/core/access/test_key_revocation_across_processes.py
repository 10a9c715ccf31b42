"""With Redis, revoking a key in one server process stops it at once in the others."""

from __future__ import annotations

import asyncio
from typing import Any

from agenta.settings import Settings
from tests.support.accounts import make_user


async def test_a_revocation_reaches_another_process_before_its_cache_expires(
    make_settings: Any, database_url: str, make_client: Any, redis_url: str, platform: Any
) -> None:
    owner = await make_user(platform, with_api_key=True)
    # A cache lifetime far longer than the test: only the published invalidation can help.
    settings: Settings = make_settings(
        database_url, redis_url=redis_url, extra={"access_cache_seconds": 600}
    )
    async with (
        make_client(settings, run_jobs=False) as one,
        make_client(settings, run_jobs=False) as other,
    ):
        created = (await one.post("/api/keys", json={}, headers=owner.headers)).json()
        headers = {"Authorization": f"ApiKey {created['key']}"}
        assert (await other.get("/api/projects/current", headers=headers)).status_code == 200
        await asyncio.sleep(0.2)  # let both subscribers settle
        revoked = await one.delete(f"/api/keys/{created['prefix']}", headers=owner.headers)
        assert revoked.status_code == 204
        status = 200
        for _ in range(50):
            status = (await other.get("/api/projects/current", headers=headers)).status_code
            if status == 401:
                break
            await asyncio.sleep(0.05)
        assert status == 401
