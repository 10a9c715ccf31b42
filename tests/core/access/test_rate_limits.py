"""Failed log-ins and bad credentials are rate-limited, in memory or through Redis."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.access.rate_limit import FailureLimiter, TooManyAttempts
from agenta.settings import Settings
from tests.support.accounts import Persona, api_headers, csrf_token, make_user

TIGHT = {
    "login_max_failures": 3,
    "login_window_seconds": 60,
    "key_max_failures": 3,
    "key_window_seconds": 60,
}


async def failed_logins(client: AsyncTestClient[Any], email: str, count: int) -> list[Any]:
    token = await csrf_token(client)
    return [
        await client.post(
            "/login", data={"email": email, "password": "not the password", "_csrf_token": token}
        )
        for _ in range(count)
    ]


async def test_repeated_failed_logins_answer_429_with_retry_after(
    make_settings: Any, database_url: str, make_client: Any, platform: Any
) -> None:
    persona = await make_user(platform)
    settings: Settings = make_settings(database_url, extra=TIGHT)
    async with make_client(settings) as client:
        responses = await failed_logins(client, persona.email, 4)
        assert [r.status_code for r in responses] == [400, 400, 400, 429]
        assert 0 < int(responses[-1].headers["retry-after"]) <= 60
        locked = await client.post(
            "/login",
            data={
                "email": persona.email,
                "password": persona.password,
                "_csrf_token": await csrf_token(client),
            },
        )
        assert locked.status_code == 429, "the right password must not bypass the lock"


async def test_repeated_bad_keys_from_one_address_answer_429(
    make_settings: Any, database_url: str, make_client: Any, platform: Any
) -> None:
    persona = await make_user(platform, with_api_key=True)
    settings: Settings = make_settings(database_url, extra=TIGHT)
    async with make_client(settings) as client:
        statuses = [
            (await client.get("/api/projects/current", headers=api_headers(f"bad{n}"))).status_code
            for n in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        assert persona.api_key is not None
        # The address is locked: even a valid key not yet verified by this process waits.
        blocked = await client.get("/api/projects/current", headers=persona.headers)
        assert blocked.status_code == 429


async def test_the_login_limit_is_shared_through_redis(
    make_settings: Any, database_url: str, make_client: Any, redis_url: str, platform: Any
) -> None:
    persona: Persona = await make_user(platform)
    settings: Settings = make_settings(
        database_url, redis_url=redis_url, extra=TIGHT, job_poll_interval=0.05
    )
    async with make_client(settings, run_jobs=False) as first:
        await failed_logins(first, persona.email, 3)
    async with make_client(settings, run_jobs=False) as second:
        [response] = await failed_logins(second, persona.email, 1)
    assert response.status_code == 429


async def test_a_limiter_forgets_failures_after_a_success() -> None:
    limiter = FailureLimiter("test", max_failures=2, window=60)
    await limiter.record_failure("someone")
    await limiter.reset("someone")
    await limiter.record_failure("someone")
    await limiter.check("someone", "locked")
    await limiter.record_failure("someone")
    with pytest.raises(TooManyAttempts, match="locked; try again in"):
        await limiter.check("someone", "locked")
    await limiter.check("someone else", "locked")
